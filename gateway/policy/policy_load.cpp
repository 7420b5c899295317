// Reading policies/sharing.json into a PolicySet: every key checked (an unknown one is refused,
// naming file and path), values parsed into kinds and enums once, the effect and retention of each
// berichttype, the roles' read policies and purposes. Deciding per record is policy_set.cpp's.
#include <algorithm>
#include <set>
#include <unordered_set>

#include "core/identifiers.hpp"
#include "core/json_util.hpp"
#include "core/problem.hpp"
#include "policy/policy_set.hpp"

namespace dg {
namespace {

using Path = std::filesystem::path;

const std::map<std::string, FieldKind, std::less<>> kKinds = {
    {"bsn", FieldKind::Bsn},
    {"onderwijsnummer", FieldKind::Onderwijsnummer},
    {"date", FieldKind::Date},
    {"gemeente", FieldKind::Gemeente},
    {"brin", FieldKind::Brin},
    {"vestiging", FieldKind::Vestiging},
    {"count", FieldKind::Count},
    {"boolean", FieldKind::Boolean},
    {"text", FieldKind::Text},
    {"code", FieldKind::Code},
    {"record-id", FieldKind::RecordId},
    {"message-id", FieldKind::MessageId},
    {"changes", FieldKind::Changes},
};
using ScopeKind = SenderScope::Kind;
const std::map<std::string, ScopeKind, std::less<>> kScopes = {
    {"own-brin", ScopeKind::OwnBrin},  {"own-residents", ScopeKind::OwnResidents},       {"own-region", ScopeKind::OwnRegion},
    {"national", ScopeKind::National}, {"new-woongemeente", ScopeKind::NewWoongemeente}, {"original-sender", ScopeKind::OriginalSender}};
const std::set<std::string, std::less<>> kRoles = {"duo", "school", "gemeente", "coordinator", "auditor", "intermediary"};
const std::set<std::string, std::less<>> kEndpoints = {"berichten", "validate", "meldingen", "caseload", "records", "audit"};

std::vector<std::string> string_list(const Path& file, const rapidjson::Value& obj, const char* key, const std::string& at) {
    std::vector<std::string> out;
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return out;
    if (!it->value.IsArray()) throw FileError(file, at + "/" + key, "must be an array of strings");
    for (const auto& v : it->value.GetArray()) {
        if (!v.IsString()) throw FileError(file, at + "/" + key, "must be an array of strings");
        out.emplace_back(v.GetString(), v.GetStringLength());
    }
    return out;
}

std::vector<Match> matches(const Path& file, const rapidjson::Value& obj, const char* key, const std::string& at) {
    std::vector<Match> out;
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return out;
    if (!it->value.IsObject()) throw FileError(file, at + "/" + key, "must be an object of field: value");
    for (const auto& m : it->value.GetObject()) {
        std::string text;
        // In "unless" (any of its matches holds) a list of values: any of them.
        if (m.value.IsArray() && std::string_view(key) == "unless") {
            for (const auto& item : m.value.GetArray()) {
                if (!item.IsString()) throw FileError(file, at + "/" + key + "/" + m.name.GetString(), "must be strings");
                out.push_back({m.name.GetString(), item.GetString()});
            }
            continue;
        }
        if (m.value.IsString()) text.assign(m.value.GetString(), m.value.GetStringLength());
        else if (m.value.IsBool()) text = m.value.GetBool() ? "true" : "false";
        else throw FileError(file, at + "/" + key + "/" + m.name.GetString(), "must be a string or boolean");
        out.push_back({m.name.GetString(), std::move(text)});
    }
    return out;
}

std::optional<long long> opt_int(const Path& file, const rapidjson::Value& obj, const char* key, const std::string& at) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return std::nullopt;
    if (!it->value.IsInt64()) throw FileError(file, at + "/" + key, "must be an integer");
    return it->value.GetInt64();
}

int int_member(const Path& file, const rapidjson::Value& obj, const char* key, const std::string& at) {
    const auto& v = member(file, obj, key, at);
    if (!v.IsInt()) throw FileError(file, at + "/" + key, "must be an integer");
    return v.GetInt();
}

// Every path a rule names must be a permitted field of the type, or the rule could never apply.
void require_field(const Path& file, const TypePolicy& t, const std::string& path, const std::string& at) {
    if (!t.field(path)) throw FileError(file, at, "names '" + path + "', which is not a field of " + t.name);
}

// A status effect: the status from a field or set, an optional reason for the history, and (without
// a target) which of the subject's records it concerns.
void load_status_effect(const Path& file, const rapidjson::Value& ev, const std::string& at, TypePolicy& t) {
    if (!t.target_field.empty()) require_field(file, t, t.target_field, at + "/effect/target");
    t.status_set = optional_string(ev, "set");
    if (t.status_field.empty() == t.status_set.empty())
        throw FileError(file, at + "/effect", "a status effect takes its status from a field (status) or sets one (set): exactly one");
    if (!t.status_field.empty()) require_field(file, t, t.status_field, at + "/effect/status");
    if (auto rs = ev.FindMember("reason"); rs != ev.MemberEnd()) {
        only_keys(file, rs->value, at + "/effect/reason", {"field", "as"});
        t.reason_field = string_member(file, rs->value, "field", at + "/effect/reason");
        t.reason_key = string_member(file, rs->value, "as", at + "/effect/reason");
        require_field(file, t, t.reason_field, at + "/effect/reason/field");
    }
    if (auto of = ev.FindMember("of"); of != ev.MemberEnd()) {
        if (!of->value.IsArray() || of->value.Empty()) throw FileError(file, at + "/effect/of", "must be a non-empty array");
        if (!t.target_field.empty()) throw FileError(file, at + "/effect/of", "a status effect with a target concerns that record only");
        for (rapidjson::SizeType i = 0; i < of->value.Size(); ++i) {
            const std::string oat = at + "/effect/of/" + std::to_string(i);
            only_keys(file, of->value[i], oat, {"berichttype", "when"});
            // The berichttype and its fields are checked once every type is loaded.
            t.status_of.push_back({string_member(file, of->value[i], "berichttype", oat), matches(file, of->value[i], "when", oat)});
        }
    }
    if (auto ic = ev.FindMember("inCaseload"); ic != ev.MemberEnd()) {
        if (!ic->value.IsBool()) throw FileError(file, at + "/effect/inCaseload", "must be true or false");
        t.in_caseload = ic->value.GetBool();
    }
}

TypePolicy load_type(const Path& file, const std::string& name, const rapidjson::Value& v) {
    const std::string at = "/berichttypen/" + name;
    if (!v.IsObject()) throw FileError(file, at, "must be an object");
    only_keys(file, v, at,
              {"senders", "legalBasis", "purpose", "fields", "required", "identifier", "notAfterSent", "periods", "age", "rules", "routing",
               "recordDate", "effect", "retention", "reportBy", "changeable"});
    TypePolicy t;
    t.name = name;
    t.not_permitted = name + " does not permit this field";
    const auto& fields = member(file, v, "fields", at);
    if (!fields.IsObject()) throw FileError(file, at + "/fields", "must be an object of path: kind");
    for (const auto& f : fields.GetObject()) {
        FieldSpec spec{f.name.GetString(), FieldKind::Enum, {}, {}};
        const std::string fat = at + "/fields/" + spec.path;
        if (f.value.IsArray()) {
            for (const auto& e : f.value.GetArray()) {
                if (!e.IsString()) throw FileError(file, fat, "enumeration values must be strings");
                spec.values.emplace_back(e.GetString(), e.GetStringLength());
            }
            if (spec.values.empty()) throw FileError(file, fat, "enumeration is empty");
            spec.one_of = "must be one of: ";
            for (std::size_t i = 0; i < spec.values.size(); ++i) spec.one_of += (i ? ", " : "") + spec.values[i];
        } else if (f.value.IsString()) {
            auto k = kKinds.find(std::string_view(f.value.GetString(), f.value.GetStringLength()));
            if (k == kKinds.end()) throw FileError(file, fat, std::string("unknown field kind '") + f.value.GetString() + "'");
            spec.kind = k->second;
        } else {
            throw FileError(file, fat, "must be a kind name or an array of permitted values");
        }
        t.fields.push_back(std::move(spec));
    }
    const auto& senders = member(file, v, "senders", at);
    if (!senders.IsObject() || senders.MemberCount() == 0) throw FileError(file, at + "/senders", "must name at least one role");
    for (const auto& s : senders.GetObject()) {
        const std::string sat = at + "/senders/" + s.name.GetString();
        if (!kRoles.count(s.name.GetString())) throw FileError(file, sat, "unknown role");
        only_keys(file, s.value, sat, {"scope", "field"});
        SenderScope sc{string_member(file, s.value, "scope", sat), optional_string(s.value, "field")};
        const auto kind = kScopes.find(sc.scope);
        if (kind == kScopes.end()) throw FileError(file, sat + "/scope", "unknown scope '" + sc.scope + "'");
        sc.kind = kind->second;
        const bool needs_field = sc.kind != ScopeKind::National && sc.kind != ScopeKind::OriginalSender;
        if (needs_field) require_field(file, t, sc.field, sat + "/field");
        t.senders.emplace(s.name.GetString(), std::move(sc));
    }
    t.legal_basis = string_member(file, v, "legalBasis", at);
    const auto& purpose = member(file, v, "purpose", at);
    only_keys(file, purpose, at + "/purpose", {"id", "name"});
    t.purpose_id = string_member(file, purpose, "id", at + "/purpose");
    t.purpose_name = string_member(file, purpose, "name", at + "/purpose");
    t.required = string_list(file, v, "required", at);
    t.identifier = string_list(file, v, "identifier", at);
    t.not_after_sent = string_list(file, v, "notAfterSent", at);
    for (const auto& p : t.required) require_field(file, t, p, at + "/required");
    for (const auto& p : t.identifier) require_field(file, t, p, at + "/identifier");
    for (const auto& p : t.not_after_sent) require_field(file, t, p, at + "/notAfterSent");
    if (auto it = v.FindMember("periods"); it != v.MemberEnd()) {
        if (!it->value.IsArray()) throw FileError(file, at + "/periods", "must be an array");
        for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
            const auto& p = it->value[i];
            const std::string pat = at + "/periods/" + std::to_string(i);
            only_keys(file, p, pat, {"from", "to", "toNotAfterSent"});
            Period period{string_member(file, p, "from", pat), string_member(file, p, "to", pat), false};
            if (auto f = p.FindMember("toNotAfterSent"); f != p.MemberEnd() && f->value.IsBool()) period.to_not_after_sent = f->value.GetBool();
            require_field(file, t, period.from, pat + "/from");
            require_field(file, t, period.to, pat + "/to");
            t.periods.push_back(std::move(period));
        }
    }
    if (auto it = v.FindMember("age"); it != v.MemberEnd()) {
        if (!it->value.IsArray()) throw FileError(file, at + "/age", "must be an array");
        for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
            const auto& a = it->value[i];
            const std::string aat = at + "/age/" + std::to_string(i);
            only_keys(file, a, aat, {"when", "unless", "reference", "min", "below"});
            AgeBound b{matches(file, a, "when", aat), matches(file, a, "unless", aat), string_member(file, a, "reference", aat),
                       int_member(file, a, "min", aat), int_member(file, a, "below", aat)};
            require_field(file, t, b.reference, aat + "/reference");
            require_field(file, t, "leerling/geboortedatum", aat);
            if (b.min < 0 || b.below <= b.min) throw FileError(file, aat, "needs 0 <= min < below");
            t.age.push_back(std::move(b));
        }
    }
    if (auto it = v.FindMember("rules"); it != v.MemberEnd()) {
        if (!it->value.IsArray()) throw FileError(file, at + "/rules", "must be an array");
        for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
            const auto& r = it->value[i];
            const std::string rat = at + "/rules/" + std::to_string(i);
            Rule rule;
            only_keys(file, r, rat,
                      {"code", "detail", "when", "unless", "field", "forbid", "require", "min", "max", "periodDays", "toOrSent", "refuse"});
            rule.code = string_member(file, r, "code", rat);
            if (!problem_code::in_catalogue(rule.code))
                throw FileError(file, rat + "/code", "'" + rule.code + "' is not a code of the catalogue (messages.md, \"Checks and their codes\")");
            rule.detail = string_member(file, r, "detail", rat);
            rule.when = matches(file, r, "when", rat);
            rule.unless = matches(file, r, "unless", rat);
            rule.field = optional_string(r, "field");
            rule.forbid = optional_string(r, "forbid");
            rule.require = optional_string(r, "require");
            rule.min = opt_int(file, r, "min", rat);
            rule.max = opt_int(file, r, "max", rat);
            if (auto pd = r.FindMember("periodDays"); pd != r.MemberEnd()) {
                if (!pd->value.IsArray() || pd->value.Size() != 2 || !pd->value[0].IsString() || !pd->value[1].IsString())
                    throw FileError(file, rat + "/periodDays", "must be [from, to]");
                rule.from = pd->value[0].GetString();
                rule.to = pd->value[1].GetString();
            }
            if (auto rf = r.FindMember("refuse"); rf != r.MemberEnd()) rule.refuse = rf->value.IsBool() && rf->value.GetBool();
            if (auto ts = r.FindMember("toOrSent"); ts != r.MemberEnd()) {
                if (!ts->value.IsBool()) throw FileError(file, rat + "/toOrSent", "must be true or false");
                rule.to_or_sent = ts->value.GetBool();
                if (rule.from.empty()) throw FileError(file, rat + "/toOrSent", "only with periodDays");
            }
            const int kinds = !rule.field.empty() + !rule.from.empty() + !rule.forbid.empty() + !rule.require.empty() + rule.refuse;
            if (kinds != 1) throw FileError(file, rat, "needs exactly one of field, periodDays, forbid, require, refuse");
            if ((!rule.field.empty() || !rule.from.empty()) && !rule.min && !rule.max) throw FileError(file, rat, "needs min or max");
            for (const auto* p : {&rule.field, &rule.from, &rule.to, &rule.forbid, &rule.require})
                if (!p->empty()) require_field(file, t, *p, rat);
            for (const auto& m : rule.when) require_field(file, t, m.path, rat + "/when");
            for (const auto& m : rule.unless) require_field(file, t, m.path, rat + "/unless");
            t.rules.push_back(std::move(rule));
        }
    }
    t.report_by = optional_string(v, "reportBy");
    if (!t.report_by.empty()) require_field(file, t, t.report_by, at + "/reportBy");
    t.routing = optional_string(v, "routing");
    if (!t.routing.empty()) require_field(file, t, t.routing, at + "/routing");
    t.record_date = optional_string(v, "recordDate");
    if (!t.record_date.empty()) require_field(file, t, t.record_date, at + "/recordDate");
    if (auto e = v.FindMember("effect"); e != v.MemberEnd()) {
        using Effect = TypePolicy::Effect;
        const auto& ev = e->value;
        only_keys(file, ev, at + "/effect",
                  {"kind", "target", "status", "set", "reason", "of", "inCaseload", "from", "notice", "tombstone", "changes"});
        static const std::map<std::string, Effect, std::less<>> kinds = {
            {"none", Effect::None}, {"withdraw", Effect::Withdraw}, {"move", Effect::Move}, {"status", Effect::Status}, {"change", Effect::Change}};
        const auto kind = kinds.find(string_member(file, ev, "kind", at + "/effect"));
        if (kind == kinds.end()) throw FileError(file, at + "/effect/kind", "must be none, withdraw, move, status or change");
        t.effect_kind = kind->second;
        // Keys that belong to one kind of effect.
        static const std::tuple<const char*, Effect, const char*> owned[] = {{"tombstone", Effect::Withdraw,
                                                                              "only a withdraw effect leaves a tombstone"},
                                                                             {"changes", Effect::Change, "only a change effect has this key"},
                                                                             {"set", Effect::Status, "only a status effect has this key"},
                                                                             {"reason", Effect::Status, "only a status effect has this key"},
                                                                             {"of", Effect::Status, "only a status effect has this key"},
                                                                             {"inCaseload", Effect::Status, "only a status effect has this key"}};
        for (const auto& [key, owner, why] : owned)
            if (t.effect_kind != owner && ev.HasMember(key)) throw FileError(file, at + "/effect/" + key, why);
        t.target_field = optional_string(ev, "target");
        t.status_field = optional_string(ev, "status");
        if (t.effect_kind == Effect::Change) {
            require_field(file, t, t.target_field, at + "/effect/target");
            t.changes_field = string_member(file, ev, "changes", at + "/effect");
            const FieldSpec* cf = t.field(t.changes_field);
            if (!cf || cf->kind != FieldKind::Changes) throw FileError(file, at + "/effect/changes", "must name a field of kind changes");
        }
        if (t.effect_kind == Effect::Withdraw) {
            require_field(file, t, t.target_field, at + "/effect/target");
            const auto& tomb = member(file, ev, "tombstone", at + "/effect");
            only_keys(file, tomb, at + "/effect/tombstone", {"status"});
            t.tombstone_status = string_member(file, tomb, "status", at + "/effect/tombstone");
        }
        if (t.effect_kind == Effect::Status) load_status_effect(file, ev, at, t);
        if ((t.effect_kind == Effect::Move || t.effect_kind == Effect::Status) && t.routing.empty())
            throw FileError(file, at + "/effect", "a move or status effect needs routing");
        if (t.effect_kind == Effect::Move) {
            // The records move only out of the gemeente named: nobody pulls a pupil by a BSN alone.
            t.from_field = string_member(file, ev, "from", at + "/effect");
            require_field(file, t, t.from_field, at + "/effect/from");
            const auto& notice = member(file, ev, "notice", at + "/effect");
            only_keys(file, notice, at + "/effect/notice", {"status", "years"});
            t.notice_status = string_member(file, notice, "status", at + "/effect/notice");
            t.notice_years = int_member(file, notice, "years", at + "/effect/notice");
        }
    }
    const auto& ret = member(file, v, "retention", at);
    only_keys(file, ret, at + "/retention", {"untilAge", "years", "after", "ifMissing"});
    if (auto im = ret.FindMember("ifMissing"); im != ret.MemberEnd()) {
        if (!im->value.IsString() || std::string_view(im->value.GetString()) != "received")
            throw FileError(file, at + "/retention/ifMissing", "the only fallback is \"received\"");
        t.retention.if_missing_received = true;
    }
    if (auto u = ret.FindMember("untilAge"); u != ret.MemberEnd()) {
        t.retention.until_age = int_member(file, ret, "untilAge", at + "/retention");
    } else {
        t.retention.years = int_member(file, ret, "years", at + "/retention");
        t.retention.after = string_member(file, ret, "after", at + "/retention");
        if (t.retention.after != "received") require_field(file, t, t.retention.after, at + "/retention/after");
    }
    t.changeable = string_list(file, v, "changeable", at);
    for (const auto& p : t.changeable) {
        require_field(file, t, p, at + "/changeable");
        if (p == t.routing || std::find(t.identifier.begin(), t.identifier.end(), p) != t.identifier.end())
            throw FileError(file, at + "/changeable", "'" + p + "' decides who the record is about or where it goes: not changeable");
    }
    return t;
}

}  // namespace

std::shared_ptr<const PolicySet> PolicySet::load(const std::filesystem::path& dir) {
    const Path file = dir / "sharing.json";
    std::string text;
    auto doc = parse_json_file(file, &text);
    auto set = std::make_shared<PolicySet>();
    set->version_ = "sha256:" + sha256_hex(text).substr(0, 16);
    only_keys(file, doc, "", {"roles", "textMaxLength", "auditRetention", "systemPurposes", "closedStatuses", "berichttypen"});
    set->closed_statuses_ = string_list(file, doc, "closedStatuses", "");
    const auto& roles = member(file, doc, "roles", "");
    if (!roles.IsObject()) throw FileError(file, "/roles", "must be an object");
    for (const auto& r : roles.GetObject()) {
        const std::string at = std::string("/roles/") + r.name.GetString();
        if (!kRoles.count(r.name.GetString())) throw FileError(file, at, "unknown role");
        only_keys(file, r.value, at, {"endpoints", "purpose", "reads"});
        auto eps = string_list(file, r.value, "endpoints", at);
        for (const auto& e : eps)
            if (!kEndpoints.count(e)) throw FileError(file, at + "/endpoints", "unknown endpoint '" + e + "'");
        set->endpoints_.emplace(r.name.GetString(), std::move(eps));
        const auto& pur = member(file, r.value, "purpose", at);
        only_keys(file, pur, at + "/purpose", {"id", "name", "legalBasis"});
        set->purposes_.emplace(r.name.GetString(),
                               RolePurpose{string_member(file, pur, "id", at + "/purpose"), string_member(file, pur, "name", at + "/purpose"),
                                           string_member(file, pur, "legalBasis", at + "/purpose")});
        if (auto rd = r.value.FindMember("reads"); rd != r.value.MemberEnd()) {
            const std::string rat = at + "/reads";
            only_keys(file, rd->value, rat, {"scope", "berichttypen", "purpose"});
            ReadPolicy read;
            const std::string scope = string_member(file, rd->value, "scope", rat);
            if (scope == "region") read.scope = ReadPolicy::Scope::Region;
            else if (scope == "own-residents") read.scope = ReadPolicy::Scope::OwnResidents;
            else throw FileError(file, rat + "/scope", "must be region or own-residents");
            if (rd->value.HasMember("berichttypen")) read.berichttypen = string_list(file, rd->value, "berichttypen", rat);
            const auto& rp = member(file, rd->value, "purpose", rat);
            only_keys(file, rp, rat + "/purpose", {"id", "name", "legalBasis"});
            read.purpose = {string_member(file, rp, "id", rat + "/purpose"), string_member(file, rp, "name", rat + "/purpose"),
                            string_member(file, rp, "legalBasis", rat + "/purpose")};
            set->reads_.emplace(r.name.GetString(), std::move(read));
        }
    }
    // What the gateway does of its own accord (reloads, retention purges): purposes of their own.
    const auto& sys = member(file, doc, "systemPurposes", "");
    only_keys(file, sys, "/systemPurposes", {"beheer", "bewaartermijn"});
    for (const char* k : {"beheer", "bewaartermijn"}) {
        const std::string at = std::string("/systemPurposes/") + k;
        const auto& p = member(file, sys, k, "/systemPurposes");
        only_keys(file, p, at, {"id", "name", "legalBasis"});
        set->system_purposes_.emplace(k, RolePurpose{string_member(file, p, "id", at), string_member(file, p, "name", at),
                                                     string_member(file, p, "legalBasis", at)});
    }
    if (auto tm = doc.FindMember("textMaxLength"); tm != doc.MemberEnd()) {
        if (!tm->value.IsUint() || tm->value.GetUint() == 0) throw FileError(file, "/textMaxLength", "must be a positive integer");
        set->text_max_length_ = tm->value.GetUint();
    }
    if (auto ar = doc.FindMember("auditRetention"); ar != doc.MemberEnd()) {
        only_keys(file, ar->value, "/auditRetention", {"years"});
        set->audit_retention_years_ = int_member(file, ar->value, "years", "/auditRetention");
    }
    const auto& types = member(file, doc, "berichttypen", "");
    if (!types.IsObject() || types.MemberCount() == 0) throw FileError(file, "/berichttypen", "must name at least one berichttype");
    for (const auto& t : types.GetObject()) {
        auto tp = load_type(file, t.name.GetString(), t.value);
        for (const auto& [role, scope] : tp.senders)
            if (!set->role_may_use(role, "berichten"))
                throw FileError(file, "/berichttypen/" + tp.name + "/senders/" + role, "this role may not use the berichten endpoint");
        set->types_.emplace(tp.name, std::move(tp));
    }
    for (const auto& [name, tp] : set->types_)
        for (std::size_t i = 0; i < tp.status_of.size(); ++i) {
            const std::string oat = "/berichttypen/" + name + "/effect/of/" + std::to_string(i);
            const TypePolicy* of = set->type(tp.status_of[i].berichttype);
            if (!of) throw FileError(file, oat + "/berichttype", "unknown berichttype '" + tp.status_of[i].berichttype + "'");
            for (const auto& m : tp.status_of[i].when)
                if (!of->field(m.path)) throw FileError(file, oat + "/when", "names '" + m.path + "', which is not a field of " + of->name);
        }
    for (const auto& [role, read] : set->reads_) {
        if (!set->role_may_use(role, "caseload") && !set->role_may_use(role, "records"))
            throw FileError(file, "/roles/" + role + "/reads", "the role reads records but may use neither the caseload nor the records endpoint");
        for (const auto& t : read.berichttypen)
            if (!set->types_.count(t)) throw FileError(file, "/roles/" + role + "/reads/berichttypen", "unknown berichttype '" + t + "'");
    }
    set->register_ = build_register(*set);
    return set;
}

}  // namespace dg
