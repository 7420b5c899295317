#include "core/random.hpp"

#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>

namespace dg {

void random_bytes(unsigned char* out, std::size_t n) {
    thread_local unsigned char pool[4096];
    thread_local std::size_t left = 0;
    while (n > 0) {
        if (left == 0) {
            if (RAND_bytes(pool, sizeof pool) != 1) throw std::runtime_error("no randomness (RAND_bytes failed)");
            left = sizeof pool;
        }
        const std::size_t take = n < left ? n : left;
        std::memcpy(out, pool + (sizeof pool - left), take);
        std::memset(pool + (sizeof pool - left), 0, take);  // used bytes do not linger
        left -= take;
        out += take;
        n -= take;
    }
}

std::string random_hex(std::size_t bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(bytes * 2, '0');
    unsigned char b[64];
    for (std::size_t done = 0; done < bytes;) {
        const std::size_t chunk = bytes - done < sizeof b ? bytes - done : sizeof b;
        random_bytes(b, chunk);
        for (std::size_t i = 0; i < chunk; ++i) {
            out[2 * (done + i)] = hex[b[i] >> 4];
            out[2 * (done + i) + 1] = hex[b[i] & 15];
        }
        done += chunk;
    }
    return out;
}

}  // namespace dg
