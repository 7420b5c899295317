#pragma once
// Parties of the chain as the registry knows them: OIN -> role and scope.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dg {

struct Party {
    std::string oin;
    std::string name;
    std::string role;               // duo | school | gemeente | coordinator | auditor | intermediary
    std::string brin;               // school: its BRIN
    std::string gemeente;           // gemeente: itself; coordinator: a gemeente of its region
    std::string display_name = {};  // the organisation as people name it ("displayName"; "" = name)
    const std::string& shown_name() const { return display_name.empty() ? name : display_name; }
};

class PartyRegistry {
public:
    // Throws FileError naming the file, entry and reason when the registry is not valid.
    static std::shared_ptr<const PartyRegistry> load(const std::filesystem::path& file);
    const Party* find(std::string_view oin) const;
    // By registry name (e.g. "school-12AB") or OIN.
    const Party* find_by_name(std::string_view name_or_oin) const;
    std::size_t size() const { return by_oin_.size(); }
    // Every party, by OIN.
    std::vector<const Party*> all() const;
    const std::string& version() const { return version_; }  // SHA-256 of the file (16 hex)

private:
    std::string version_;
    std::unordered_map<std::string, Party> by_oin_;
};

}  // namespace dg
