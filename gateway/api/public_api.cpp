// What every registered party may read: the API document, who the certificate says it is, and
// the web UI's files (the UI then works with the caller's own role through the same API).
#include "api/api.hpp"
#include "api/exchange.hpp"

namespace dg {

void Api::openapi(Exchange& x) {
    if (options_.openapi_json.empty()) return finish(x, problem_response(404, "Not found", "no API document configured", {}));
    finish(x, json_response(200, options_.openapi_json));
}

namespace {

void write_names(JsonWriter& w, std::string_view key, const std::vector<std::string>& names) {
    write_string(w, key);
    w.StartArray();
    for (const auto& n : names) write_string(w, n);
    w.EndArray();
}

}  // namespace

void Api::write_mandate(JsonWriter& w, const Mandate& m, const Exchange& x) const {
    const Party* principal = x.snapshot->parties->find(m.principal_oin);
    w.StartObject();
    write_string(w, "principal");
    w.StartObject();
    write_kv(w, "oin", m.principal_oin);
    if (principal) {
        write_kv(w, "name", principal->name);
        write_kv(w, "displayName", principal->shown_name());
        write_kv(w, "role", principal->role);
    }
    w.EndObject();
    write_kv(w, "validFrom", m.valid_from.iso());
    write_kv(w, "validUntil", m.valid_until.iso());
    write_kv(w, "state", m.valid_on(x.day()) ? "active" : x.day() < m.valid_from ? "future" : "ended");
    write_names(w, "berichttypen", m.berichttypen);
    write_names(w, "endpoints", m.endpoints);
    w.EndObject();
}

void Api::me(Exchange& x) {
    const Party& p = *x.party;
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    write_kv(w, "oin", p.oin);
    write_kv(w, "name", p.name);
    write_kv(w, "displayName", p.shown_name());
    write_kv(w, "role", p.role);
    if (!p.brin.empty()) write_kv(w, "brin", p.brin);
    if (!p.gemeente.empty()) write_kv(w, "gemeente", p.gemeente);
    const ReadPolicy* reads = x.snapshot->policy->read_policy(p.role);
    if (const Region* region = reads ? own_region(x) : nullptr) {
        write_string(w, "region");
        w.StartObject();
        write_kv(w, "code", region->code);
        write_kv(w, "name", region->name);
        write_string(w, "gemeenten");
        w.StartArray();
        const auto gemeenten = x.snapshot->regions->gemeenten_of(region->code);
        for (const auto& g : gemeenten) write_string(w, g);
        w.EndArray();
        write_string(w, "scholen");  // the school locations in the region, by BRIN + vestiging
        w.StartObject();
        for (const auto& [key, school] : x.snapshot->regions->schools())
            if (std::find(gemeenten.begin(), gemeenten.end(), school.gemeente) != gemeenten.end()) write_kv(w, key.c_str(), school.name);
        w.EndObject();
        w.EndObject();
    }
    if (!p.brin.empty()) {  // a school's own locations
        write_string(w, "vestigingen");
        w.StartArray();
        const auto& schools = x.snapshot->regions->schools();  // by BRIN + vestiging: one BRIN's are adjacent
        for (auto it = schools.lower_bound(p.brin); it != schools.end() && it->first.compare(0, p.brin.size(), p.brin) == 0; ++it) {
            const auto& [key, school] = *it;
            w.StartObject();
            write_kv(w, "vestiging", key.substr(p.brin.size()));
            write_kv(w, "name", school.name);
            write_kv(w, "gemeente", school.gemeente);
            w.EndObject();
        }
        w.EndArray();
    }
    if (x.snapshot->policy->role_may_use(p.role, "audit")) {  // the auditor reads every party's requests: their names
        write_string(w, "partijen");
        w.StartObject();
        for (const Party* q : x.snapshot->parties->all()) write_kv(w, q->oin, q->shown_name());
        w.EndObject();
    }
    // The names of every gemeente (GEMEENTENAAM, as DUO writes them): reference data, not personal.
    write_string(w, "gemeenteNamen");
    w.StartObject();
    for (const auto& [code, name] : x.snapshot->regions->gemeente_names()) write_kv(w, code.c_str(), name);
    w.EndObject();
    if (reads) {  // what the policy lets this role read
        write_string(w, "reads");
        w.StartObject();
        write_kv(w, "scope", reads->scope == ReadPolicy::Scope::OwnResidents ? "own-residents" : "region");
        write_string(w, "berichttypen");
        w.StartArray();
        for (const auto& t : reads->berichttypen.empty() ? x.snapshot->policy->type_names() : reads->berichttypen) write_string(w, t);
        w.EndArray();
        write_kv(w, "purpose", reads->purpose.id);
        w.EndObject();
    }
    write_string(w, "endpoints");
    w.StartArray();
    for (const char* e : {"berichten", "validate", "meldingen", "caseload", "records", "audit"})
        if (x.snapshot->policy->role_may_use(p.role, e) && (!x.mandate || x.mandate->covers_endpoint(e))) write_string(w, e);
    w.EndArray();
    if (x.intermediary) {  // acting for p under a mandate: who acts, and within what
        write_string(w, "intermediary");
        w.StartObject();
        write_kv(w, "oin", x.intermediary->oin);
        write_kv(w, "name", x.intermediary->name);
        write_kv(w, "displayName", x.intermediary->shown_name());
        w.EndObject();
        write_string(w, "mandate");
        write_mandate(w, *x.mandate, x);
    }
    if (p.role == "intermediary") {  // every mandate it holds, ended and future ones too
        write_string(w, "mandates");
        w.StartArray();
        for (const Mandate* m : x.snapshot->mandates->of(p.oin)) write_mandate(w, *m, x);
        w.EndArray();
    }
    w.EndObject();
    finish(x, json_response(200, {buf.GetString(), buf.GetSize()}));
}

void Api::ui(Exchange& x, std::string_view name) {
    const auto file = options_.ui.find(name);
    if (file == options_.ui.end()) return finish(x, problem_response(404, "Not found", "no such file of the web UI", {}));
    Response res{http::status::ok, 11};
    res.set(http::field::content_type, file->second.content_type);
    res.set(http::field::cache_control, "no-cache");
    // Everything the UI needs comes from the gateway itself: no CDN, no inline script, no framing.
    res.set("Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    standard_headers(res);
    res.set("Referrer-Policy", "no-referrer");
    res.body() = file->second.body;
    res.prepare_payload();
    finish(x, std::move(res));
}

}  // namespace dg
