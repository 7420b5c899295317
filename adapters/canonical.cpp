#include "canonical.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace dg {

std::string melding_path(std::size_t index, std::string_view field_path) {
    std::string p = "/meldingen/" + std::to_string(index);
    if (!field_path.empty()) {
        p += '/';
        p += field_path;
    }
    return p;
}

std::string melding_to_json(const Melding& m) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    emit_melding(m, w);
    return {buf.GetString(), buf.GetSize()};
}

}  // namespace dg
