#include "api/changes.hpp"
#include "core/problem.hpp"

#include <algorithm>

#include "core/json_util.hpp"

namespace dg {
namespace {

void flatten(const rapidjson::Value& v, const std::string& path, std::vector<Field>& out) {
    if (v.IsObject()) {
        for (const auto& m : v.GetObject()) flatten(m.value, path.empty() ? m.name.GetString() : path + "/" + m.name.GetString(), out);
        return;
    }
    Value value;
    if (v.IsString()) value = {ValueKind::String, std::string(v.GetString(), v.GetStringLength())};
    else if (v.IsBool()) value = {ValueKind::Bool, v.GetBool() ? "true" : "false"};
    else if (v.IsNull()) value = {ValueKind::Null, ""};
    else if (v.IsUint64()) value = {ValueKind::Number, std::to_string(v.GetUint64())};
    else if (v.IsInt64()) value = {ValueKind::Number, std::to_string(v.GetInt64())};
    else if (v.IsNumber()) value = {ValueKind::Number, std::to_string(v.GetDouble())};
    else value = {ValueKind::String, ""};  // arrays: no record field is one
    out.push_back({path, std::move(value)});
}

}  // namespace

Melding melding_from_json(const std::string& data) {
    Melding m;
    rapidjson::Document d;
    if (d.Parse(data.data(), data.size()).HasParseError() || !d.IsObject()) return m;
    for (const auto& f : d.GetObject()) {
        if (std::string_view(f.name.GetString()) == "meldingId" && f.value.IsString()) {
            m.melding_id = f.value.GetString();
            m.has_melding_id = true;
            continue;
        }
        flatten(f.value, f.name.GetString(), m.fields);
    }
    return m;
}

Problems judge_change(StoredRecord& change, const StoredRecord& target, const Snapshot& s, const Party& sender, const Date& sent, WireFormat format) {
    const TypePolicy* ct = s.policy->type(change.berichttype);
    const TypePolicy* tt = s.policy->type(target.berichttype);
    const std::size_t index = change.melding_index;
    auto problem = [&](const char* code, const std::string& path, std::string detail) {
        return Problem{code, melding_path(index, path), std::move(detail), change.melding_id};
    };
    if (!ct || !tt) return {problem(problem_code::kChangeUnknown, "betreft", "the changed record's type is no longer in the policy")};
    const std::string& under = ct->changes_field;

    std::vector<Field> changes;
    {
        rapidjson::Document d;
        d.Parse(change.data.data(), change.data.size());
        if (d.IsObject() && d.HasMember(under.c_str())) flatten(d[under.c_str()], "", changes);
    }
    Problems out;
    for (const auto& c : changes)
        if (std::find(tt->changeable.begin(), tt->changeable.end(), c.path) == tt->changeable.end()) {
            std::string allowed;
            for (const auto& a : tt->changeable) allowed += (allowed.empty() ? "" : ", ") + a;
            out.push_back(problem(problem_code::kFieldNotPermitted, under + "/" + c.path,
                                  "a wijziging of a " + tt->name + " may change only: " + (allowed.empty() ? "nothing" : allowed)));
        }
    if (!out.empty()) return out;

    // The record as changed (JSON merge-patch: null removes a field), judged as a whole.
    Melding merged = melding_from_json(target.data);
    merged.index = index;
    for (const auto& c : changes) {
        auto it = std::find_if(merged.fields.begin(), merged.fields.end(), [&](const Field& f) { return f.path == c.path; });
        if (c.value.kind == ValueKind::Null) {
            if (it != merged.fields.end()) merged.fields.erase(it);
        } else if (it != merged.fields.end()) {
            it->value = c.value;
        } else {
            merged.fields.push_back(c);
        }
    }
    if (format == WireFormat::Xml) tt->apply_text_types(merged);  // XML carries only text, typed by the changed record's schema
    const Date received = parse_rfc3339_local_date(target.received_at).value_or(sent);
    Decision d = s.policy->decide(*tt, sent, received, merged, &sender, *s.regions);
    // The changed record's canonical form is JSON, whatever format the change came in: its JSON Schema.
    std::string canonical;
    if (d.allowed()) structural_gate(s, *tt, WireFormat::Json, merged, d, canonical);
    if (!d.allowed()) {
        // Point at what the sender wrote: a changed field's path is under the changes.
        for (auto& p : d.problems) {
            for (const auto& c : changes)
                if (p.path == melding_path(index, c.path)) p.path = melding_path(index, under + "/" + c.path);
            p.melding_id = change.melding_id;
        }
        return std::move(d.problems);
    }
    change.new_data = std::move(canonical);
    change.new_retention = d.retention_until;
    for (const auto& c : changes) change.changed_fields.push_back(c.path);
    return {};
}

}  // namespace dg
