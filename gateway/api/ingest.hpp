#pragma once
// The ingest pipeline without I/O: bytes of a bericht -> canonical records -> checks and policy
// per record -> routed records ready to store, plus every problem found.
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

struct IngestResult {
    int status = 0;  // 202 when any record is accepted; else 400/403/413
    Problems message_problems;
    Envelope envelope;
    const TypePolicy* type = nullptr;
    std::vector<ReceiptRow> records;     // every accepted record
    std::vector<StoredRecord> accepted;  // filled only when no AcceptedRecords sink is given
    std::vector<RejectedRecord> rejected;
    std::vector<std::string> subjects;  // pseudonyms of every record seen
    std::size_t records_seen = 0;
    // SHA-256 of the message as the gateway understood it: envelope and canonical records, the
    // same whatever the wire format, whitespace or key order (a replay is judged on this).
    std::string content_hash;
};

struct IngestContext {
    const Snapshot& snapshot;
    const Pseudonymizer& pseudonymize;
    ParseLimits limits;
    const Party* sender = nullptr;  // nullptr: offline validation, sender rules not applied
    std::string received_at;        // RFC 3339 UTC
    AcceptedRecords* sink = nullptr;  // nullptr: keep accepted records in IngestResult::accepted
};

IngestResult ingest(std::string_view body, WireFormat format, const IngestContext& ctx);

// Record id: 32 lower-case hex characters, time-ordered with 80 random bits.
std::string new_record_id();

}  // namespace dg
