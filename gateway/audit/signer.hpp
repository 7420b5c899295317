#pragma once
// The Ed25519 key that signs tree heads: kept in the data dir (0600), created on first start.
#include <filesystem>
#include <string>
#include <string_view>

#include <openssl/types.h>

namespace dg {

class HeadSigner {
public:
    static HeadSigner from_key_file(const std::filesystem::path& file);  // creates the key if absent
    HeadSigner(HeadSigner&&) noexcept;
    ~HeadSigner();
    std::string sign_base64(std::string_view text) const;
    const std::string& key_id() const { return key_id_; }          // hex of SHA-256 of the public key (DER), first 16
    const std::string& public_key_pem() const { return public_pem_; }

private:
    explicit HeadSigner(EVP_PKEY* key);
    EVP_PKEY* key_ = nullptr;
    std::string key_id_, public_pem_;
};

// Verifies with a PEM public key; what an outsider does with the published key.
bool verify_head_signature(const std::string& public_key_pem, std::string_view text, const std::string& signature_base64);

}  // namespace dg
