#include "routing/region_table.hpp"

#include <algorithm>
#include <set>

#include "core/identifiers.hpp"
#include "core/json_util.hpp"

namespace dg {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\t' || s.front() == '"' || s.front() == '\xEF' || s.front() == '\xBB' || s.front() == '\xBF'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '"')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view line, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const auto pos = line.find(sep, start);
        out.push_back(trim(line.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start)));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    return out;
}

}  // namespace

RegionTable::LoadResult RegionTable::parse(std::string_view csv, const std::filesystem::path& source) {
    auto table = std::make_shared<RegionTable>();
    LoadResult result;
    table->version_ = sha256_hex(csv).substr(0, 16);
    std::size_t line_no = 0, start = 0;
    char sep = ';';
    int col_gemeente = -1, col_code = -1, col_name = -1, col_gemeente_name = -1, col_brin = -1, col_vestiging = -1, col_school = -1;
    while (start < csv.size()) {
        auto end = csv.find('\n', start);
        if (end == std::string_view::npos) end = csv.size();
        const std::string_view line = csv.substr(start, end - start);
        start = end + 1;
        ++line_no;
        if (trim(line).empty()) continue;
        if (col_gemeente < 0) {
            sep = line.find(';') != std::string_view::npos ? ';' : ',';
            const auto cols = split(line, sep);
            for (int i = 0; i < static_cast<int>(cols.size()); ++i) {
                if (cols[i] == "GEMEENTENUMMER") col_gemeente = i;
                else if (cols[i] == "RMC-REGIO CODE") col_code = i;
                else if (cols[i] == "RMC-REGIO NAAM") col_name = i;
                else if (cols[i] == "GEMEENTENAAM") col_gemeente_name = i;
                else if (cols[i] == "BRIN NUMMER") col_brin = i;
                else if (cols[i] == "VESTIGINGSNUMMER") col_vestiging = i;
                else if (cols[i] == "VESTIGINGSNAAM") col_school = i;
            }
            if (col_gemeente < 0 || col_code < 0 || col_name < 0)
                throw FileError(source, "line 1", "needs the columns GEMEENTENUMMER, RMC-REGIO CODE and RMC-REGIO NAAM");
            continue;
        }
        const auto cols = split(line, sep);
        const int need = std::max({col_gemeente, col_code, col_name});
        if (static_cast<int>(cols.size()) <= need) throw FileError(source, "line " + std::to_string(line_no), "has fewer columns than the header");
        std::string gemeente(cols[col_gemeente]);
        // DUO writes gemeentenummers without leading zeros in some files.
        if (!gemeente.empty() && gemeente.size() < 4 && std::all_of(gemeente.begin(), gemeente.end(), ::isdigit))
            gemeente.insert(0, 4 - gemeente.size(), '0');
        if (!gemeentecode_format_valid(gemeente)) throw FileError(source, "line " + std::to_string(line_no), "GEMEENTENUMMER is not a 4-digit code");
        Region region{std::string(cols[col_code]), std::string(cols[col_name])};
        // The code names the region's store file, so it is held to a safe alphabet.
        if (!region_code_valid(region.code))
            throw FileError(source, "line " + std::to_string(line_no), "RMC-REGIO CODE must be 1-32 letters, digits, '-' or '_'");
        // The names are optional columns; a row may end before them.
        auto optional = [&](int col) { return col >= 0 && col < static_cast<int>(cols.size()) ? cols[col] : std::string_view(); };
        if (!optional(col_gemeente_name).empty()) table->names_.emplace(gemeente, optional(col_gemeente_name));
        if (!optional(col_brin).empty() && !optional(col_school).empty()) {
            if (!brin_valid(optional(col_brin)) || !vestiging_valid(optional(col_vestiging)))
                throw FileError(source, "line " + std::to_string(line_no), "BRIN NUMMER and VESTIGINGSNUMMER are a BRIN and two digits");
            table->schools_.emplace(std::string(optional(col_brin)) + std::string(optional(col_vestiging)),
                                    School{std::string(optional(col_school)), gemeente});
        }
        auto [it, inserted] = table->by_gemeente_.emplace(gemeente, region);
        if (!inserted && it->second.code != region.code)
            result.conflicts.push_back("gemeente " + gemeente + " is in region " + it->second.code + " and in region " + region.code + " (line " +
                                       std::to_string(line_no) + ")");
    }
    if (col_gemeente < 0) throw FileError(source, "", "is empty");
    result.table = std::move(table);
    return result;
}

RegionTable::LoadResult RegionTable::load(const std::filesystem::path& file) { return parse(read_file(file), file); }

std::string RegionTable::to_csv() const {
    // A row per school location, then one per gemeente without any (empty BRIN and VESTIGINGSNAAM).
    std::string out = "BRIN NUMMER;VESTIGINGSNUMMER;GEMEENTENUMMER;GEMEENTENAAM;RMC-REGIO CODE;RMC-REGIO NAAM;VESTIGINGSNAAM\n";
    std::set<std::string> with_school;
    auto row = [&](std::string_view brin, std::string_view vestiging, const std::string& g, std::string_view school) {
        const Region& r = by_gemeente_.at(g);
        out.append(brin).append(";").append(vestiging).append(";").append(g).append(";").append(gemeente_name(g));
        out.append(";").append(r.code).append(";").append(r.name).append(";").append(school).append("\n");
    };
    for (const auto& [key, s] : schools_) {
        row(std::string_view(key).substr(0, 4), std::string_view(key).substr(4), s.gemeente, s.name);
        with_school.insert(s.gemeente);
    }
    for (const auto& [g, r] : by_gemeente_)
        if (!with_school.contains(g)) row("", "", g, "");
    return out;
}

const std::string& RegionTable::gemeente_name(std::string_view gemeente) const {
    static const std::string none;
    const auto it = names_.find(gemeente);
    return it == names_.end() ? none : it->second;
}

std::size_t RegionTable::region_count() const {
    std::set<std::string> codes;
    for (const auto& [g, r] : by_gemeente_) codes.insert(r.code);
    return codes.size();
}

const Region* RegionTable::region_of(std::string_view gemeente) const {
    auto it = by_gemeente_.find(gemeente);
    return it == by_gemeente_.end() ? nullptr : &it->second;
}

std::vector<std::string> RegionTable::gemeenten_of(std::string_view region_code) const {
    std::vector<std::string> out;
    for (const auto& [g, r] : by_gemeente_)
        if (r.code == region_code) out.push_back(g);
    return out;
}

}  // namespace dg
