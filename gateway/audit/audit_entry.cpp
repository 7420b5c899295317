#include "audit/audit_entry.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "core/hex.hpp"
#include "core/json_util.hpp"

namespace dg {
namespace {

void sort_unique(std::vector<std::string>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

void write_list(JsonWriter& w, std::string_view key, const std::vector<std::string>& v) {
    write_string(w, key);
    w.StartArray();
    for (const auto& s : v) write_string(w, s);
    w.EndArray();
}

}  // namespace

std::string canonical_json(AuditEvent e) {
    sort_unique(e.subjects);
    sort_unique(e.problem_codes);
    // Sized up front: an entry of a 100 000-record message runs to megabytes, and growing the
    // buffer step by step would copy it over and over.
    std::size_t size = 1024;
    for (const auto* list : {&e.subjects, &e.problem_codes, &e.record_ids})
        for (const auto& s : *list) size += s.size() + 3;
    rapidjson::StringBuffer buf(nullptr, size);
    JsonWriter w(buf);
    w.StartObject();
    write_kv(w, "action", e.action);
    if (!e.attributes.empty()) {
        write_string(w, "attributes");
        w.StartObject();
        for (const auto& [k, v] : e.attributes) write_kv(w, k, v);
        w.EndObject();
    }
    write_kv(w, "berichtId", e.bericht_id);
    write_kv(w, "berichttype", e.berichttype);
    write_kv(w, "certFingerprint", e.cert_fingerprint);
    write_kv(w, "endTime", e.end_time);
    write_kv(w, "fscTransactionId", e.fsc_transaction_id);
    write_kv(w, "intermediaryOin", e.intermediary_oin);
    write_kv(w, "legalBasis", e.legal_basis);
    write_kv(w, "outcome", e.outcome);
    write_kv(w, "parentSpanId", e.parent_span_id);
    write_kv(w, "partyOin", e.party_oin);
    write_kv(w, "partyRole", e.party_role);
    write_kv(w, "policyVersion", e.policy_version);
    write_list(w, "problems", e.problem_codes);
    write_kv(w, "processingActivity", e.processing_activity);
    write_kv(w, "purpose", e.purpose);
    write_list(w, "recordIds", e.record_ids);
    write_kv(w, "spanId", e.span_id);
    write_string(w, "status");
    w.Int(e.status);
    write_list(w, "subjects", e.subjects);
    write_kv(w, "time", e.time);
    write_kv(w, "traceId", e.trace_id);
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

Pseudonymizer Pseudonymizer::from_key_file(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file)) {
        unsigned char raw[32];
        if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("no randomness for the pseudonym key");
        create_secret_file_once(file, to_hex(raw, sizeof raw) + "\n");
    }
    std::string key = read_file(file);
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) key.pop_back();
    if (key.size() < 32) throw FileError(file, "", "pseudonym key must hold at least 32 characters");
    Pseudonymizer p(key);
    OPENSSL_cleanse(key.data(), key.size());
    return p;
}

Pseudonymizer::Pseudonymizer(std::string_view key) : inner_(EVP_MD_CTX_new()), outer_(EVP_MD_CTX_new()) {
    constexpr std::size_t kBlock = 64;  // SHA-256 block size
    unsigned char k[kBlock] = {};
    if (key.size() > kBlock) {
        unsigned int n = 0;
        EVP_Digest(key.data(), key.size(), k, &n, EVP_sha256(), nullptr);
    } else {
        std::copy(key.begin(), key.end(), k);
    }
    unsigned char ipad[kBlock], opad[kBlock];
    for (std::size_t i = 0; i < kBlock; ++i) {
        ipad[i] = static_cast<unsigned char>(k[i] ^ 0x36);
        opad[i] = static_cast<unsigned char>(k[i] ^ 0x5c);
    }
    if (!inner_ || !outer_ || EVP_DigestInit_ex(inner_, EVP_sha256(), nullptr) != 1 || EVP_DigestUpdate(inner_, ipad, kBlock) != 1 ||
        EVP_DigestInit_ex(outer_, EVP_sha256(), nullptr) != 1 || EVP_DigestUpdate(outer_, opad, kBlock) != 1)
        throw std::runtime_error("cannot set up HMAC-SHA-256");
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(ipad, sizeof ipad);
    OPENSSL_cleanse(opad, sizeof opad);
}

Pseudonymizer::Pseudonymizer(const Pseudonymizer& other) : inner_(EVP_MD_CTX_new()), outer_(EVP_MD_CTX_new()) {
    if (!inner_ || !outer_ || EVP_MD_CTX_copy_ex(inner_, other.inner_) != 1 || EVP_MD_CTX_copy_ex(outer_, other.outer_) != 1)
        throw std::runtime_error("cannot copy HMAC state");
}

Pseudonymizer::~Pseudonymizer() {
    EVP_MD_CTX_free(inner_);
    EVP_MD_CTX_free(outer_);
}

std::string Pseudonymizer::operator()(std::string_view identifier) const {
    struct CtxFree {
        void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
    };
    thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> owned(EVP_MD_CTX_new());
    EVP_MD_CTX* ctx = owned.get();
    unsigned char inner_md[32], md[32];
    unsigned int len = 0;
    EVP_MD_CTX_copy_ex(ctx, inner_);
    EVP_DigestUpdate(ctx, identifier.data(), identifier.size());
    EVP_DigestFinal_ex(ctx, inner_md, &len);
    EVP_MD_CTX_copy_ex(ctx, outer_);
    EVP_DigestUpdate(ctx, inner_md, sizeof inner_md);
    EVP_DigestFinal_ex(ctx, md, &len);
    const std::string_view type = identifier.substr(0, identifier.find(':'));
    return std::string(type == "bsn" ? "ps:bsn:" : type == "onderwijsnummer" ? "ps:onr:" : "ps:") + to_hex(md, sizeof md);
}

}  // namespace dg
