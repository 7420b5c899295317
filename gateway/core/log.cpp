#include "core/log.hpp"

#include <cstdio>
#include <mutex>

#include "core/dates.hpp"
#include "core/json_util.hpp"

namespace dg {

void log_line(std::string_view level, std::string_view message, std::initializer_list<LogField> fields) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    write_kv(w, "time", now_rfc3339_utc());
    write_kv(w, "level", level);
    write_kv(w, "msg", message);
    for (const auto& [k, v] : fields) write_kv(w, k, v);
    w.EndObject();
    static std::mutex mu;
    std::lock_guard lock(mu);
    std::fprintf(stderr, "%s\n", buf.GetString());
    std::fflush(stderr);
}

}  // namespace dg
