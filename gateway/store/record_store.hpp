#pragma once
// Where accepted records and audit entries go. Writes are group-committed: many requests share
// one transaction and one fsync, and each request is told only after its commit.
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_log.hpp"
#include "store/store_error.hpp"

namespace dg {

// What storing a record does besides keeping it (the policy's "effect" of its berichttype;
// store/effects.hpp applies it, once for every backend).
enum class RecordEffect {
    None,      // a report of its own, active in its region's caseload
    Withdraw,  // the target leaves every caseload, stays as a tombstone with status new_status
    Move,      // every active record of the subject in from_gemeente moves to this record's region;
               // a region it leaves keeps a notice (no content, status new_status) with the record's id
    Status,    // sets the status of the target, or of the subject's records in the region
    Change,    // the target's content becomes new_data (retention new_retention); its history names changed_fields
};

// Which of a subject's records a Status effect without a target concerns: those of this type
// whose content has these values (field paths '/'-separated; booleans "true"/"false").
// The rapportage's extra grouping per berichttype: the field path ("a/b") whose value it counts by.
using ReportDetails = std::vector<std::pair<std::string, std::string>>;

struct EffectScope {
    std::string berichttype;
    std::vector<std::pair<std::string, std::string>> when;
};

struct StoredRecord {
    std::int64_t seq = 0;  // store order; the caseload cursor
    std::string id;        // 32 hex chars, random
    std::string region, region_name, gemeente;
    std::string berichttype, status;
    std::string sender_oin, bericht_id, melding_id;
    std::string intermediary_oin;  // who sent it for sender_oin (Namens), "" when the sender did
    std::string subject;           // pseudonym of the pupil, never the number
    std::string received_at;
    std::string legal_basis, purpose, policy_version, retention_until;
    std::string data;  // canonical JSON of the record (melding_to_json)
    bool active = true;
    RecordEffect effect = RecordEffect::None;
    std::string target_id;                                           // Withdraw/Status: the record it concerns
    std::string new_status;                                          // Status: the status set; Withdraw: the tombstone's; Move: the notice's
    std::string from_gemeente;                                       // Move: only records in this gemeente move
    std::string notice_until;                                        // Move: retention of that notice
    std::shared_ptr<const std::vector<EffectScope>> status_of = {};  // Status without target: only these (none: every active record)
    std::string reason_key = {}, reason = {};                        // Status: named in each target's history as reason_key: reason
    std::string new_data = {}, new_retention = {};                   // Change: the target's content and retention as changed
    std::vector<std::string> changed_fields = {};                    // Change: which fields (their paths, never their values)
    std::size_t melding_index = 0;                                   // position in the message it came in (not stored)
};

struct HistoryEvent {
    std::string time, event, detail;  // event: created | moved | status | withdrawn
};

// Everything one request writes, committed atomically with its audit entries.
// An accepted message, kept for idempotency: a replay of (sender, berichtId) with the same
// content gets this receipt again; other content under the same id is a conflict.
struct MessageRow {
    std::string sender_oin, bericht_id, content_hash, receipt, received_at;
    // Set for a message to be stored: the store calls it inside the commit with the index its
    // audit entry gets, and keeps (and reports in CommitResult::receipt) what it returns: the
    // receipt that names, and is signed over, that index.
    std::function<void(std::uint64_t audit_index, std::string& receipt)> seal = {};
};

// A record whose retention ended, to delete with its history.
struct PurgeItem {
    std::string id, region;
};

struct WriteBatch {
    std::vector<StoredRecord> records;
    std::vector<std::string> audit_entries;  // canonical JSON texts
    std::optional<MessageRow> message;       // set for an accepted message
    std::vector<PurgeItem> purge;            // records (and their history) to delete: retention ended
    std::optional<SignedHead> head;          // a signed tree head to keep
    // Audit retention. Set (to a time): the log up to and including this batch's entries becomes a
    // closed period. Above 0: entries below this index go, with the heads and subtrees of that
    // prefix but its edge (AuditLog::removed_before); never past a closed period.
    std::string close_audit_period = {};
    std::uint64_t remove_audit_before = 0;
};

struct CommitResult {
    bool ok = false;
    bool duplicate = false;      // the message's (sender, berichtId) was stored meanwhile: nothing written
    std::string error;           // for logs and metrics; not shown to clients
    bool busy = false;           // refused unwritten: the write queue was full (back-pressure, not a failure)
    bool melding_taken = false;  // a (sender, meldingId) of the batch was stored meanwhile: nothing written
    std::string receipt = {};    // the sealed receipt of the batch's message (MessageRow::seal), when it had one
};

using CommitCallback = std::function<void(const CommitResult&)>;

struct CaseloadQuery {
    std::string region;                                // always set: the caller's own region
    std::string berichttype, gemeente, status, since;  // optional filters ("" = any)
    std::vector<std::string> berichttypen;             // the types the caller may read (empty = any)
    std::size_t limit = 50;
    std::optional<std::int64_t> before_seq;  // cursor: only records older than this
    bool include_inactive = false;           // also tombstones and notices (regions export), not only the caseload
};

// What one sender sent, newest first (GET /v1/meldingen): every record under its OIN, in any
// region, but not the notices a move leaves behind. Paged by (received_at, id).
struct SentQuery {
    std::string sender_oin;
    std::string status, since;               // optional filters ("" = any)
    std::string before_received, before_id;  // cursor: records older than this one
    std::size_t limit = 100;
};

struct CaseloadPage {
    std::vector<StoredRecord> items;
    std::optional<std::int64_t> next_before;  // cursor of the next page, if any
};

// One large message written as a stream: rows arrive in chunks while the message is still being
// judged, and are committed together with the message's audit entries in one transaction — or
// rolled back, with the audit entries still committed (a refusal is audited too).
class BulkWrite {
public:
    virtual ~BulkWrite() = default;
    virtual void add(std::vector<StoredRecord>&& chunk) = 0;  // blocks while the writer is behind
    virtual void finish(bool commit, std::vector<std::string> audit_entries, std::optional<MessageRow> message, CommitCallback done) = 0;
};

// Reads throw StoreError (store/store_error.hpp) when the store cannot answer; writes report through CommitResult.
// Every read that returns records is scoped to one region (and, when `gemeente` is given, to the
// records of that gemeente: a gemeente reads its own residents), except the look-ups the writer
// side needs (by meldingId, by message, expired records). PostgreSQL enforces both scopes with
// row-level security as well.
class RecordStore {
public:
    virtual ~RecordStore() = default;
    // Queues the batch; `done` runs (on the store's thread) once it is durable or has failed.
    virtual void submit(WriteBatch batch, CommitCallback done) = 0;
    // One large message, written as it is judged and committed (or rolled back) at finish().
    virtual std::unique_ptr<BulkWrite> begin_bulk() = 0;
    virtual CaseloadPage caseload(const CaseloadQuery& query) = 0;
    struct SummaryRow {
        std::string berichttype, gemeente, status;
        std::uint64_t count = 0;
    };
    virtual std::vector<SummaryRow> summary(const std::string& region, const std::string& gemeente = {}) = 0;
    // Counts of the records of a region (one gemeente, when given) received on the days [from, to)
    // (YYYY-MM-DD, UTC), per gemeente × berichttype × status, and per the value at `details[type]`
    // (a field path of the record, "a/b") for the types listed: the policy's reportBy. A notice a
    // move left behind is not counted. When `details` are those the store was opened with
    // (StoreOptions::report_details) the counts come from what the store keeps per day, whatever
    // the number of records; otherwise (a policy reloaded with other reportBy) from the records.
    struct ReportQuery {
        std::string region, gemeente, from, to;
        ReportDetails details;
        std::vector<std::string> closed_statuses;  // besides inactive records, these count as closed
    };
    struct ReportRow {
        std::string gemeente, berichttype, status, detail;
        std::uint64_t received = 0, active = 0, closed = 0;
    };
    virtual std::vector<ReportRow> report(const ReportQuery& query) = 0;
    // Active records of one pupil (by pseudonym) within one region, newest first.
    virtual std::vector<StoredRecord> records_of_subject(const std::string& subject, const std::string& region, const std::string& gemeente = {}) = 0;
    // Records (active or not) with this meldingId, from any sender, in any region.
    virtual std::vector<StoredRecord> find_by_melding_id(const std::string& melding_id) = 0;
    // Up to query.limit + 1 records (one more tells that there is a next page).
    virtual std::vector<StoredRecord> sent_by(const SentQuery& query) = 0;
    // One record (active or not) of one region.
    virtual std::optional<StoredRecord> find_record(const std::string& id, const std::string& region, const std::string& gemeente = {}) = 0;
    virtual std::vector<HistoryEvent> history(const std::string& id, const std::string& region) = 0;
    // Records whose retention ended before `today` (ISO date), active or tombstone, at most `limit`.
    virtual std::vector<StoredRecord> expired(const std::string& today, std::size_t limit) = 0;
    virtual std::optional<MessageRow> find_message(const std::string& sender_oin, const std::string& bericht_id) = 0;
    // Which of `melding_ids` this sender used already (in committed messages). A meldingId is
    // unique per sender: the store refuses a batch that would use one twice (melding_taken).
    virtual std::vector<std::string> melding_ids_taken(const std::string& sender_oin, const std::vector<std::string>& melding_ids) = 0;
    // The tamper-evident log the store appends audit entries to.
    virtual AuditLog& audit() = 0;
    // The last write succeeded and the store can be reached.
    virtual bool ready() const = 0;
    // Writes an empty transaction to find out whether the store works again; updates ready().
    virtual void probe() = 0;
    // Commits what is queued and stops accepting writes.
    virtual void close() = 0;
    // Upkeep off the request path, called every few seconds by the service (PostgreSQL: folds the
    // rapportage's per-statement counts into its per-day counts).
    virtual void maintain() {}
};

struct StoreOptions {
    bool read_only = false;  // for audit verify: no schema changes, no recovery, no writer
    // The policy's reportBy (berichttype -> field path) the store keeps the rapportage's per-day
    // counts by; when they differ from what the store holds, the counts are rebuilt at open. Unset
    // (commands, benches): the store counts by what it was last opened with.
    std::optional<ReportDetails> report_details;
    std::size_t max_group = 512;    // requests per transaction at most
    std::size_t readers = 4;        // read connections (per region file for SQLite)
    std::size_t max_queue = 20000;  // requests waiting for the writer at most; more are refused as busy
};

// "sqlite:DIR", "postgresql://…" or "postgres://…" (a libpq URL). Throws std::runtime_error with
// the reason when the store cannot be opened.
std::unique_ptr<RecordStore> open_store(const std::string& url, const StoreOptions& options = {});

// Submits the batch and waits until it is durable or has failed (commands and rare writes, never
// a request's hot path).
inline CommitResult commit_and_wait(RecordStore& store, WriteBatch batch) {
    std::promise<CommitResult> done;
    auto committed = done.get_future();
    store.submit(std::move(batch), [&done](const CommitResult& c) { done.set_value(c); });
    return committed.get();
}

}  // namespace dg
