// The readers' side beyond the caseload: counts, one record with its history, and finding a
// pupil's records by BSN (in the body, never the URL), each within the caller's read scope (a
// coordinator's region, a gemeente's own residents; the types its role reads): a record outside
// it is a 404 like a missing one.
#include "api/api.hpp"
#include "api/exchange.hpp"
#include "core/identifiers.hpp"
#include "core/problem.hpp"

namespace dg {

const Region* Api::own_region(const Exchange& x) const { return x.snapshot->regions->region_of(x.party->gemeente); }

void Api::no_region(Exchange& x) { finish(x, problem_response(403, "No region", "this party's gemeente is not in the region table", {})); }

std::optional<Api::ReadScope> Api::read_scope(Exchange& x) {
    const ReadPolicy* policy = x.snapshot->policy->read_policy(x.party->role);
    if (!policy) {
        finish(x, problem_response(403, "Not permitted", "role " + x.party->role + " reads no records",
                                   {{problem_code::kSenderRoleNotPermitted, "", "the policy gives this role no records to read", {}}}));
        return std::nullopt;
    }
    const Region* region = own_region(x);
    if (!region) {
        no_region(x);
        return std::nullopt;
    }
    x.event.purpose = policy->purpose.id;
    x.event.legal_basis = policy->purpose.legal_basis;
    return ReadScope{region, policy->scope == ReadPolicy::Scope::OwnResidents ? x.party->gemeente : std::string(), policy};
}

void Api::store_unavailable(Exchange& x) {
    metrics_.store_error();
    finish(x, problem_response(503, "Store unavailable", "the store cannot be reached; try again later", {}));
}

void Api::write_items(JsonWriter& w, const std::vector<StoredRecord>& records, Exchange& x) {
    write_string(w, "items");
    w.StartArray();
    for (const auto& r : records) {
        write_record(w, r, *x.snapshot->parties);
        x.event.record_ids.push_back(r.id);  // who saw which record about whom
        if (!r.subject.empty()) x.event.subjects.push_back(r.subject);
    }
    w.EndArray();
}

bool Api::subject_from_body(Exchange& x, const Request& req, std::string& subject) {
    rapidjson::Document d;
    d.Parse(req.body().data(), req.body().size());
    std::string identifier;
    Problems bad;
    const bool one_member = !d.HasParseError() && d.IsObject() && d.MemberCount() == 1;
    if (d.HasParseError() || !d.IsObject()) {
        bad.push_back({problem_code::kMessageMalformed, "", "send {\"bsn\": \"…\"} or {\"onderwijsnummer\": \"…\"}", {}});
    } else if (one_member && d.HasMember("bsn") && d["bsn"].IsString()) {
        if (!bsn_valid(d["bsn"].GetString())) bad.push_back({problem_code::kBsnChecksum, "/bsn", "BSN fails the 11-proef", {}});
        identifier = std::string("bsn:") + d["bsn"].GetString();
    } else if (one_member && d.HasMember("onderwijsnummer") && d["onderwijsnummer"].IsString()) {
        if (!onderwijsnummer_valid(d["onderwijsnummer"].GetString()))
            bad.push_back({problem_code::kOnderwijsnummerChecksum, "/onderwijsnummer", "onderwijsnummer fails its check", {}});
        identifier = std::string("onderwijsnummer:") + d["onderwijsnummer"].GetString();
    } else {
        bad.push_back({problem_code::kLeerlingIdentifier, "", "exactly one of bsn or onderwijsnummer, and nothing else", {}});
    }
    if (!bad.empty()) {
        for (const auto& p : bad) x.event.problem_codes.push_back(p.code);
        finish(x, problem_response(400, "Bad request", "fix the body", bad));
        return false;
    }
    subject = pseudonymize_(identifier);
    return true;
}

void Api::summary(Exchange& x) {
    const auto scope = read_scope(x);
    if (!scope) return;
    const Region* region = scope->region;
    std::vector<RecordStore::SummaryRow> rows;
    rows = store_.summary(region->code, scope->gemeente);
    std::erase_if(rows, [&](const RecordStore::SummaryRow& r) { return !scope->policy->reads(r.berichttype); });
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    write_kv(w, "region", region->code);
    write_kv(w, "regionName", region->name);
    write_string(w, "counts");
    w.StartArray();
    for (const auto& r : rows) {
        w.StartObject();
        write_kv(w, "berichttype", r.berichttype);
        write_kv(w, "gemeente", r.gemeente);
        write_kv(w, "status", r.status);
        write_string(w, "count");
        w.Uint64(r.count);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    finish(x, json_response(200, {buf.GetString(), buf.GetSize()}));
}

void Api::record(Exchange& x, std::string_view id) {
    const auto scope = read_scope(x);
    if (!scope) return;
    const Region* region = scope->region;
    auto not_found = [&] { return finish(x, problem_response(404, "Not found", "no such record within what you may read", {})); };
    const bool well_formed = id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
    if (!well_formed) return not_found();
    std::optional<StoredRecord> rec;
    std::vector<HistoryEvent> history;
    // A report no longer active (withdrawn, or moved to another region) is shown as its tombstone
    // or notice: its history, not what was sent. Updates (effects) are no records of their own.
    // Outside the read scope (region, gemeente, type) it is not there at all.
    auto shown = [&] {
        if (!rec || rec->region != region->code || !scope->policy->reads(rec->berichttype)) return false;
        if (!scope->gemeente.empty() && rec->gemeente != scope->gemeente) return false;
        const TypePolicy* t = x.snapshot->policy->type(rec->berichttype);
        return rec->active || (t && t->effect_kind == TypePolicy::Effect::None);
    };
    rec = store_.find_record(std::string(id), region->code, scope->gemeente);
    if (shown()) history = store_.history(rec->id, region->code);
    // Another region's record (or an update, which is no record of its own) is answered exactly
    // like a missing one.
    if (!shown()) return not_found();
    if (!rec->active) rec->data = "null";
    x.event.record_ids.push_back(rec->id);
    if (!rec->subject.empty()) x.event.subjects.push_back(rec->subject);
    x.event.berichttype = rec->berichttype;
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    write_string(w, "record");
    write_record(w, *rec, *x.snapshot->parties);
    write_string(w, "history");
    w.StartArray();
    for (const auto& h : history) {
        w.StartObject();
        write_kv(w, "time", h.time);
        write_kv(w, "event", h.event);
        write_string(w, "detail");
        w.RawValue(h.detail.data(), h.detail.size(), rapidjson::kObjectType);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    finish(x, json_response(200, {buf.GetString(), buf.GetSize()}));
}

void Api::search(Exchange& x, const Request& req) {
    const auto scope = read_scope(x);
    if (!scope) return;
    std::string subject;
    if (!subject_from_body(x, req, subject)) return;
    x.event.subjects.push_back(subject);
    std::vector<StoredRecord> found;
    found = store_.records_of_subject(subject, scope->region->code, scope->gemeente);
    std::erase_if(found, [&](const StoredRecord& r) { return !scope->policy->reads(r.berichttype); });
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    write_items(w, found, x);
    w.EndObject();
    finish(x, json_response(200, {buf.GetString(), buf.GetSize()}));
}

void Api::caseload(Exchange& x, std::string_view query) {
    std::vector<std::pair<std::string, std::string>> params;
    Problems bad;
    if (!parse_query(query, params)) bad.push_back({problem_code::kMessageSchema, "?", "query string is not well-formed", {}});
    CaseloadQuery q;
    const auto scope = read_scope(x);
    if (!scope) return;
    q.region = scope->region->code;
    q.berichttypen = scope->policy->berichttypen;
    for (const auto& [k, v] : params) {
        if (k == "berichttype") {
            if (!x.snapshot->policy->type(v)) bad.push_back({problem_code::kMessageSchema, "?berichttype", "not a berichttype of the catalogue", {}});
            q.berichttype = v;
        } else if (k == "gemeente") {
            if (v.size() != 4 || !std::all_of(v.begin(), v.end(), ::isdigit))
                bad.push_back({problem_code::kMessageSchema, "?gemeente", "a gemeentecode has 4 digits", {}});
            q.gemeente = v;
        } else if (status_or_since(k, v, q.status, q.since, bad)) {  // taken as it says
        } else if (k == "limit") {
            if (!query_limit(v, options_.max_page, q.limit))
                bad.push_back({problem_code::kMessageSchema, "?limit", "limit is 1.." + std::to_string(options_.max_page), {}});
        } else if (k == "cursor") {
            const bool digits = !v.empty() && v.size() <= 18 && v[0] == 'c' && std::all_of(v.begin() + 1, v.end(), ::isdigit) && v.size() > 1;
            if (!digits) bad.push_back({problem_code::kMessageSchema, "?cursor", "use the nextCursor of the previous page", {}});
            else q.before_seq = std::stoll(v.substr(1));
        } else {
            bad.push_back({problem_code::kMessageSchema, "?" + k, "unknown query parameter", {}});
        }
    }
    if (!bad.empty()) {
        for (const auto& p : bad) x.event.problem_codes.push_back(p.code);
        return finish(x, problem_response(400, "Bad query", "fix the query parameters", bad));
    }
    // Filters cannot reach past the read scope: another gemeente or an unread type gives nothing.
    const bool outside = (!scope->gemeente.empty() && !q.gemeente.empty() && q.gemeente != scope->gemeente) ||
                         (!q.berichttype.empty() && !scope->policy->reads(q.berichttype));
    if (!scope->gemeente.empty()) q.gemeente = scope->gemeente;
    CaseloadPage page;
    if (!outside) page = store_.caseload(q);
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    write_items(w, page.items, x);
    write_string(w, "nextCursor");
    if (page.next_before) write_string(w, "c" + std::to_string(*page.next_before));
    else w.Null();
    w.EndObject();
    x.event.berichttype = q.berichttype;
    finish(x, json_response(200, {buf.GetString(), buf.GetSize()}));
}

}  // namespace dg
