// The register of processing activities (AVG art. 30; Logboek Dataverwerkingen: every logged
// processing names an activity of it), derived from the policy alone: one activity per purpose
// of a berichttype, of a role's own work, of a role's reads, and of the gateway's own tasks.
#include <set>

#include "core/json_util.hpp"
#include "policy/policy_set.hpp"

namespace dg {
namespace {

std::string joined(const std::set<std::string>& items, const char* sep = " | ") {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
    return out;
}

std::string retention_text(const Retention& r) {
    if (r.until_age > 0) return "tot de " + std::to_string(r.until_age) + "e verjaardag van de leerling";
    const std::string years = std::to_string(r.years) + (r.years == 1 ? " jaar" : " jaar");
    return years + (r.after == "received" ? " na ontvangst" : " na " + r.after);
}

struct Draft {
    std::string key, name, purpose;
    std::set<std::string> legal_bases, categories, recipients;
    std::string retention;
};

// A version of the activity's content: the same content, the same id, whatever else changes.
std::string versioned_id(const Draft& d) {
    std::string text = d.key + "\n" + d.name + "\n" + d.purpose + "\n" + joined(d.legal_bases) + "\n" + joined(d.categories) + "\n" +
                       joined(d.recipients) + "\n" + d.retention;
    return "urn:x-doorstroom-gateway:verwerking:" + d.key + ":" + sha256_hex(text).substr(0, 12);
}

}  // namespace

std::vector<ProcessingActivity> build_register(const PolicySet& policy) {
    std::vector<Draft> drafts;
    auto draft = [&](const RolePurpose& p, const std::string& what) -> Draft& {
        for (auto& d : drafts)
            if (d.key == p.id) return d;
        drafts.push_back({p.id, p.name, p.name + ": " + what, {}, {}, {}, {}});
        return drafts.back();
    };
    const auto roles = policy.role_names();
    const std::string audit_years = std::to_string(policy.audit_retention_years()) + " jaar (auditlog, gepseudonimiseerd)";
    for (const auto& name : policy.type_names()) {
        const TypePolicy& t = *policy.type(name);
        Draft& d = draft({t.purpose_id, t.purpose_name, t.legal_basis}, "ontvangen, toetsen, routeren en bewaren van " + name);
        d.legal_bases.insert(t.legal_basis == "inherit" ? "die van de melding waarop het betrekking heeft" : t.legal_basis);
        d.categories.insert(name);
        for (const auto& f : t.fields) d.categories.insert(name + "." + f.path.substr(0, f.path.find('/')));
        for (const auto& role : roles)
            if (const ReadPolicy* r = policy.read_policy(role); r && r->reads(name))
                d.recipients.insert(role + (r->scope == ReadPolicy::Scope::OwnResidents ? " (eigen inwoners)" : " (eigen regio)"));
        for (const auto& [role, scope] : t.senders) d.recipients.insert(role + " (verzender: status van wat hij zond)");
        d.retention = retention_text(t.retention);
    }
    for (const auto& role : roles) {
        if (const RolePurpose* p = policy.role_purpose(role)) {
            Draft& d = draft(*p, "wat de rol " + role + " doet buiten het verzenden van berichten");
            d.legal_bases.insert(p->legal_basis);
            d.categories.insert("verzoekgegevens (partij, tijd, route, uitkomst)");
            d.recipients.insert(role);
            d.retention = audit_years;
        }
        if (const ReadPolicy* r = policy.read_policy(role)) {
            Draft& d = draft(r->purpose,
                             "lezen door " + role + (r->scope == ReadPolicy::Scope::OwnResidents ? " van eigen inwoners" : " in de eigen regio"));
            d.legal_bases.insert(r->purpose.legal_basis);
            for (const auto& t : r->berichttypen.empty() ? policy.type_names() : r->berichttypen) d.categories.insert(t);
            d.recipients.insert(role);
            d.retention = audit_years;
        }
    }
    for (const char* what : {"beheer", "bewaartermijn"})
        if (const RolePurpose* p = policy.system_purpose(what)) {
            Draft& d = draft(*p, what == std::string("beheer") ? "starten, stoppen en herladen van de gateway"
                                                               : "verwijderen na afloop van de bewaartermijn");
            d.legal_bases.insert(p->legal_basis);
            d.categories.insert("versies van beleid, register, mandaten en regiotabel; ids van verwijderde records");
            d.recipients.insert("auditor");
            d.retention = audit_years;
        }
    std::vector<ProcessingActivity> out;
    for (const auto& d : drafts)
        out.push_back({versioned_id(d),
                       d.key,
                       d.name,
                       d.purpose,
                       joined(d.legal_bases),
                       {d.categories.begin(), d.categories.end()},
                       {d.recipients.begin(), d.recipients.end()},
                       d.retention,
                       policy.version()});
    return out;
}

}  // namespace dg
