#include "audit/audit_entry.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

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

std::string hex(const unsigned char* p, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    return out;
}

}  // namespace

std::string canonical_json(AuditEvent e) {
    sort_unique(e.subjects);
    sort_unique(e.problem_codes);
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    write_kv(w, "action", e.action);
    write_kv(w, "berichtId", e.bericht_id);
    write_kv(w, "berichttype", e.berichttype);
    write_kv(w, "certFingerprint", e.cert_fingerprint);
    write_kv(w, "legalBasis", e.legal_basis);
    write_kv(w, "outcome", e.outcome);
    write_kv(w, "partyOin", e.party_oin);
    write_kv(w, "partyRole", e.party_role);
    write_kv(w, "policyVersion", e.policy_version);
    write_list(w, "problems", e.problem_codes);
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
        std::filesystem::create_directories(file.parent_path());
        unsigned char raw[32];
        if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("no randomness for the pseudonym key");
        const mode_t old = umask(077);
        std::ofstream(file) << hex(raw, sizeof raw) << "\n";
        umask(old);
    }
    std::string key = read_file(file);
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) key.pop_back();
    if (key.size() < 32) throw FileError(file, "", "pseudonym key must hold at least 32 characters");
    return Pseudonymizer(std::move(key));
}

std::string Pseudonymizer::operator()(std::string_view identifier) const {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(identifier.data()),
         identifier.size(), md, &len);
    return "ps:" + hex(md, len);
}

}  // namespace dg
