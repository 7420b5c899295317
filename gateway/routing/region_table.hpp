#pragma once
// Gemeente -> Doorstroompunt (RMC) region, from DUO's school-location CSV layout.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dg {

struct Region {
    std::string code;
    std::string name;
};

class RegionTable {
public:
    struct LoadResult {
        std::shared_ptr<const RegionTable> table;
        std::vector<std::string> conflicts;  // gemeenten found in two regions (first one kept)
    };
    // Reads the columns GEMEENTENUMMER, RMC-REGIO CODE, RMC-REGIO NAAM and, when present,
    // GEMEENTENAAM and a school location's BRIN NUMMER, VESTIGINGSNUMMER and VESTIGINGSNAAM; ';' or
    // ',' separated. Throws FileError when the layout is not recognised.
    static LoadResult parse(std::string_view csv, const std::filesystem::path& source = "regions.csv");
    static LoadResult load(const std::filesystem::path& file);

    const Region* region_of(std::string_view gemeente) const;
    // The table in the layout it was read in, one row per gemeente, sorted: what an import keeps.
    std::string to_csv() const;
    std::size_t region_count() const;
    std::vector<std::string> gemeenten_of(std::string_view region_code) const;
    std::size_t gemeente_count() const { return by_gemeente_.size(); }
    const std::string& version() const { return version_; }  // content hash
    // GEMEENTENAAM as DUO writes it (capitals), or "" when the table has none.
    const std::string& gemeente_name(std::string_view gemeente) const;
    const std::map<std::string, std::string, std::less<>>& gemeente_names() const { return names_; }
    struct School {
        std::string name, gemeente;  // VESTIGINGSNAAM, the location's GEMEENTENUMMER
    };
    // School locations by BRIN NUMMER + VESTIGINGSNUMMER ("12AB" + "00"), those with a name.
    const std::map<std::string, School, std::less<>>& schools() const { return schools_; }

private:
    std::map<std::string, Region, std::less<>> by_gemeente_;
    std::map<std::string, std::string, std::less<>> names_;
    std::map<std::string, School, std::less<>> schools_;
    std::string version_;
};

}  // namespace dg
