#pragma once
// Lower-case hexadecimal of bytes: ids, digests, fingerprints.
#include <cstddef>
#include <string>

namespace dg {

inline std::string to_hex(const unsigned char* p, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    return out;
}

}  // namespace dg
