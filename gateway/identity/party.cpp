#include "identity/party.hpp"

#include <algorithm>

#include "core/identifiers.hpp"
#include "core/json_util.hpp"

namespace dg {

std::shared_ptr<const PartyRegistry> PartyRegistry::load(const std::filesystem::path& file) {
    std::string text;
    auto doc = parse_json_file(file, &text);
    only_keys(file, doc, "", {"parties"});
    const auto& list = member(file, doc, "parties", "");
    if (!list.IsArray()) throw FileError(file, "/parties", "must be an array");
    auto reg = std::make_shared<PartyRegistry>();
    reg->version_ = "sha256:" + sha256_hex(text).substr(0, 16);
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        const std::string at = "/parties/" + std::to_string(i);
        Party p;
        only_keys(file, list[i], at, {"oin", "name", "role", "brin", "gemeente", "displayName"});
        p.oin = string_member(file, list[i], "oin", at);
        p.name = string_member(file, list[i], "name", at);
        p.role = string_member(file, list[i], "role", at);
        p.brin = optional_string(list[i], "brin");
        p.display_name = optional_string(list[i], "displayName");
        p.gemeente = optional_string(list[i], "gemeente");
        if (!oin_format_valid(p.oin)) throw FileError(file, at + "/oin", "an OIN has 20 digits");
        if (p.role == "school" && !brin_valid(p.brin)) throw FileError(file, at + "/brin", "a school needs a valid BRIN");
        if ((p.role == "gemeente" || p.role == "coordinator") && !gemeentecode_format_valid(p.gemeente))
            throw FileError(file, at + "/gemeente", "a gemeente or coordinator needs a 4-digit gemeentecode");
        if (p.role != "duo" && p.role != "school" && p.role != "gemeente" && p.role != "coordinator" && p.role != "auditor" &&
            p.role != "intermediary")
            throw FileError(file, at + "/role", "unknown role '" + p.role + "'");
        if (!reg->by_oin_.emplace(p.oin, p).second) throw FileError(file, at + "/oin", "OIN listed twice");
    }
    return reg;
}

const Party* PartyRegistry::find(std::string_view oin) const {
    auto it = by_oin_.find(std::string(oin));
    return it == by_oin_.end() ? nullptr : &it->second;
}

}  // namespace dg

namespace dg {

const Party* PartyRegistry::find_by_name(std::string_view name_or_oin) const {
    if (const Party* p = find(name_or_oin)) return p;
    for (const auto& [oin, p] : by_oin_)
        if (p.name == name_or_oin) return &p;
    return nullptr;
}

std::vector<const Party*> PartyRegistry::all() const {
    std::vector<const Party*> out;
    out.reserve(by_oin_.size());
    for (const auto& [oin, p] : by_oin_) out.push_back(&p);
    std::sort(out.begin(), out.end(), [](const Party* a, const Party* b) { return a->oin < b->oin; });
    return out;
}

}  // namespace dg
