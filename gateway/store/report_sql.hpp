#pragma once
// What both stores' rapportage counts share: SQL literals for the policy's reportBy details (they
// go into triggers and functions, which take no parameters), and the fingerprint report_setup
// keeps of the details the counts were built for. Private to gateway/store/.
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

inline std::string fingerprint(const ReportDetails& details) {
    std::string out = "[";
    for (const auto& [type, path] : details) {
        if (out.size() > 1) out += ',';
        out += literal(type);
        out += ':';
        out += literal(path);
    }
    return out + "]";
}

}  // namespace dg::report_sql
