#pragma once
// SHA-256 with the algorithm fetched once. OpenSSL 3 looks an implicitly named digest (EVP_sha256())
// up again on every EVP_DigestInit: a read lock and a table search that showed in the profiles of
// TLS handshakes and of `audit verify`. Each thread keeps one digest context.
#include <openssl/types.h>

#include <initializer_list>
#include <string>
#include <string_view>

namespace dg {

const EVP_MD* sha256_md();

// SHA-256 of the concatenation of `parts` into out[32].
void sha256(std::initializer_list<std::string_view> parts, unsigned char* out);

// SHA-256 over text that arrives in pieces (a message's canonical records, one by one).
class Sha256Stream {
public:
    Sha256Stream();
    ~Sha256Stream();
    Sha256Stream(const Sha256Stream&) = delete;
    Sha256Stream& operator=(const Sha256Stream&) = delete;
    void update(std::string_view part);
    std::string hex();  // finishes the digest: 64 lower-case hex characters
private:
    EVP_MD_CTX* ctx_;
};

}  // namespace dg
