#include "store/effects.hpp"

#include <initializer_list>
#include <utility>

#include "core/json_util.hpp"

namespace dg {
namespace history {
namespace {

std::string object(std::initializer_list<std::pair<const char*, const std::string&>> fields) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    for (const auto& [k, v] : fields) write_kv(w, k, v);
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

}  // namespace

std::string withdrawn(const StoredRecord& by) { return object({{by.berichttype.c_str(), by.id}}); }

std::string status(const StoredRecord& by) { return object({{"status", by.new_status}, {by.berichttype.c_str(), by.id}}); }

std::string moved(const StoredRecord& rec, const StoredRecord& by) {
    return object({{"fromRegion", rec.region}, {"fromGemeente", rec.gemeente}, {"toRegion", by.region},
                   {"toGemeente", by.gemeente}, {by.berichttype.c_str(), by.id}});
}

}  // namespace history

namespace {

// Every active record of the pupil in r.from_gemeente goes to r's region and gemeente. One that
// changes region takes its history along and leaves a notice under its id where it was (status
// r.new_status, no content, retention r.notice_until, the move in its history).
void move(RecordTxn& tx, const StoredRecord& r) {
    for (const StoredRecord& rec : tx.active_of_subject(r.subject, r.from_gemeente, r.id, r.region, r.gemeente)) {
        const std::string detail = history::moved(rec, r);
        if (rec.region == r.region) {
            tx.set_gemeente(rec.id, rec.region, r.gemeente);
            tx.append_history(rec.id, rec.region, r.received_at, "moved", detail);
            continue;
        }
        tx.relocate(rec, r.region, r.region_name, r.gemeente);
        tx.append_history(rec.id, r.region, r.received_at, "moved", detail);
        StoredRecord notice = rec;
        notice.status = r.new_status;
        notice.data = "null";
        notice.retention_until = r.notice_until;
        notice.active = false;
        notice.effect = RecordEffect::None;
        tx.insert(notice);
        tx.append_history(rec.id, rec.region, r.received_at, "moved", detail);
    }
}

}  // namespace

void apply_record(RecordTxn& tx, const StoredRecord& r) {
    // A move is the newest event of the region it moves records to: those come in first.
    if (r.effect == RecordEffect::Move) move(tx, r);
    tx.insert(r);
    switch (r.effect) {
    case RecordEffect::None:
    case RecordEffect::Move: return;
    case RecordEffect::Withdraw:
        if (const auto region = tx.find_active(r.target_id, r.region)) {
            tx.tombstone(r.target_id, *region, r.new_status, r.retention_until);
            tx.append_history(r.target_id, *region, r.received_at, "withdrawn", history::withdrawn(r));
        }
        return;
    case RecordEffect::Status:
        // The status record itself is stored inactive, so it is never among the targets.
        for (const auto& id : tx.active_in_region(r.region, r.target_id, r.subject)) {
            tx.append_history(id, r.region, r.received_at, "status", history::status(r));
            tx.set_status(id, r.region, r.new_status);
        }
        return;
    }
}

}  // namespace dg
