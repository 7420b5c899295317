// GET /v1/meldingen: a sender reads back what it sent — each record with its current status, whether
// it is still active, and what happened to it and when, by which role. Never the content others
// added (a trajectmelding's toelichting) nor another sender's records; a mandate's principal and
// its intermediary see the same list (the records are the principal's).
#include <tuple>

#include "api/api.hpp"
#include "api/exchange.hpp"
#include "core/dates.hpp"
#include "core/json_util.hpp"
#include "core/problem.hpp"

namespace dg {
namespace {

// Cursor "m<17 digits of receivedAt><32 hex id>", from and to the record's (receivedAt, id).
std::string cursor_of(const StoredRecord& r) {
    std::string digits;
    for (char c : r.received_at)
        if (c >= '0' && c <= '9') digits += c;
    return "m" + digits + r.id;
}

bool from_cursor(std::string_view c, std::string& received_at, std::string& id) {
    if (c.size() != 1 + 17 + 32 || c[0] != 'm') return false;
    const auto d = c.substr(1, 17);
    if (d.find_first_not_of("0123456789") != std::string_view::npos) return false;
    id = std::string(c.substr(18));
    if (id.find_first_not_of("0123456789abcdef") != std::string::npos) return false;
    received_at = std::string(d.substr(0, 4)) + "-" + std::string(d.substr(4, 2)) + "-" + std::string(d.substr(6, 2)) + "T" +
                  std::string(d.substr(8, 2)) + ":" + std::string(d.substr(10, 2)) + ":" + std::string(d.substr(12, 2)) + "." +
                  std::string(d.substr(14, 3)) + "Z";
    return true;
}

// What a history event's detail says a sender may see: the new status, if any, and the record that
// caused the event, named under its berichttype ({"trajectmelding": id}, …: store/effects.cpp), to
// name the role that sent it.
struct EventDetail {
    std::string status, cause;
};

EventDetail detail_of(const std::string& detail, const PolicySet& policy) {
    EventDetail out;
    rapidjson::Document d;
    d.Parse(detail.c_str());
    if (!d.IsObject()) return out;
    if (d.HasMember("status") && d["status"].IsString()) out.status = d["status"].GetString();
    for (const auto& m : d.GetObject())
        if (m.value.IsString() && policy.type(std::string_view(m.name.GetString(), m.name.GetStringLength()))) out.cause = m.value.GetString();
    return out;
}

}  // namespace

void Api::meldingen(Exchange& x, std::string_view query) {
    std::vector<std::pair<std::string, std::string>> params;
    Problems bad;
    if (!parse_query(query, params)) bad.push_back({problem_code::kMessageSchema, "?", "query string is not well-formed", {}});
    SentQuery q;
    q.sender_oin = x.party->oin;
    q.limit = 100;
    for (const auto& [k, v] : params) {
        if (status_or_since(k, v, q.status, q.since, bad)) {  // taken as it says
        } else if (k == "limit") {
            if (!query_limit(v, 100, q.limit)) bad.push_back({problem_code::kMessageSchema, "?limit", "limit is 1..100", {}});
        } else if (k == "cursor") {
            if (!from_cursor(v, q.before_received, q.before_id))
                bad.push_back({problem_code::kMessageSchema, "?cursor", "use the nextCursor of the previous page", {}});
        } else {
            bad.push_back({problem_code::kMessageSchema, "?" + k, "unknown query parameter", {}});
        }
    }
    if (!bad.empty()) {
        for (const auto& p : bad) x.event.problem_codes.push_back(p.code);
        return finish(x, problem_response(400, "Bad query", "fix the query parameters", bad));
    }
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    auto records = store_.sent_by(q);
    const bool more = records.size() > q.limit;
    if (more) records.resize(q.limit);
    auto role_of = [&](const std::string& oin) {
        const Party* p = x.snapshot->parties->find(oin);
        return p ? p->role : std::string("onbekend");
    };
    w.StartObject();
    write_string(w, "items");
    w.StartArray();
    for (const auto& r : records) {
        x.event.record_ids.push_back(r.id);
        if (!r.subject.empty()) x.event.subjects.push_back(r.subject);
        w.StartObject();
        write_kv(w, "id", r.id);
        write_kv(w, "meldingId", r.melding_id);
        write_kv(w, "berichtId", r.bericht_id);
        write_kv(w, "berichttype", r.berichttype);
        write_kv(w, "receivedAt", r.received_at);
        write_kv(w, "status", r.status);
        write_string(w, "active");
        w.Bool(r.active);
        if (!r.intermediary_oin.empty()) write_kv(w, "intermediaryOin", r.intermediary_oin);
        // What happened to it: when, what, and by which role (never what the others wrote).
        write_string(w, "history");
        w.StartArray();
        w.StartObject();
        write_kv(w, "time", r.received_at);
        write_kv(w, "event", "received");
        write_kv(w, "status", "geregistreerd");
        write_kv(w, "by", role_of(r.sender_oin));
        w.EndObject();
        for (const auto& h : store_.history(r.id, r.region)) {
            w.StartObject();
            write_kv(w, "time", h.time);
            write_kv(w, "event", h.event);
            const EventDetail d = detail_of(h.detail, *x.snapshot->policy);
            if (!d.status.empty()) write_kv(w, "status", d.status);
            const auto by = d.cause.empty() ? std::nullopt : store_.find_record(d.cause, r.region);
            write_kv(w, "by", by ? role_of(by->sender_oin) : std::string("onbekend"));
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    write_string(w, "nextCursor");
    if (more) write_string(w, cursor_of(records.back()));
    else w.Null();
    w.EndObject();
    finish(x, json_response(200, {buf.GetString(), buf.GetSize()}));
}

}  // namespace dg
