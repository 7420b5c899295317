#pragma once
// What storing a record does besides keeping it, written once for every backend: each backend
// offers the narrow transactional operations below (inside the transaction that stores the
// record), and apply_record() drives them from the record's effect, as the policy set it at
// ingest. Neither this file nor a backend names a berichttype or a status: those come with the
// record (its berichttype, its new_status), from policies/.
#include <optional>
#include <string>
#include <vector>

#include "store/record_store.hpp"

namespace dg {

class RecordTxn {
public:
    virtual ~RecordTxn() = default;
    // Stores the record in r.region (active or not, as r.active says).
    virtual void insert(const StoredRecord& r) = 0;
    // The region holding an active record with this id (`hint` looked at first), if any.
    virtual std::optional<std::string> find_active(const std::string& id, const std::string& hint) = 0;
    // The active records of `region` that are `id` or, when `id` is empty, of `subject`, oldest first.
    virtual std::vector<StoredRecord> active_in_region(const std::string& region, const std::string& id, const std::string& subject) = 0;
    // Active records of `subject` in `gemeente`, in any region, except `except_id` and those
    // already in (to_region, to_gemeente), oldest first, with every column.
    virtual std::vector<StoredRecord> active_of_subject(const std::string& subject, const std::string& gemeente, const std::string& except_id,
                                                        const std::string& to_region, const std::string& to_gemeente) = 0;
    // `rec`: the record as read in this transaction (by active_in_region or active_of_subject).
    virtual void set_status(const StoredRecord& rec, const std::string& status) = 0;
    virtual void set_gemeente(const StoredRecord& rec, const std::string& gemeente) = 0;
    // The active record leaves every caseload and stays as a tombstone with this status and retention.
    virtual void tombstone(const std::string& id, const std::string& region, const std::string& status, const std::string& retention_until) = 0;
    // Moves the active record `rec` (in rec.region) with its history to another region and gemeente,
    // where it arrives as new (the newest in that region's order).
    virtual void relocate(const StoredRecord& rec, const std::string& to_region, const std::string& to_region_name,
                          const std::string& to_gemeente) = 0;
    // The active record's content and retention are replaced.
    virtual void change_content(const std::string& id, const std::string& region, const std::string& data, const std::string& retention_until) = 0;
    virtual void append_history(const std::string& id, const std::string& region, const std::string& time, const char* event,
                                const std::string& detail) = 0;
};

// Stores `r` and applies its effect, in the transaction `tx` belongs to.
void apply_record(RecordTxn& tx, const StoredRecord& r);

// The detail of each history event (the API passes it on as JSON): the record that caused it is
// named under its own berichttype, e.g. {"status": "...", "<berichttype>": "<record id>"}.
namespace history {
std::string withdrawn(const StoredRecord& by);
std::string status(const StoredRecord& by);
std::string moved(const StoredRecord& rec, const StoredRecord& by);
std::string changed(const StoredRecord& by);
}  // namespace history

}  // namespace dg
