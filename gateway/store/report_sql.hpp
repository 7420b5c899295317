#pragma once
// What both stores' rapportage counts share: SQL literals for the policy's reportBy details (they
// go into SQL the store writes itself, which takes no parameters), the form report_setup keeps
// the details in, and the value of a record's reportBy field. Private to gateway/store/.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "store/record_store.hpp"

namespace dg::report_sql {

// A single-quoted SQL string literal (standard SQL: a quote is doubled).
inline std::string literal(std::string_view v) {
    std::string out = "'";
    for (char c : v) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

// The details as report_setup keeps them: [["berichttype","a/b"], …].
inline std::string fingerprint(const ReportDetails& details) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartArray();
    for (const auto& [type, path] : details) {
        w.StartArray();
        w.String(type.data(), static_cast<rapidjson::SizeType>(type.size()));
        w.String(path.data(), static_cast<rapidjson::SizeType>(path.size()));
        w.EndArray();
    }
    w.EndArray();
    return {buf.GetString(), buf.GetSize()};
}

inline std::optional<ReportDetails> details_of(const std::string& fingerprint) {
    rapidjson::Document d;
    d.Parse(fingerprint.c_str(), fingerprint.size());
    if (d.HasParseError() || !d.IsArray()) return std::nullopt;
    ReportDetails out;
    for (const auto& pair : d.GetArray()) {
        if (!pair.IsArray() || pair.Size() != 2 || !pair[0].IsString() || !pair[1].IsString()) return std::nullopt;
        out.emplace_back(pair[0].GetString(), pair[1].GetString());
    }
    return out;
}

// The record's reportBy value: the string at its type's field path, "" when its type has none or
// the field is absent or not a string (the stores' SQL for a rebuild says the same).
inline std::string detail_of(const ReportDetails& details, const std::string& berichttype, const std::string& data) {
    const auto it = std::find_if(details.begin(), details.end(), [&](const auto& d) { return d.first == berichttype; });
    if (it == details.end()) return {};
    rapidjson::Document doc;
    doc.Parse(data.data(), data.size());
    const rapidjson::Value* v = &doc;
    const std::string& path = it->second;
    for (std::size_t at = 0; at <= path.size();) {
        const std::size_t end = std::min(path.find('/', at), path.size());
        if (!v->IsObject()) return {};
        const auto m = v->FindMember(rapidjson::Value(path.data() + at, static_cast<rapidjson::SizeType>(end - at)));
        if (m == v->MemberEnd()) return {};
        v = &m->value;
        at = end + 1;
    }
    return v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

}  // namespace dg::report_sql
