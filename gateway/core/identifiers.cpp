#include "core/identifiers.hpp"

#include <algorithm>
#include <cctype>

namespace dg {
namespace {

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Sum of the "elfproef" weights 9..2 and -1 over nine digits.
int elfproef_sum(std::string_view nine) {
    int sum = 0;
    for (int i = 0; i < 8; ++i) sum += (nine[i] - '0') * (9 - i);
    return sum - (nine[8] - '0');
}

}  // namespace

bool bsn_valid(std::string_view bsn) {
    if (bsn.size() != 9 || !all_digits(bsn) || bsn == "000000000") return false;
    return elfproef_sum(bsn) % 11 == 0;
}

bool onderwijsnummer_valid(std::string_view n) {
    if (n.size() != 9 || !all_digits(n) || n.substr(0, 2) != "10") return false;
    const int s = elfproef_sum(n);
    return ((s % 11) + 11) % 11 == 5;
}

bool brin_valid(std::string_view b) {
    return b.size() == 4 && all_digits(b.substr(0, 2)) && b[2] >= 'A' && b[2] <= 'Z' && b[3] >= 'A' && b[3] <= 'Z';
}

bool vestiging_valid(std::string_view v) { return v.size() == 2 && all_digits(v); }

bool gemeentecode_format_valid(std::string_view c) { return c.size() == 4 && all_digits(c); }

bool message_id_valid(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
    });
}

bool oin_format_valid(std::string_view oin) { return oin.size() == 20 && all_digits(oin); }

bool region_code_valid(std::string_view code) {
    return !code.empty() && code.size() <= 32 &&
           std::all_of(code.begin(), code.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; });
}

}  // namespace dg
