#include "store/history.hpp"

#include <initializer_list>
#include <utility>

#include "core/json_util.hpp"

namespace dg::history {
namespace {

std::string object(std::initializer_list<std::pair<const char*, const std::string&>> fields) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    for (const auto& [k, v] : fields) write_kv(w, k, v);
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

}  // namespace

std::string withdrawn(const std::string& intrekking_id) { return object({{"intrekking", intrekking_id}}); }

std::string status(const std::string& new_status, const std::string& trajectmelding_id) {
    return object({{"status", new_status}, {"trajectmelding", trajectmelding_id}});
}

std::string moved(const std::string& from_region, const std::string& from_gemeente, const std::string& to_region,
                  const std::string& to_gemeente, const std::string& verhuizing_id) {
    return object({{"fromRegion", from_region}, {"fromGemeente", from_gemeente}, {"toRegion", to_region},
                   {"toGemeente", to_gemeente}, {"verhuizing", verhuizing_id}});
}

}  // namespace dg::history
