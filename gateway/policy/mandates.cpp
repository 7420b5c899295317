#include "policy/mandates.hpp"

#include <algorithm>

#include "core/json_util.hpp"

namespace dg {
namespace {

bool listed(const std::vector<std::string>& list, std::string_view item) { return std::find(list.begin(), list.end(), item) != list.end(); }

std::vector<std::string> names(const std::filesystem::path& file, const rapidjson::Value& obj, const char* key, const std::string& at) {
    const auto& v = member(file, obj, key, at);
    if (!v.IsArray()) throw FileError(file, at + "/" + key, "must be an array of strings");
    std::vector<std::string> out;
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        if (!v[i].IsString()) throw FileError(file, at + "/" + key + "/" + std::to_string(i), "must be a string");
        std::string s(v[i].GetString(), v[i].GetStringLength());
        if (listed(out, s)) throw FileError(file, at + "/" + key + "/" + std::to_string(i), "'" + s + "' listed twice");
        out.push_back(std::move(s));
    }
    return out;
}

Date date_member(const std::filesystem::path& file, const rapidjson::Value& obj, const char* key, const std::string& at) {
    const auto d = parse_date(string_member(file, obj, key, at));
    if (!d) throw FileError(file, at + "/" + key, "must be a date YYYY-MM-DD");
    return *d;
}

// A party named by its registry name or OIN, with the role the mandate needs it to have.
const Party& party_member(const std::filesystem::path& file, const rapidjson::Value& obj, const char* key, const std::string& at,
                          const PartyRegistry& parties) {
    const std::string name = string_member(file, obj, key, at);
    const Party* p = parties.find_by_name(name);
    if (!p) throw FileError(file, at + "/" + key, "'" + name + "' is not a party of the registry");
    return *p;
}

}  // namespace

bool Mandate::covers_type(std::string_view berichttype) const { return listed(berichttypen, berichttype); }
bool Mandate::covers_endpoint(std::string_view endpoint) const { return listed(endpoints, endpoint); }

std::shared_ptr<const MandateRegistry> MandateRegistry::load(const std::filesystem::path& file, const PartyRegistry& parties,
                                                             const PolicySet& policy) {
    std::string text;
    auto doc = parse_json_file(file, &text);
    only_keys(file, doc, "", {"mandates"});
    const auto& list = member(file, doc, "mandates", "");
    if (!list.IsArray()) throw FileError(file, "/mandates", "must be an array");
    auto reg = std::make_shared<MandateRegistry>();
    reg->version_ = "sha256:" + sha256_hex(text).substr(0, 16);
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        const std::string at = "/mandates/" + std::to_string(i);
        const auto& m = list[i];
        only_keys(file, m, at, {"intermediary", "principal", "validFrom", "validUntil", "berichttypen", "endpoints"});
        const Party& via = party_member(file, m, "intermediary", at, parties);
        const Party& principal = party_member(file, m, "principal", at, parties);
        if (via.role != "intermediary") throw FileError(file, at + "/intermediary", via.name + " has role " + via.role + ", not intermediary");
        if (principal.role == "intermediary")
            throw FileError(file, at + "/principal", "an intermediary cannot be a principal (no chains of mandates)");
        Mandate out{via.oin,
                    principal.oin,
                    date_member(file, m, "validFrom", at),
                    date_member(file, m, "validUntil", at),
                    names(file, m, "berichttypen", at),
                    names(file, m, "endpoints", at)};
        if (out.valid_until < out.valid_from) throw FileError(file, at + "/validUntil", "ends before it begins (validFrom)");
        // A mandate passes on what the principal may do, never more.
        for (std::size_t k = 0; k < out.berichttypen.size(); ++k) {
            const auto& t = out.berichttypen[k];
            if (!policy.type(t)) throw FileError(file, at + "/berichttypen/" + std::to_string(k), "'" + t + "' is not a berichttype of the policy");
            if (!policy.role_may_send(principal.role, t))
                throw FileError(file, at + "/berichttypen/" + std::to_string(k), "role " + principal.role + " may not send " + t);
        }
        for (std::size_t k = 0; k < out.endpoints.size(); ++k)
            if (!policy.role_may_use(principal.role, out.endpoints[k]))
                throw FileError(file, at + "/endpoints/" + std::to_string(k),
                                "role " + principal.role + " may not use endpoint '" + out.endpoints[k] + "'");
        if (!out.berichttypen.empty() && !out.covers_endpoint("berichten") && !out.covers_endpoint("validate"))
            throw FileError(file, at + "/berichttypen", "lists berichttypen but neither the berichten nor the validate endpoint");
        for (const auto& other : reg->mandates_)
            if (other.intermediary_oin == out.intermediary_oin && other.principal_oin == out.principal_oin && other.valid_from <= out.valid_until &&
                out.valid_from <= other.valid_until)
                throw FileError(file, at, "overlaps another mandate of " + via.name + " for " + principal.name);
        reg->mandates_.push_back(std::move(out));
    }
    return reg;
}

const Mandate* MandateRegistry::find(std::string_view intermediary, std::string_view principal, const Date& day) const {
    for (const auto& m : mandates_)
        if (m.intermediary_oin == intermediary && m.principal_oin == principal && m.valid_on(day)) return &m;
    return nullptr;
}

std::vector<const Mandate*> MandateRegistry::of(std::string_view intermediary) const {
    std::vector<const Mandate*> out;
    for (const auto& m : mandates_)
        if (m.intermediary_oin == intermediary) out.push_back(&m);
    return out;
}

}  // namespace dg
