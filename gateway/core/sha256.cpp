#include "core/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

#include "core/hex.hpp"

namespace dg {

const EVP_MD* sha256_md() {
    static EVP_MD* md = [] {
        EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        if (!m) throw std::runtime_error("OpenSSL offers no SHA-256");
        return m;
    }();
    return md;
}

void sha256(std::initializer_list<std::string_view> parts, unsigned char* out) {
    struct Context {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        ~Context() { EVP_MD_CTX_free(ctx); }
    };
    thread_local Context c;
    unsigned int len = 0;
    EVP_DigestInit_ex2(c.ctx, sha256_md(), nullptr);
    for (auto p : parts) EVP_DigestUpdate(c.ctx, p.data(), p.size());
    EVP_DigestFinal_ex(c.ctx, out, &len);
}

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex2(ctx_, sha256_md(), nullptr) != 1) throw std::runtime_error("SHA-256 context");
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(ctx_); }

void Sha256Stream::update(std::string_view part) { EVP_DigestUpdate(ctx_, part.data(), part.size()); }

std::string Sha256Stream::hex() {
    unsigned char out[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, out, &len);
    return to_hex(out, sizeof out);
}

}  // namespace dg
