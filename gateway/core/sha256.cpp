#include "core/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

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

}  // namespace dg
