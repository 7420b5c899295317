#pragma once
// One audit entry per request, allowed or refused, as canonical JSON (the bytes that are hashed).
// Subjects are keyed pseudonyms (HMAC-SHA-256), never the BSN or onderwijsnummer itself.
#include <openssl/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dg {

struct AuditEvent {
    std::string time;      // RFC 3339 UTC with milliseconds: when the request arrived
    std::string end_time;  // when its answer was decided (LDV: the span's end)
    std::string trace_id, span_id;
    std::string parent_span_id;                           // the caller's span (W3C traceparent), when it sent one
    std::string fsc_transaction_id;                       // FSC: the caller's Fsc-Transaction-Id, or one made for it
    std::string party_oin, party_role, cert_fingerprint;  // the principal; the certificate is the caller's
    std::string intermediary_oin;                         // the caller, when it acted for party_oin (Namens)
    std::string action;                                   // e.g. "POST /v1/berichten"
    std::string berichttype, bericht_id;
    std::vector<std::string> record_ids;
    std::vector<std::string> subjects;  // pseudonyms
    std::string purpose, legal_basis, policy_version;
    std::string processing_activity;  // the URI of the purpose's activity in the register (LDV)
    std::string outcome;              // allowed | refused | failed
    int status = 0;
    std::vector<std::string> problem_codes;
    // System events (start, stop, reload): what was in force, e.g. the versions of the policy,
    // party registry, mandates and region table. Written only when there are any.
    std::map<std::string, std::string> attributes;
};

// Keys in a fixed (sorted) order, no whitespace, subjects and codes sorted and unique.
std::string canonical_json(AuditEvent event);

// Turns "bsn:123456782" into "ps:bsn:" + hex(HMAC-SHA-256(key, text)) (the identifier type stays
// readable: "bsn" or "onr" for an onderwijsnummer); same input, same pseudonym.
// HMAC (RFC 2104) with the key's inner and outer SHA-256 states computed once: OpenSSL 3's
// one-shot HMAC() fetches the algorithm on every call, which cost 7% of batch ingest.
class Pseudonymizer {
public:
    explicit Pseudonymizer(std::string_view key);
    ~Pseudonymizer();
    Pseudonymizer(const Pseudonymizer& other);
    Pseudonymizer& operator=(const Pseudonymizer&) = delete;
    // Reads the key file, creating it (32 random bytes, mode 0600) when it does not exist.
    static Pseudonymizer from_key_file(const std::filesystem::path& file);
    std::string operator()(std::string_view identifier) const;

private:
    EVP_MD_CTX* inner_ = nullptr;  // SHA-256 after (key ^ ipad)
    EVP_MD_CTX* outer_ = nullptr;  // SHA-256 after (key ^ opad)
};

}  // namespace dg
