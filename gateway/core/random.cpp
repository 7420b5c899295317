#include "core/random.hpp"

#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>

#include "core/hex.hpp"

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
    std::string raw(bytes, '\0');
    random_bytes(reinterpret_cast<unsigned char*>(raw.data()), bytes);
    return to_hex(reinterpret_cast<const unsigned char*>(raw.data()), bytes);
}

}  // namespace dg
