#pragma once
// An Ed25519 signing key kept in a file (0600), created when absent: the key that signs tree heads,
// checkpoints and receipts, and a witness's cosigning key.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <openssl/types.h>

#include "audit/note.hpp"

namespace dg {

class HeadSigner {
public:
    static HeadSigner from_key_file(const std::filesystem::path& file);  // creates the key if absent
    HeadSigner(HeadSigner&&) noexcept;
    ~HeadSigner();
    std::string sign_base64(std::string_view text) const;
    std::string sign_raw(std::string_view text) const;  // the 64 signature bytes
    const note::PublicKey& public_key() const { return public_key_; }
    // C2SP tlog-checkpoint as a C2SP signed note: "{origin}\n{size}\n{base64 root}\n", an empty
    // line, and "— {origin} {base64(key hash ‖ signature)}\n", key hash = the first 4 bytes of
    // SHA-256(origin ‖ 0x0A ‖ 0x01 ‖ raw public key).
    std::string checkpoint(std::string_view origin, std::uint64_t size, const merkle::Hash& root) const;
    const std::string& key_id() const { return key_id_; }  // hex of SHA-256 of the public key (DER), first 16
    const std::string& public_key_pem() const { return public_pem_; }

private:
    explicit HeadSigner(EVP_PKEY* key);
    EVP_PKEY* key_ = nullptr;
    std::string key_id_, public_pem_;
    note::PublicKey public_key_;
};

// Verifies with a PEM public key; what an outsider does with the published key.
bool verify_head_signature(const std::string& public_key_pem, std::string_view text, const std::string& signature_base64);

}  // namespace dg
