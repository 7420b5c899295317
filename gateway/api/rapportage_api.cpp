// GET /v1/caseload/rapportage?van=&tot=: the numbers a Doorstroompunt reports to its region and to
// DUO, and a gemeente about its own residents — within the caller's read scope, per gemeente ×
// berichttype × status (and per the policy's reportBy field, e.g. a vsv-melding's hoogsteNiveau):
// nieuw (received in [van, tot]), afgesloten (of those: closed or no longer active), actief (still
// active). JSON, or with Accept: text/csv a ;-separated CSV that Dutch spreadsheets open as is.
#include <set>

#include "api/api.hpp"
#include "api/exchange.hpp"
#include "core/dates.hpp"
#include "core/json_util.hpp"
#include "core/problem.hpp"

namespace dg {

void Api::rapportage(Exchange& x, const Request& req, std::string_view query) {
    std::vector<std::pair<std::string, std::string>> params;
    Problems bad;
    if (!parse_query(query, params)) bad.push_back({problem_code::kMessageSchema, "?", "query string is not well-formed", {}});
    std::optional<Date> van, tot;
    for (const auto& [k, v] : params) {
        if (k == "van" || k == "tot") {
            const auto d = parse_date(v);
            if (!d) bad.push_back({problem_code::kMessageSchema, "?" + k, k + " is a date (YYYY-MM-DD)", {}});
            (k == "van" ? van : tot) = d;
        } else {
            bad.push_back({problem_code::kMessageSchema, "?" + k, "unknown query parameter", {}});
        }
    }
    for (const char* k : {"van", "tot"})
        if (std::none_of(params.begin(), params.end(), [&](const auto& p) { return p.first == k; }))
            bad.push_back({problem_code::kMessageSchema, std::string("?") + k, "required", {}});
    if (van && tot && *tot < *van) bad.push_back({problem_code::kMessageSchema, "?tot", "tot lies before van", {}});
    if (!bad.empty()) {
        for (const auto& p : bad) x.event.problem_codes.push_back(p.code);
        return finish(x, problem_response(400, "Bad query", "fix the query parameters", bad));
    }
    const auto scope = read_scope(x);
    if (!scope) return;
    const PolicySet& policy = *x.snapshot->policy;
    RecordStore::ReportQuery q;
    q.region = scope->region->code;
    q.gemeente = scope->gemeente;
    q.from = van->iso();
    q.to = Date::from_days(tot->days() + 1).iso();
    q.closed_statuses = policy.closed_statuses();
    q.details = policy.report_details();  // all of them: the rows of types this reader does not read go below
    std::set<std::string> detail_fields;
    for (const auto& [type, field] : q.details)
        if (scope->policy->reads(type)) detail_fields.insert(field);
    std::vector<RecordStore::ReportRow> rows;
    rows = store_.report(q);
    // Only records of their own: updates, changes and withdrawals (the policy's status, change and withdraw effects)
    // live in the history of what they concern, not in the numbers (unless the policy keeps the
    // update in the caseload as well).
    std::erase_if(rows, [&](const auto& r) {
        const TypePolicy* tp = policy.type(r.berichttype);
        return !scope->policy->reads(r.berichttype) || !tp || tp->effect_kind == TypePolicy::Effect::Withdraw ||
               tp->effect_kind == TypePolicy::Effect::Change || (tp->effect_kind == TypePolicy::Effect::Status && !tp->in_caseload);
    });
    auto field_of = [&](const std::string& type) -> std::string {
        const TypePolicy* tp = policy.type(type);
        return tp ? tp->report_by : std::string();
    };
    const auto accept = req.find(http::field::accept);
    const bool csv =
        accept != req.end() && std::string_view(accept->value().data(), accept->value().size()).find("text/csv") != std::string_view::npos;
    if (csv) {
        // A byte order mark and CRLF: Excel in a Dutch locale opens it as UTF-8 with ; as separator.
        // The gemeente's name second (GEMEENTENAAM, quoted should it hold a ; or a quote).
        auto cell = [](const std::string& v) {
            if (v.find_first_of(";\"\r\n") == std::string::npos) return v;
            std::string q = "\"";
            for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
            return q + "\"";
        };
        std::string out = "\xEF\xBB\xBFgemeente;gemeentenaam;berichttype;status";
        for (const auto& f : detail_fields) out += ";" + f;
        out += ";nieuw;afgesloten;actief\r\n";
        for (const auto& r : rows) {
            out += r.gemeente + ";" + cell(x.snapshot->regions->gemeente_name(r.gemeente)) + ";" + r.berichttype + ";" + r.status;
            for (const auto& f : detail_fields) out += ";" + (field_of(r.berichttype) == f ? r.detail : std::string());
            out += ";" + std::to_string(r.received) + ";" + std::to_string(r.closed) + ";" + std::to_string(r.active) + "\r\n";
        }
        Response res{http::status::ok, 11};
        res.set(http::field::content_type, "text/csv; charset=utf-8");
        res.set(http::field::content_disposition, "attachment; filename=\"rapportage-" + van->iso() + "-" + tot->iso() + ".csv\"");
        res.body() = std::move(out);
        res.prepare_payload();
        standard_headers(res);
        return finish(x, std::move(res));
    }
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    write_kv(w, "van", van->iso());
    write_kv(w, "tot", tot->iso());
    write_kv(w, "region", scope->region->code);
    write_string(w, "rows");
    w.StartArray();
    for (const auto& r : rows) {
        w.StartObject();
        write_kv(w, "gemeente", r.gemeente);
        write_kv(w, "berichttype", r.berichttype);
        write_kv(w, "status", r.status);
        if (const std::string f = field_of(r.berichttype); !f.empty()) write_kv(w, f.substr(f.rfind('/') + 1), r.detail);
        for (const auto& [k, n] : {std::pair{"nieuw", r.received}, std::pair{"afgesloten", r.closed}, std::pair{"actief", r.active}}) {
            write_string(w, k);
            w.Uint64(n);
        }
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    finish(x, json_response(200, {buf.GetString(), buf.GetSize()}));
}

}  // namespace dg
