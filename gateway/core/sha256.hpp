#pragma once
// SHA-256 with the algorithm fetched once. OpenSSL 3 looks an implicitly named digest (EVP_sha256())
// up again on every EVP_DigestInit: a read lock and a table search that showed in the profiles of
// TLS handshakes and of `audit verify`. Each thread keeps one digest context.
#include <openssl/types.h>

#include <initializer_list>
#include <string_view>

namespace dg {

const EVP_MD* sha256_md();

// SHA-256 of the concatenation of `parts` into out[32].
void sha256(std::initializer_list<std::string_view> parts, unsigned char* out);

}  // namespace dg
