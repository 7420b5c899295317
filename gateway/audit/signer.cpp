#include "audit/signer.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

#include "audit/audit_log.hpp"
#include "core/json_util.hpp"

namespace dg {
namespace {

std::string public_pem(EVP_PKEY* key) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key);
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    return pem;
}

}  // namespace

std::string signed_head_text(std::uint64_t size, const std::string& root_hex, const std::string& time) {
    return "doorstroom-gateway audit v1\n" + std::to_string(size) + "\n" + root_hex + "\n" + time + "\n";
}

std::string signed_receipt_text(std::string_view bericht_id, std::string_view party_oin, std::string_view digest, std::string_view received_at,
                                std::uint64_t audit_index, std::uint64_t accepted, std::uint64_t rejected) {
    std::string t = "doorstroom-gateway receipt v1\n";
    for (std::string_view v : {bericht_id, party_oin, digest, received_at}) (t += v) += '\n';
    for (std::uint64_t n : {audit_index, accepted, rejected}) (t += std::to_string(n)) += '\n';
    return t;
}

HeadSigner::HeadSigner(EVP_PKEY* key) : key_(key) {
    public_pem_ = public_pem(key_);
    public_key_ = note::PublicKey::from_pem(public_pem_).value();
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(key_, &der);
    key_id_ = sha256_hex(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(len))).substr(0, 16);
    OPENSSL_free(der);
}

HeadSigner::HeadSigner(HeadSigner&& o) noexcept
    : key_(o.key_), key_id_(std::move(o.key_id_)), public_pem_(std::move(o.public_pem_)), public_key_(std::move(o.public_key_)) {
    o.key_ = nullptr;
}

HeadSigner::~HeadSigner() { EVP_PKEY_free(key_); }

HeadSigner HeadSigner::from_key_file(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file)) {
        EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        if (!key) throw std::runtime_error("cannot generate the Ed25519 audit signing key");
        BIO* bio = BIO_new(BIO_s_mem());
        const bool ok = PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
        EVP_PKEY_free(key);
        char* pem = nullptr;
        const long len = BIO_get_mem_data(bio, &pem);
        const std::string text = ok ? std::string(pem, static_cast<std::size_t>(len)) : std::string();
        BIO_free(bio);
        if (!ok) throw std::runtime_error("cannot encode the audit signing key");
        create_secret_file_once(file, text);
    }
    FILE* f = std::fopen(file.c_str(), "r");
    if (!f) throw FileError(file, "", "cannot read the audit signing key");
    EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (!key || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(key);
        throw FileError(file, "", "not an Ed25519 private key (PEM)");
    }
    return HeadSigner(key);
}

std::string HeadSigner::sign_raw(std::string_view text) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned char sig[64];
    std::size_t len = sizeof sig;
    const bool ok = EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_) == 1 &&
                    EVP_DigestSign(ctx, sig, &len, reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) throw std::runtime_error("Ed25519 signing failed");
    return std::string(reinterpret_cast<char*>(sig), len);
}

std::string HeadSigner::sign_base64(std::string_view text) const { return note::base64(sign_raw(text)); }

std::string HeadSigner::checkpoint(std::string_view origin, std::uint64_t size, const merkle::Hash& root) const {
    const std::string body = note::checkpoint_text({std::string(origin), size, root});
    return body + "\n" + note::signature_line(origin, note::key_hash(origin, note::kEd25519, public_key_) + sign_raw(body));
}

bool verify_head_signature(const std::string& pem, std::string_view text, const std::string& signature) {
    const auto key = note::PublicKey::from_pem(pem);
    const auto sig = note::unbase64(signature);
    return key && sig && key->verify(text, *sig);
}

}  // namespace dg
