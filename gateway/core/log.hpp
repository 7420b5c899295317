#pragma once
// Operational log: one JSON object per line on stderr. Never given personal data: callers log
// codes, counts, OINs and pseudonyms only.
#include <initializer_list>
#include <string_view>
#include <utility>

namespace dg {

using LogField = std::pair<std::string_view, std::string_view>;
void log_line(std::string_view level, std::string_view message, std::initializer_list<LogField> fields = {});
inline void log_info(std::string_view m, std::initializer_list<LogField> f = {}) { log_line("info", m, f); }
inline void log_warn(std::string_view m, std::initializer_list<LogField> f = {}) { log_line("warn", m, f); }
inline void log_error(std::string_view m, std::initializer_list<LogField> f = {}) { log_line("error", m, f); }

}  // namespace dg
