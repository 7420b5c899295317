#pragma once
// Cryptographic random bytes (OpenSSL's DRBG) drawn from a per-thread buffer: RAND_bytes does a
// fork check on every call, which showed up at 5% of batch ingest when called per record.
#include <cstddef>
#include <string>

namespace dg {

void random_bytes(unsigned char* out, std::size_t n);  // throws std::runtime_error if the DRBG fails
std::string random_hex(std::size_t bytes);

}  // namespace dg
