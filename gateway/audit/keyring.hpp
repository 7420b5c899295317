#pragma once
// The audit log's signing keys over time. The current key signs heads, checkpoints and receipts;
// `audit rotate-key` retires it (its private key is destroyed, its public key kept with its
// validity in DIR/audit-keys/<keyId>.json) and a new one takes over. Every head and receipt names
// the key id it was signed with, so old ones keep verifying with the key of their time.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "audit/signer.hpp"

namespace dg {

struct PublishedKey {
    std::string key_id, public_pem, valid_from, valid_until;  // RFC 3339 UTC; empty: unknown / still valid
};

// The public key ids as HeadSigner computes them (first 16 hex of SHA-256 of the DER public key).
std::optional<std::string> key_id_of_pem(const std::string& pem);

// Every key of the log, the current one first: `signing_key` (the current key's file) and the
// retired keys kept in `keys_dir`.
std::vector<PublishedKey> published_keys(const HeadSigner& current, const std::filesystem::path& keys_dir);

// A tree head of the log as it is committed now (or of its first `size` entries), signed with
// `key` at `time` (not yet stored).
SignedHead sign_tree_head(AuditLog& log, const HeadSigner& key, const std::string& time, std::optional<std::uint64_t> size = std::nullopt);

// The key file a rotation prepares the next key in (created when absent).
std::filesystem::path next_key_file(const std::filesystem::path& signing_key_file);

// Retires `current` (valid until `now`; its public key kept in keys_dir) and puts the key prepared
// in next_key_file() in its place (valid from `now`): the old private key is gone. Returns it.
HeadSigner rotate_signing_key(const HeadSigner& current, const std::filesystem::path& signing_key_file, const std::filesystem::path& keys_dir,
                              const std::string& now);

}  // namespace dg
