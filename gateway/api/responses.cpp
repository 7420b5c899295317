#include "api/responses.hpp"

#include "core/json_util.hpp"

namespace dg {
namespace {

void write_problem(JsonWriter& w, const Problem& p) {
    w.StartObject();
    write_kv(w, "code", p.code);
    write_kv(w, "path", p.path);
    write_kv(w, "detail", p.detail);
    if (!p.melding_id.empty()) write_kv(w, "meldingId", p.melding_id);
    w.EndObject();
}

void write_problems(JsonWriter& w, const Problems& problems) {
    w.StartArray();
    for (const auto& p : problems) write_problem(w, p);
    w.EndArray();
}

// The problems an answer lists, the message's then each listed record's, written where they are
// (a 100 000-record answer lists thousands: no copy of them).
void write_listed(JsonWriter& w, const IngestResult& r) {
    w.StartArray();
    for (const auto& p : r.message_problems) write_problem(w, p);
    for (const auto& rej : r.rejected)
        for (const auto& p : rej.problems) write_problem(w, p);
    w.EndArray();
}

const Problem* first_listed(const IngestResult& r) {
    if (!r.message_problems.empty()) return &r.message_problems.front();
    for (const auto& rej : r.rejected)
        if (!rej.problems.empty()) return &rej.problems.front();
    return nullptr;
}

// "truncated": true and "omitted": {code: count} when not every problem is listed.
void write_omitted(JsonWriter& w, const IngestResult& r) {
    if (!r.truncated()) return;
    write_string(w, "truncated");
    w.Bool(true);
    write_string(w, "rejectedTotal");
    w.Uint64(r.rejected_total);
    write_string(w, "omitted");
    w.StartObject();
    for (const auto& [code, n] : r.omitted) {
        write_string(w, code);
        w.Uint64(n);
    }
    w.EndObject();
}

}  // namespace

void standard_headers(Response& res) {
    res.set("API-Version", kApiVersion);
    if (res.find(http::field::cache_control) == res.end()) res.set(http::field::cache_control, "no-store");  // answers hold personal data
    res.set(http::field::strict_transport_security, "max-age=31536000; includeSubDomains");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    if (res.find("Content-Security-Policy") == res.end()) res.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
}

Response json_response(int status, std::string body) {
    Response res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "application/json");
    standard_headers(res);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

std::string problems_json(const Problems& problems) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    write_problems(w, problems);
    return {buf.GetString(), buf.GetSize()};
}

namespace {

// `problems` listed, or (when `r` is given) every problem `r` lists.
Response problem_with(int status, std::string_view title, std::string_view detail, const Problems& problems, const IngestResult* r) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    const Problem* first = r ? first_listed(*r) : problems.empty() ? nullptr : &problems.front();
    write_kv(w, "type", "urn:x-doorstroom-gateway:problem:" + (first ? first->code : std::string("http-") + std::to_string(status)));
    write_kv(w, "title", title);
    write_string(w, "status");
    w.Int(status);
    write_kv(w, "detail", detail);
    write_string(w, "errors");
    if (r) write_listed(w, *r);
    else write_problems(w, problems);
    if (r) write_omitted(w, *r);
    w.EndObject();
    Response res = json_response(status, {buf.GetString(), buf.GetSize()});
    res.set(http::field::content_type, "application/problem+json");
    return res;
}

}  // namespace

Response problem_response(int status, std::string_view title, std::string_view detail, const Problems& problems) {
    return problem_with(status, title, detail, problems, nullptr);
}

Response refusal_response(int status, std::string_view title, std::string_view detail, const IngestResult& r) {
    return problem_with(status, title, detail, {}, &r);
}

std::string validation_json(const IngestResult& r) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    write_string(w, "valid");
    w.Bool(r.message_problems.empty() && r.rejected_total == 0);
    write_string(w, "errors");
    write_listed(w, r);
    write_omitted(w, r);
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

std::string receipt_json(const IngestResult& r, std::string_view principal_oin, std::string_view intermediary_oin) {
    // Sized for its records up front (a 100 000-record receipt is megabytes: no growing by copies).
    std::size_t size = 1024 + 200 * r.rejected.size();
    for (const auto& rec : r.records) size += rec.melding_id.size() + rec.id.size() + rec.region.size() + 40;
    rapidjson::StringBuffer buf(nullptr, size);
    JsonWriter w(buf);
    w.StartObject();
    write_kv(w, "berichtId", r.envelope.bericht_id);
    if (!intermediary_oin.empty()) {
        write_kv(w, "senderOin", principal_oin);
        write_kv(w, "intermediaryOin", intermediary_oin);
    }
    write_string(w, "accepted");
    w.Uint64(r.records.size());
    write_string(w, "rejected");
    w.StartArray();
    for (const auto& rej : r.rejected) {
        w.StartObject();
        write_kv(w, "meldingId", rej.melding_id);
        write_string(w, "errors");
        write_problems(w, rej.problems);
        w.EndObject();
    }
    w.EndArray();
    write_omitted(w, r);
    write_string(w, "records");
    w.StartArray();
    for (const auto& rec : r.records) {
        w.StartObject();
        write_kv(w, "meldingId", rec.melding_id);
        write_kv(w, "id", rec.id);
        write_kv(w, "region", rec.region);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

}  // namespace dg
