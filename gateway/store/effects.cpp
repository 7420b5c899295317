#include "store/effects.hpp"

#include <algorithm>
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

std::string status(const StoredRecord& by) {
    if (by.reason_key.empty()) return object({{"status", by.new_status}, {by.berichttype.c_str(), by.id}});
    return object({{"status", by.new_status}, {by.reason_key.c_str(), by.reason}, {by.berichttype.c_str(), by.id}});
}

std::string moved(const StoredRecord& rec, const StoredRecord& by) {
    return object({{"fromRegion", rec.region},
                   {"fromGemeente", rec.gemeente},
                   {"toRegion", by.region},
                   {"toGemeente", by.gemeente},
                   {by.berichttype.c_str(), by.id}});
}

std::string changed(const StoredRecord& by) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    write_string(w, "fields");
    w.StartArray();
    for (const auto& f : by.changed_fields) write_string(w, f);
    w.EndArray();
    write_kv(w, by.berichttype.c_str(), by.id);
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

}  // namespace history

namespace {

// The value at a '/'-separated path of a record's parsed canonical JSON, as the policy writes
// values (strings as they are, booleans "true"/"false"); nullopt when absent or of another kind.
std::optional<std::string> content_value(const rapidjson::Document& doc, const std::string& path) {
    if (!doc.IsObject()) return std::nullopt;
    const rapidjson::Value* v = &doc;
    for (std::size_t at = 0; at <= path.size();) {
        const std::size_t end = std::min(path.find('/', at), path.size());
        if (!v->IsObject()) return std::nullopt;
        const auto it = v->FindMember(rapidjson::Value(path.data() + at, static_cast<rapidjson::SizeType>(end - at)));
        if (it == v->MemberEnd()) return std::nullopt;
        v = &it->value;
        at = end + 1;
    }
    if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
    if (v->IsBool()) return std::string(v->GetBool() ? "true" : "false");
    return std::nullopt;
}

bool concerns(const std::vector<EffectScope>& scopes, const StoredRecord& rec) {
    std::optional<rapidjson::Document> doc;  // the content, parsed once when a scope looks at it
    for (const auto& s : scopes) {
        if (s.berichttype != rec.berichttype) continue;
        if (!s.when.empty() && !doc) doc.emplace().Parse(rec.data.data(), rec.data.size());
        bool all = true;
        for (const auto& [path, value] : s.when) all = all && content_value(*doc, path) == value;
        if (all) return true;
    }
    return false;
}

// Every active record of the pupil in r.from_gemeente goes to r's region and gemeente. One that
// changes region takes its history along and leaves a notice under its id where it was (status
// r.new_status, no content, retention r.notice_until, the move in its history).
void move(RecordTxn& tx, const StoredRecord& r) {
    for (const StoredRecord& rec : tx.active_of_subject(r.subject, r.from_gemeente, r.id, r.region, r.gemeente)) {
        const std::string detail = history::moved(rec, r);
        if (rec.region == r.region) {
            tx.set_gemeente(rec, r.gemeente);
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
    case RecordEffect::Change:
        // Judged against the record as it was read; one withdrawn meanwhile stays as it is.
        if (const auto region = tx.find_active(r.target_id, r.region)) {
            tx.change_content(r.target_id, *region, r.new_data, r.new_retention);
            tx.append_history(r.target_id, *region, r.received_at, "changed", history::changed(r));
        }
        return;
    case RecordEffect::Status:
        // The status record itself is stored inactive, so it is never among the targets.
        for (const StoredRecord& rec : tx.active_in_region(r.region, r.target_id, r.subject)) {
            if (rec.id == r.id || (r.status_of && !concerns(*r.status_of, rec))) continue;
            tx.append_history(rec.id, r.region, r.received_at, "status", history::status(r));
            tx.set_status(rec, r.new_status);
        }
        return;
    }
}

}  // namespace dg
