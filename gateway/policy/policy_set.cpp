// Deciding per record what the policy says: the sender's scope, the field rules, thresholds, age
// and period checks, routing, retention; what policy_load.cpp read from policies/sharing.json.
#include "policy/policy_set.hpp"
#include "core/problem.hpp"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "core/identifiers.hpp"
#include "core/json_util.hpp"

namespace dg {
namespace {

using ScopeKind = SenderScope::Kind;

bool matches_all(const Melding& m, const std::vector<Match>& ms) {
    for (const auto& x : ms) {
        const Value* v = m.find(x.path);
        if (!v || v->text != x.text || v->kind == ValueKind::Null) return false;
    }
    return true;
}

bool matches_any(const Melding& m, const std::vector<Match>& ms) {
    for (const auto& x : ms) {
        const Value* v = m.find(x.path);
        if (v && v->text == x.text && v->kind != ValueKind::Null) return true;
    }
    return false;
}

bool applies(const Melding& m, const std::vector<Match>& when, const std::vector<Match>& unless) {
    return matches_all(m, when) && (unless.empty() || !matches_any(m, unless));
}

std::size_t utf8_length(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_record_id(std::string_view s) {
    return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

const FieldSpec* TypePolicy::field(std::string_view path) const {
    for (const auto& f : fields)
        if (f.path == path) return &f;
    return nullptr;
}

void TypePolicy::apply_text_types(Melding& m) const {
    for (auto& f : m.fields) {
        const FieldSpec* spec = field(f.path);
        if (!spec || f.value.kind != ValueKind::String) continue;
        std::string& t = f.value.text;
        if (spec->kind == FieldKind::Count && !t.empty() && t.size() <= 6 && std::all_of(t.begin(), t.end(), ::isdigit)) {
            t.erase(0, std::min(t.find_first_not_of('0'), t.size() - 1));  // xs:integer "018" is 18
            f.value.kind = ValueKind::Number;
        } else if (spec->kind == FieldKind::Boolean && (t == "true" || t == "false" || t == "1" || t == "0")) {
            t = (t == "true" || t == "1") ? "true" : "false";
            f.value.kind = ValueKind::Bool;
        }
    }
}

const TypePolicy* PolicySet::type(std::string_view berichttype) const {
    auto it = types_.find(berichttype);
    return it == types_.end() ? nullptr : &it->second;
}

bool PolicySet::role_may_use(std::string_view role, std::string_view endpoint) const {
    auto it = endpoints_.find(role);
    return it != endpoints_.end() && std::find(it->second.begin(), it->second.end(), endpoint) != it->second.end();
}

std::vector<std::string> PolicySet::type_names() const {
    std::vector<std::string> out;
    for (const auto& [name, _] : types_) out.push_back(name);
    return out;
}

std::vector<std::pair<std::string, std::string>> PolicySet::report_details() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [name, t] : types_)
        if (!t.report_by.empty()) out.emplace_back(name, t.report_by);
    return out;
}

const ReadPolicy* PolicySet::read_policy(std::string_view role) const {
    auto it = reads_.find(role);
    return it == reads_.end() ? nullptr : &it->second;
}

std::vector<std::string> PolicySet::role_names() const {
    std::vector<std::string> out;
    for (const auto& [role, eps] : endpoints_) out.push_back(role);
    return out;
}

const RolePurpose* PolicySet::system_purpose(std::string_view what) const {
    auto it = system_purposes_.find(what);
    return it == system_purposes_.end() ? nullptr : &it->second;
}

const ProcessingActivity* PolicySet::activity(std::string_view purpose_id) const {
    for (const auto& a : register_)
        if (a.key == purpose_id) return &a;
    return nullptr;
}

const RolePurpose* PolicySet::role_purpose(std::string_view role) const {
    auto it = purposes_.find(role);
    return it == purposes_.end() ? nullptr : &it->second;
}

bool PolicySet::role_may_send(std::string_view role, std::string_view berichttype) const {
    const TypePolicy* t = type(berichttype);
    return t && t->senders.find(role) != t->senders.end();
}

Problems PolicySet::check_envelope(const Envelope& e) const {
    Problems out;
    if (!e.has_bericht_id) out.push_back({problem_code::kMessageSchema, "/berichtId", "berichtId is required", {}});
    else if (!message_id_valid(e.bericht_id))
        out.push_back({problem_code::kMessageSchema, "/berichtId", "berichtId must be 1-64 characters of A-Z a-z 0-9 . _ : -", {}});
    if (!e.has_verzonden_op) out.push_back({problem_code::kMessageSchema, "/verzondenOp", "verzondenOp is required", {}});
    else if (!parse_rfc3339_local_date(e.verzonden_op))
        out.push_back({problem_code::kMessageSchema, "/verzondenOp", "verzondenOp must be an RFC 3339 date-time with offset", {}});
    if (!e.has_berichttype) out.push_back({problem_code::kMessageSchema, "/berichttype", "berichttype is required", {}});
    else if (!type(e.berichttype)) out.push_back({problem_code::kMessageTypeUnknown, "/berichttype", "berichttype is not in the catalogue", {}});
    return out;
}

Decision PolicySet::decide(const TypePolicy& t, const Date& sent, const Date& today, const Melding& m, const Party* sender,
                           const RegionTable& regions, std::vector<std::string>* trail, bool codes_only) const {
    Decision d;
    decide_into(d, t, sent, today, m, sender, regions, trail, codes_only);
    return d;
}

void PolicySet::decide_into(Decision& d, const TypePolicy& t, const Date& sent, const Date& today, const Melding& m, const Party* sender_ptr,
                            const RegionTable& regions, std::vector<std::string>* trail, bool codes_only) const {
    d.problems.clear();
    d.codes.clear();
    d.type = &t;
    d.scope = nullptr;
    for (std::string* s : {&d.gemeente, &d.region.code, &d.region.name, &d.subject, &d.retention_until, &d.notice_until}) s->clear();
    if (!codes_only) d.problems.reserve(8);
    // Called for every problem of every record: the codes-only case inline, the listed one apart.
    auto listed = [&](std::string_view code, std::string_view path, std::string_view detail) __attribute__((noinline)) {
        d.problems.push_back({std::string(code), melding_path(m.index, path), std::string(detail), m.melding_id});
    };
    auto add = [&](std::string_view code, std::string_view path, std::string_view detail) __attribute__((always_inline)) {
        if (codes_only) d.codes.push_back(code);
        else listed(code, path, detail);
    };
        // The explain trail; its lines are only built when asked for (not on the serving path).
#define DG_NOTE(line)                      \
    do {                                   \
        if (trail) trail->push_back(line); \
    } while (0)
    // For the explain trail: "ok", or the codes a stage added since `before`.
    auto outcome = [&](std::size_t before) {
        if (d.problems.size() == before) return std::string("ok");
        std::string codes = "refused:";
        for (std::size_t i = before; i < d.problems.size(); ++i) codes += " " + d.problems[i].code;
        return codes;
    };
    std::size_t before = 0;
    auto date_of = [&](const std::string& path) __attribute__((always_inline))->std::optional<Date> {
        const Value* v = m.find(path);
        return v && v->kind == ValueKind::String ? parse_date(v->text) : std::nullopt;
    };

    if (!m.has_melding_id) add(problem_code::kMessageSchema, "meldingId", "meldingId is required and must be a string");
    else if (!message_id_valid(m.melding_id))
        add(problem_code::kMessageSchema, "meldingId", "meldingId must be 1-64 characters of A-Z a-z 0-9 . _ : -");

    // Fields: permitted, once (found with a set: linear in the fields), and of their kind.
    std::unordered_set<std::string_view> seen;
    if (m.fields.size() > 1) seen.reserve(m.fields.size());
    for (std::size_t i = 0; i < m.fields.size(); ++i) {
        const Field& f = m.fields[i];
        if (f.path == "meldingId") {
            add(problem_code::kMessageSchema, "meldingId", "meldingId appears twice or is not a string");
            continue;
        }
        if (!seen.insert(f.path).second) add(problem_code::kMessageSchema, f.path, "field appears twice");
        const FieldSpec* spec = t.field(f.path);
        if (!spec && !t.changes_field.empty() && f.path.size() > t.changes_field.size() && f.path.starts_with(t.changes_field) &&
            f.path[t.changes_field.size()] == '/')
            continue;  // judged against the changed record's type once it is known
        if (!spec) {
            add(problem_code::kFieldNotPermitted, f.path, t.not_permitted);
            continue;
        }
        const bool is_string = f.value.kind == ValueKind::String;
        const std::string& s = f.value.text;
        switch (spec->kind) {
        case FieldKind::Bsn:
            if (!is_string) add(problem_code::kMessageSchema, f.path, "bsn must be a string of 9 digits");
            else if (!bsn_valid(s)) add(problem_code::kBsnChecksum, f.path, "BSN fails the 11-proef");
            break;
        case FieldKind::Onderwijsnummer:
            if (!is_string) add(problem_code::kMessageSchema, f.path, "onderwijsnummer must be a string of 9 digits");
            else if (!onderwijsnummer_valid(s))
                add(problem_code::kOnderwijsnummerChecksum, f.path, "onderwijsnummer must start with 10 and pass the check (sum = 5 mod 11)");
            break;
        case FieldKind::Date:
            if (!is_string || !parse_date(s)) add(problem_code::kDateInvalid, f.path, "not a real calendar date (YYYY-MM-DD)");
            break;
        case FieldKind::Gemeente:
            if (!is_string || !gemeentecode_format_valid(s)) add(problem_code::kGemeenteUnknown, f.path, "gemeentecode must be 4 digits (CBS)");
            else if (!regions.region_of(s))
                add(problem_code::kGemeenteUnknown, f.path, "gemeentecode is not in the region table, the record cannot be routed");
            break;
        case FieldKind::Brin:
            if (!is_string || !brin_valid(s)) add(problem_code::kBrinFormat, f.path, "BRIN is 2 digits and 2 capital letters, e.g. 12AB");
            break;
        case FieldKind::Vestiging:
            if (!is_string || !vestiging_valid(s)) add(problem_code::kBrinFormat, f.path, "vestiging is 2 digits");
            break;
        case FieldKind::Count:
            if (f.value.kind != ValueKind::Number || s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), ::isdigit))
                add(problem_code::kMessageSchema, f.path, "must be a whole number from 0 to 999999");
            break;
        case FieldKind::Boolean:
            if (f.value.kind != ValueKind::Bool) add(problem_code::kMessageSchema, f.path, "must be true or false");
            break;
        case FieldKind::Text:
            if (!is_string) add(problem_code::kMessageSchema, f.path, "must be a string");
            else if (utf8_length(s) > text_max_length_)
                add(problem_code::kMessageSchema, f.path, "at most " + std::to_string(text_max_length_) + " characters");
            break;
        case FieldKind::Code:
        case FieldKind::MessageId:
            if (!is_string || !message_id_valid(s)) add(problem_code::kMessageSchema, f.path, "must be 1-64 characters of A-Z a-z 0-9 . _ : -");
            break;
        case FieldKind::RecordId:
            if (!is_string || !is_record_id(s)) add(problem_code::kMessageSchema, f.path, "must be a gateway record id (32 hex characters)");
            break;
        case FieldKind::Enum:
            if (!is_string || std::find(spec->values.begin(), spec->values.end(), s) == spec->values.end())
                add(problem_code::kMessageSchema, f.path, spec->one_of);
            break;
        case FieldKind::Changes: add(problem_code::kMessageSchema, f.path, "must be an object of the fields to change"); break;
        }
    }
    for (const auto& p : t.required)
        if (p == t.changes_field) {
            const bool any = std::any_of(m.fields.begin(), m.fields.end(), [&](const Field& f) {
                return f.path.size() > p.size() && f.path.starts_with(p) && f.path[p.size()] == '/';
            });
            if (!any) add(problem_code::kMessageSchema, p, "names at least one field to change");
        } else if (!m.find(p)) {
            add(problem_code::kMessageSchema, p, "required field is missing");
        }
    DG_NOTE("fields: " + std::to_string(m.fields.size()) + " present, " + std::to_string(t.fields.size()) +
            " permitted, kinds and checksums: " + outcome(before));

    before = d.problems.size();
    if (!t.identifier.empty()) {
        int present = 0;
        for (const auto& p : t.identifier) present += m.find(p) != nullptr;
        if (present != 1) add(problem_code::kLeerlingIdentifier, "leerling", "exactly one of bsn or onderwijsnummer is required");
        for (const auto& p : t.identifier)
            if (const Value* v = m.find(p); v && present == 1 && v->kind == ValueKind::String) {
                d.subject = p.substr(p.rfind('/') + 1) + ":" + v->text;
            }
        DG_NOTE("identifier: exactly one of bsn/onderwijsnummer: " + outcome(before));
    }

    before = d.problems.size();
    for (const auto& p : t.not_after_sent)
        if (auto dt = date_of(p); dt && *dt > sent) add(problem_code::kDateInvalid, p, "date lies after verzondenOp");
    for (const auto& p : t.periods) {
        auto from = date_of(p.from), to = date_of(p.to);
        if (from && to && *from > *to) add(problem_code::kPeriodInvalid, p.to, p.from + " lies after " + p.to);
        if (to && p.to_not_after_sent && *to > sent) add(problem_code::kPeriodInvalid, p.to, p.to + " lies after verzondenOp");
    }
    if (!t.not_after_sent.empty() || !t.periods.empty()) DG_NOTE("dates and periods against verzondenOp " + sent.iso() + ": " + outcome(before));

    auto birth = date_of("leerling/geboortedatum");
    for (const auto& a : t.age) {
        if (!applies(m, a.when, a.unless)) continue;
        auto ref = date_of(a.reference);
        if (birth && ref) {
            const int age = age_on(*birth, *ref);
            const bool ok = age >= a.min && age < a.below;
            DG_NOTE("age " + std::to_string(a.min) + " <= a < " + std::to_string(a.below) + " on " + a.reference + ": " +
                    (ok ? "ok" : "out of range"));
            if (!ok)
                add(problem_code::kSubjectAgeOutOfRange, "leerling/geboortedatum",
                    "pupil must be at least " + std::to_string(a.min) + " and under " + std::to_string(a.below) + " on " + a.reference);
        }
        break;  // the first bound that applies decides
    }

    for (const auto& r : t.rules) {
        if (!applies(m, r.when, r.unless)) continue;
        bool ok = true;
        std::string path = r.field;
        if (r.refuse) {
            ok = false;
            path = r.when.empty() ? "" : r.when.front().path;
        } else if (!r.forbid.empty()) {
            ok = m.find(r.forbid) == nullptr;
            path = r.forbid;
        } else if (!r.require.empty()) {
            ok = m.find(r.require) != nullptr;
            path = r.require;
        } else if (!r.field.empty()) {
            const Value* v = m.find(r.field);
            long long n = 0;
            ok = v && v->kind == ValueKind::Number && !v->text.empty() && v->text.size() <= 12 &&
                 std::all_of(v->text.begin(), v->text.end(), ::isdigit);
            if (ok) n = std::stoll(v->text);
            ok = ok && (!r.min || n >= *r.min) && (!r.max || n <= *r.max);
        } else {
            auto from = date_of(r.from), to = date_of(r.to);
            if (!to && r.to_or_sent && !m.find(r.to)) to = sent;  // still going on: up to the day it was sent
            path = r.to;
            if (from && to) {
                const long long days = to->days() - from->days();
                ok = (!r.min || days >= *r.min) && (!r.max || days <= *r.max);
            }
        }
        DG_NOTE("rule " + r.code + " (" + r.detail + "): " + (ok ? "ok" : "refused"));
        if (!ok) add(r.code, path, r.detail);
    }

    // Scope: the sender may only report within its own remit.
    const auto scope_of = sender_ptr ? t.senders.find(sender_ptr->role) : t.senders.end();
    if (!sender_ptr) {
        DG_NOTE("scope: not checked (no sender)");
    } else if (const Party& sender = *sender_ptr; scope_of != t.senders.end()) {
        d.scope = &scope_of->second;
        const SenderScope& sc = scope_of->second;
        before = d.problems.size();
        const Value* v = sc.field.empty() ? nullptr : m.find(sc.field);
        const std::string_view value = v ? std::string_view(v->text) : std::string_view();
        if (sc.kind == ScopeKind::OwnBrin && v && value != sender.brin)
            add(problem_code::kScopeNotOwnBrin, sc.field, "a school may only report about its own BRIN");
        else if ((sc.kind == ScopeKind::OwnResidents || sc.kind == ScopeKind::NewWoongemeente) && v && value != sender.gemeente)
            add(problem_code::kScopeNotOwnResident, sc.field,
                sc.kind == ScopeKind::OwnResidents ? "a gemeente may only report about its own residents"
                                                   : "only the new woongemeente may report a move");
        else if (sc.kind == ScopeKind::OwnRegion && v) {
            // A coordinator's region is that of the gemeente the registry names for it.
            const Region* own = regions.region_of(sender.gemeente);
            const Region* of_pupil = regions.region_of(value);
            if (!own || !of_pupil || own->code != of_pupil->code)
                add(problem_code::kScopeNotOwnRegion, sc.field, "a coordinator may only report about pupils whose woongemeente lies in its region");
        }
        DG_NOTE("scope " + sender.role + " -> " + sc.scope + (sc.field.empty() ? "" : " on " + sc.field) + ": " +
                (sc.kind == ScopeKind::OriginalSender ? std::string("checked against the store when applied") : outcome(before)));
    } else {
        add(problem_code::kSenderRoleNotPermitted, "", "role " + sender_ptr->role + " may not send " + t.name);
    }

    if (!t.routing.empty()) {
        if (const Value* v = m.find(t.routing); v && v->kind == ValueKind::String) {
            d.gemeente = v->text;
            if (const Region* r = regions.region_of(v->text)) d.region = *r;
        }
        DG_NOTE("routing on " + t.routing + ": " + (d.region.code.empty() ? "no region" : "region " + d.region.code));
    }

    // Retention (and a move's notice) only for a record that is kept.
    if (!d.problems.empty() || !d.codes.empty()) return;
    if (t.retention.until_age > 0) {
        if (birth) d.retention_until = add_years(*birth, t.retention.until_age).iso();
    } else if (t.retention.after == "received") {
        d.retention_until = add_years(today, t.retention.years).iso();
    } else if (auto from = date_of(t.retention.after)) {
        d.retention_until = add_years(*from, t.retention.years).iso();
    } else if (t.retention.if_missing_received && !m.find(t.retention.after)) {
        d.retention_until = add_years(today, t.retention.years).iso();
    } else if (auto rd = date_of(t.record_date)) {
        d.retention_until = add_years(*rd, t.retention.years).iso();
    }
    DG_NOTE("retention until " + (d.retention_until.empty() ? std::string("(unknown)") : d.retention_until));
    if (t.notice_years > 0) d.notice_until = add_years(today, t.notice_years).iso();
#undef DG_NOTE
}

}  // namespace dg
