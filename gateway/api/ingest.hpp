#pragma once
// The ingest pipeline without I/O: bytes of a bericht -> canonical records -> checks and policy
// per record -> routed records ready to store, plus every problem found.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/canonical.hpp"
#include "api/snapshot.hpp"
#include "audit/audit_entry.hpp"
#include "store/record_store.hpp"

namespace dg {

enum class WireFormat { Json, Xml };

struct RejectedRecord {
    std::string melding_id;
    Problems problems;
};

struct ReceiptRow {
    std::string melding_id, id, region;
};

// How much of what was refused an answer (and a stored receipt) lists, so that it stays within
// about twice the size of its request (messages.md, "Checks and their codes"): the problems of the
// first records in full, everything beyond counted per code and marked truncated.
struct ReportLimits {
    std::size_t problems_per_record = 10;
    std::size_t listed_records = 1000;
    std::size_t listed_bytes = 512 * 1024;  // on top of the request's own size
};

struct IngestResult;

// Where accepted records go as they are judged: a batch in memory, or a stream into the store.
// The sink has the last word on each record (it may refuse one for what is stored: someone
// else's melding, a meldingId used before) and reports it in `out`: a row in out.records or an
// entry in out.rejected. It may hold records back and decide them together at flush().
class AcceptedRecords {
public:
    virtual ~AcceptedRecords() = default;
    virtual void accept(StoredRecord&& record, IngestResult& out) = 0;
    virtual void flush(IngestResult& out) = 0;
};

// What became of a message as a whole (the API makes it an HTTP status: 202, 400, 403, 413).
enum class IngestOutcome {
    Pending,    // while it is judged
    Accepted,   // at least one record accepted
    Refused,    // malformed, invalid as a whole, or no record acceptable
    Forbidden,  // the sender may not send this berichttype (role or mandate)
    TooLarge,   // more records than the limits allow
};

struct IngestResult {
    IngestOutcome outcome = IngestOutcome::Pending;
    Problems message_problems;
    Envelope envelope;
    const TypePolicy* type = nullptr;
    std::vector<ReceiptRow> records;                          // every accepted record
    std::vector<StoredRecord> accepted;                       // filled only when no AcceptedRecords sink is given
    std::vector<RejectedRecord> rejected;                     // listed in full (within ReportLimits)
    std::size_t rejected_total = 0;                           // listed or not
    std::map<std::string, std::size_t, std::less<>> omitted;  // problems not listed, per code
    std::vector<std::string> subjects;                        // pseudonyms of every record seen
    std::size_t records_seen = 0;
    // SHA-256 of the message as the gateway understood it: envelope and canonical records, the
    // same whatever the wire format, whitespace or key order (a replay is judged on this).
    std::string content_hash;

    bool truncated() const { return !omitted.empty(); }
    // Whether another refused record would still be listed (else its problems are only counted).
    bool listing() const { return rejected.size() < report.listed_records && report_budget > 0; }
    // A refused record: listed while the limits allow, counted per code beyond them.
    void reject(const std::string& melding_id, Problems problems);
    // A refused record that will not be listed: its problems' codes only counted.
    void count_rejected(const ProblemCodes& codes);
    void reset_counters() {
        counters_.clear();
        last_codes_.clear();
        last_counters_.clear();
        last_run_ = 0;
    }
    // Adds the run of refused records that failed alike to `omitted` (count_rejected defers it).
    void flush_counters() {
        for (std::size_t* c : last_counters_) *c += last_run_;
        last_run_ = 0;
    }
    // Every distinct problem code of the message, listed or not (for the audit entry).
    std::vector<std::string> problem_codes() const;

    ReportLimits report;
    std::size_t report_budget = 0;  // bytes the listed problems may still take

private:
    // count_rejected's shortcut: a code's text (a literal or the policy's string, stable during
    // ingest) -> its counter in `omitted` (map nodes do not move).
    std::vector<std::pair<const char*, std::size_t*>> counters_;
    // The previous record's codes and their counters: refused records of one batch mostly fail
    // alike, and then a record costs one comparison per code.
    std::vector<const char*> last_codes_;
    std::vector<std::size_t*> last_counters_;
    std::size_t last_run_ = 0;  // records with last_codes_ not yet added to their counters
};

// Follows the pipeline rule by rule (`policy explain`): told about the envelope once its checks
// (the sender's role, the mandate) are made, and about every record once the policy and the
// schemas have judged it, with the trail of rules applied.
class IngestTrail {
public:
    virtual ~IngestTrail() = default;
    virtual void envelope(const Envelope& e, const TypePolicy* type, const Problems& problems) = 0;
    virtual void record(const Melding& m, const Decision& d, const std::vector<std::string>& trail) = 0;
};

struct IngestContext {
    const Snapshot& snapshot;
    const Pseudonymizer& pseudonymize;
    ParseLimits limits;
    const Party* sender = nullptr;    // nullptr: offline validation, sender rules not applied
    std::string received_at;          // RFC 3339 UTC
    AcceptedRecords* sink = nullptr;  // nullptr: keep accepted records in IngestResult::accepted
    ReportLimits report;
    bool hash_content = false;  // compute IngestResult::content_hash (messages to be stored)
    // Set when an intermediary sends for `sender`: only the berichttypen it covers, and each
    // record keeps the intermediary's OIN.
    const Mandate* mandate = nullptr;
    Date today = {};  // the day of received_at (retention counts from it)
    // Where each accepted record's id comes from (empty: new_record_id(), 32 random hex digits).
    std::function<std::string()> new_id = {};
    IngestTrail* trail = nullptr;  // set by `policy explain`
};

IngestResult ingest(std::string_view body, WireFormat format, const IngestContext& ctx);

// The HTTP status the contract gives an outcome (interface.md): 202, 400, 403 or 413.
constexpr int http_status(IngestOutcome o) {
    switch (o) {
    case IngestOutcome::Accepted: return 202;
    case IngestOutcome::Forbidden: return 403;
    case IngestOutcome::TooLarge: return 413;
    case IngestOutcome::Pending:
    case IngestOutcome::Refused: break;
    }
    return 400;
}

// The structural gate after the policy, as serve applies it to a record the policy allowed (and
// `policy explain` too): the reader's own check (the XSD, for XML) and, for JSON, the type's JSON
// Schema over the record's canonical form. Its findings become d.problems; `canonical` receives
// the record's canonical JSON when it passes. Returns whether it passed.
bool structural_gate(const Snapshot& snapshot, const TypePolicy& type, WireFormat format, Melding& m, Decision& d, std::string& canonical);

// melding.duplicate-id for the record at `melding_index`: its meldingId was used before by this
// sender (in this message, or stored).
Problem duplicate_melding_id(std::size_t melding_index, const std::string& melding_id);

// Record id: 32 lower-case hex characters, time-ordered with 80 random bits.
std::string new_record_id();

}  // namespace dg
