// Views over the one Merkle-logged audit log, in the shapes the Dutch standards ask for: FSC's
// transaction log records (GET /v1/logs, each party its own requests), the register of processing
// activities derived from the policy (GET /v1/verwerkingsregister, AVG art. 30), and Logboek
// Dataverwerkingen's "lezen" answer (POST /v1/processing-activities, auditors). Nothing here is a
// second log: every line is computed from audit entries, and pupils appear only as pseudonyms.
#include <set>

#include "api/api.hpp"
#include "api/exchange.hpp"
#include "core/dates.hpp"
#include "core/identifiers.hpp"
#include "core/json_util.hpp"
#include "core/problem.hpp"

namespace dg {
namespace {

const char* member_text(const rapidjson::Value& v, const char* key) {
    const auto it = v.FindMember(key);
    return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// The span of one data subject within a request: derived from the request's span and the
// pseudonym, so that the log needs to keep no more than it does (LDV: a span per data subject).
std::string subject_span(std::string_view request_span, std::string_view pseudonym) {
    return sha256_hex(std::string("dpl-span\n") + std::string(request_span) + "\n" + std::string(pseudonym)).substr(0, 16);
}

std::string subject_type(std::string_view pseudonym) {
    if (pseudonym.starts_with("ps:bsn:")) return "bsn";
    if (pseudonym.starts_with("ps:onr:")) return "onderwijsnummer";
    return "onbekend";
}

void write_activity(JsonWriter& w, const rapidjson::Value& e, const std::string& subject, const PolicySet& policy) {
    const std::string span = member_text(e, "spanId"), purpose = member_text(e, "purpose");
    std::string activity = member_text(e, "processingActivity");
    std::string name = purpose;
    if (const ProcessingActivity* a = policy.activity(purpose)) {
        name = a->name;
        if (activity.empty()) activity = a->id;  // entries from before the register kept only the purpose
    }
    const std::string start = member_text(e, "time"), end = member_text(e, "endTime");
    const std::string outcome = member_text(e, "outcome");
    w.StartObject();
    write_kv(w, "traceId", member_text(e, "traceId"));
    write_kv(w, "spanId", subject_span(span, subject));
    write_kv(w, "parentSpanId", span);  // the request's span; its own parent is the caller's
    write_kv(w, "name", name);
    write_string(w, "startTime");
    w.Int64(rfc3339_epoch_ms(start).value_or(0));
    write_string(w, "endTime");
    w.Int64(rfc3339_epoch_ms(end.empty() ? start : end).value_or(0));
    write_kv(w, "status", outcome == "allowed" || outcome == "replayed" ? "STATUS_CODE_OK" : "STATUS_CODE_ERROR");
    write_string(w, "attributes");
    w.StartObject();
    write_kv(w, "dpl.core.processing_activity_id", activity);
    write_kv(w, "dpl.core.data_subject_id", subject);
    write_kv(w, "dpl.core.data_subject_id_type", subject_type(subject));
    w.EndObject();
    w.EndObject();
}

}  // namespace

void Api::logs(Exchange& x, std::string_view query) {
    std::vector<std::pair<std::string, std::string>> params;
    Problems bad;
    if (!parse_query(query, params)) bad.push_back({problem_code::kMessageSchema, "?", "query string is not well-formed", {}});
    std::optional<std::int64_t> after, before;
    std::set<std::string> transactions;
    std::size_t limit = 100;
    bool ascending = false;
    std::optional<std::uint64_t> cursor;
    for (const auto& [k, v] : params) {
        if (k == "after" || k == "before") {
            auto ms = rfc3339_epoch_ms(v);
            if (!ms && parse_date(v)) ms = rfc3339_epoch_ms(v + "T00:00:00Z");
            if (!ms) bad.push_back({problem_code::kMessageSchema, "?" + k, "a date (YYYY-MM-DD) or an RFC 3339 date-time", {}});
            (k == "after" ? after : before) = ms;
        } else if (k == "transactionIds") {
            for (std::size_t at = 0; at <= v.size();) {
                const auto comma = std::min(v.find(',', at), v.size());
                const std::string id = v.substr(at, comma - at);
                if (id.size() != 36 || id[14] != '7')
                    bad.push_back({problem_code::kMessageSchema, "?transactionIds", "a comma-separated list of UUIDv7", {}});
                transactions.insert(id);
                at = comma + 1;
            }
        } else if (k == "limit") {
            if (!query_limit(v, 1000, limit)) bad.push_back({problem_code::kMessageSchema, "?limit", "limit is 1..1000", {}});
        } else if (k == "cursor") {
            const bool ok = v.size() > 1 && v.size() <= 19 && v[0] == 'l' && v.find_first_not_of("0123456789", 1) == std::string::npos;
            if (!ok) bad.push_back({problem_code::kMessageSchema, "?cursor", "use the nextCursor of the previous page", {}});
            else cursor = std::stoull(v.substr(1));
        } else if (k == "sortOrder") {
            if (v != "asc" && v != "desc") bad.push_back({problem_code::kMessageSchema, "?sortOrder", "asc or desc", {}});
            ascending = v == "asc";
        } else {
            bad.push_back({problem_code::kMessageSchema, "?" + k, "unknown query parameter", {}});
        }
    }
    if (!bad.empty()) {
        for (const auto& p : bad) x.event.problem_codes.push_back(p.code);
        return finish(x, problem_response(400, "Bad query", "fix the query parameters", bad));
    }
    // Whose requests: the caller's own (as the party, or as the intermediary that acted); namens a
    // principal, the principal's.
    AuditQuery q;
    const std::string& oin = x.party->oin;
    q.any_of = {"\"partyOin\":\"" + oin + "\""};
    if (!x.intermediary) q.any_of.push_back("\"intermediaryOin\":\"" + oin + "\"");
    q.newest_first = !ascending;
    q.limit = 500;
    if (cursor) (ascending ? q.from : q.before) = ascending ? *cursor + 1 : *cursor;
    std::vector<std::pair<std::uint64_t, std::string>> page;  // index, record JSON
    bool more = false;
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    AuditLog& log = store_.audit();
    for (;;) {
        const auto rows = log.entries(q);
        for (const auto& row : rows) {
            rapidjson::Document e;
            e.Parse(row.entry.c_str());
            if (!e.IsObject()) continue;
            const std::string created = member_text(e, "time");
            const auto ms = rfc3339_epoch_ms(created);
            if ((after && (!ms || *ms < *after)) || (before && (!ms || *ms >= *before))) continue;
            if (!transactions.empty() && !transactions.count(member_text(e, "fscTransactionId"))) continue;
            if (page.size() == limit) {
                more = true;
                break;
            }
            const std::string via = member_text(e, "intermediaryOin"), party = member_text(e, "partyOin");
            rapidjson::StringBuffer rb;
            JsonWriter r(rb);
            r.StartObject();
            write_kv(r, "transactionId", member_text(e, "fscTransactionId"));
            write_kv(r, "direction", "DIRECTION_INCOMING");
            write_string(r, "source");
            r.StartObject();
            write_kv(r, "outwayPeerId", via.empty() ? party : via);   // who connected
            if (!via.empty()) write_kv(r, "delegatorPeerId", party);  // for whom (FSC delegation)
            r.EndObject();
            write_string(r, "destination");
            r.StartObject();
            write_kv(r, "servicePeerId", options_.peer_id);
            r.EndObject();
            write_kv(r, "serviceName", "doorstroom-gateway");
            write_kv(r, "operation", member_text(e, "action"));
            write_kv(r, "createdAt", created);
            write_string(r, "status");
            r.Int(e.HasMember("status") && e["status"].IsInt() ? e["status"].GetInt() : 0);
            r.EndObject();
            page.emplace_back(row.index, std::string(rb.GetString(), rb.GetSize()));
        }
        if (more || rows.size() < q.limit) break;
        (ascending ? q.from : q.before) = ascending ? rows.back().index + 1 : rows.back().index;
    }
    w.StartObject();
    write_string(w, "records");
    w.StartArray();
    for (const auto& [index, json] : page) w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    w.EndArray();
    write_string(w, "pagination");
    w.StartObject();
    write_string(w, "nextCursor");
    if (more) write_string(w, "l" + std::to_string(page.back().first));
    else w.Null();
    w.EndObject();
    w.EndObject();
    finish(x, json_response(200, {buf.GetString(), buf.GetSize()}));
}

void Api::processing_register(Exchange& x) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartArray();
    for (const auto& a : x.snapshot->policy->processing_register()) {
        w.StartObject();
        write_kv(w, "id", a.id);
        write_kv(w, "name", a.name);
        write_kv(w, "purpose", a.purpose);
        write_kv(w, "legalBasis", a.legal_basis);
        for (const auto& [key, list] : {std::pair{"dataCategories", &a.data_categories}, std::pair{"recipients", &a.recipients}}) {
            write_string(w, key);
            w.StartArray();
            for (const auto& item : *list) write_string(w, item);
            w.EndArray();
        }
        write_kv(w, "retention", a.retention);
        write_kv(w, "policyVersion", a.policy_version);
        w.EndObject();
    }
    w.EndArray();
    finish(x, json_response(200, {buf.GetString(), buf.GetSize()}));
}

// LDV "lezen" v1.1: by data subject (its pseudonym is what the log holds) or by trace id, in an
// optional time window; one line per data subject per request.
void Api::processing_activities(Exchange& x, const Request& req) {
    rapidjson::Document d;
    d.Parse(req.body().data(), req.body().size());
    Problems bad;
    auto refuse = [&]() {
        for (const auto& p : bad) x.event.problem_codes.push_back(p.code);
        finish(x, problem_response(400, "Bad request", "fix the body", bad));
    };
    if (d.HasParseError() || !d.IsObject()) {
        bad.push_back({problem_code::kMessageMalformed, "", "send a JSON object with dpl.core.data_subject_id (+ _type) or traceId", {}});
        return refuse();
    }
    std::string id, type, trace;
    std::optional<std::int64_t> start, end;
    for (const auto& m : d.GetObject()) {
        const std::string key(m.name.GetString(), m.name.GetStringLength());
        const std::string path = "/" + key;
        if (key == "dpl.core.data_subject_id" || key == "dpl.core.data_subject_id_type" || key == "traceId") {
            if (!m.value.IsString()) {
                bad.push_back({problem_code::kMessageSchema, path, "must be a string", {}});
                continue;
            }
            (key == "traceId" ? trace : key == "dpl.core.data_subject_id" ? id : type) = m.value.GetString();
        } else if (key == "startTime" || key == "endTime") {
            if (!m.value.IsInt64() || m.value.GetInt64() < 0)
                bad.push_back({problem_code::kMessageSchema, path, "milliseconds since 1970 (an integer)", {}});
            else (key == "startTime" ? start : end) = m.value.GetInt64();
        } else {
            bad.push_back({problem_code::kMessageSchema, path, "unknown field", {}});
        }
    }
    if (id.empty() && trace.empty())
        bad.push_back({problem_code::kMessageSchema, "/dpl.core.data_subject_id", "give dpl.core.data_subject_id (with its _type) or traceId", {}});
    if (!id.empty()) {
        if (type == "bsn") {
            if (!bsn_valid(id)) bad.push_back({problem_code::kBsnChecksum, "/dpl.core.data_subject_id", "BSN fails the 11-proef", {}});
        } else if (type == "onderwijsnummer") {
            if (!onderwijsnummer_valid(id))
                bad.push_back({problem_code::kOnderwijsnummerChecksum, "/dpl.core.data_subject_id", "onderwijsnummer fails its check", {}});
        } else {
            bad.push_back({problem_code::kMessageSchema, "/dpl.core.data_subject_id_type", "bsn or onderwijsnummer", {}});
        }
    } else if (!type.empty()) {
        bad.push_back({problem_code::kMessageSchema, "/dpl.core.data_subject_id", "a _type without the id", {}});
    }
    if (!trace.empty() && (trace.size() != 32 || !lower_hex(trace)))
        bad.push_back({problem_code::kMessageSchema, "/traceId", "32 lower-case hex digits (W3C trace id)", {}});
    if (start && end && *start > *end) bad.push_back({problem_code::kMessageSchema, "/endTime", "before startTime", {}});
    if (!bad.empty()) return refuse();

    const std::string subject = id.empty() ? std::string() : pseudonymize_(type + ":" + id);
    if (!subject.empty()) x.event.subjects.push_back(subject);  // this read is about that pupil
    std::vector<AuditRow> rows;
    if (!subject.empty()) {
        rows = store_.audit().entries_mentioning(subject);
    } else {
        AuditQuery q;
        q.any_of = {"\"traceId\":\"" + trace + "\""};
        q.limit = 100000;
        rows = store_.audit().entries(q);
    }
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    write_string(w, "processingActivities");
    w.StartArray();
    bool trace_seen = false;
    for (const auto& row : rows) {
        rapidjson::Document e;
        e.Parse(row.entry.c_str());
        if (!e.IsObject() || !e.HasMember("subjects") || !e["subjects"].IsArray()) continue;
        if (!trace.empty() && trace != member_text(e, "traceId")) continue;
        trace_seen = true;
        const auto ms = rfc3339_epoch_ms(member_text(e, "time"));
        if ((start && (!ms || *ms < *start)) || (end && (!ms || *ms > *end))) continue;
        for (const auto& s : e["subjects"].GetArray()) {
            const std::string pseudonym = s.GetString();
            if (!subject.empty() && pseudonym != subject) continue;
            write_activity(w, e, pseudonym, *x.snapshot->policy);
        }
    }
    w.EndArray();
    w.EndObject();
    if (!subject.empty() && !trace.empty() && !trace_seen) {
        bad.push_back({problem_code::kMessageSchema, "/traceId", "no processing of this data subject under this trace id", {}});
        return refuse();
    }
    finish(x, json_response(200, {buf.GetString(), buf.GetSize()}));
}

}  // namespace dg
