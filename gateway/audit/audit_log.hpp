#pragma once
// Reading the tamper-evident audit log: entries with their leaf hashes, complete-subtree nodes for
// heads and proofs (RFC 9162), and the signed tree heads. Appending happens in the store's commits,
// in the same transaction as the records an entry is about.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/merkle.hpp"

namespace dg {

struct AuditRow {
    std::uint64_t index = 0;  // 0-based leaf index
    std::string leaf_hash;    // hex
    std::string entry;        // the exact canonical JSON that was hashed
};

struct SignedHead {
    std::uint64_t size = 0;
    std::string root;       // hex
    std::string time;       // RFC 3339 UTC
    std::string signature;  // base64 Ed25519 over signed_head_text()
    std::string key_id;
};

// The bytes a tree head signature covers (interface.md, "Audit log format").
std::string signed_head_text(std::uint64_t size, const std::string& root_hex, const std::string& time);
// The bytes a receipt's signature covers (interface.md, "Receipts").
std::string signed_receipt_text(std::string_view bericht_id, std::string_view party_oin, std::string_view digest, std::string_view received_at,
                                std::uint64_t audit_index, std::uint64_t accepted, std::uint64_t rejected);

// A closed period of the log (audit retention): the entries below `size`, closed at `closed_at`
// (RFC 3339 UTC); a head signed at exactly that size closes it.
struct AuditPeriod {
    std::uint64_t size = 0;
    std::string closed_at;
};

struct AuditQuery {
    std::uint64_t from = 0;             // first index
    std::uint64_t before = UINT64_MAX;  // indexes below this one
    std::size_t limit = 100;
    std::string action, party;        // optional exact filters
    std::vector<std::string> any_of;  // if given: entries holding at least one of these texts
    bool newest_first = false;
};

class AuditLog {
public:
    virtual ~AuditLog() = default;
    virtual std::uint64_t committed_size() = 0;
    virtual std::vector<AuditRow> entries(const AuditQuery& query) = 0;
    virtual std::vector<AuditRow> entries_mentioning(const std::string& pseudonym) = 0;
    // Complete-subtree hashes as committed, for heads and proofs.
    virtual std::unique_ptr<merkle::NodeSource> nodes() = 0;
    virtual std::optional<SignedHead> latest_head() = 0;
    virtual std::vector<SignedHead> heads() = 0;
    virtual std::optional<SignedHead> head_at(std::uint64_t size) = 0;
    // Entries below this index were removed at the end of their retention (0: none). Of them the
    // log keeps only the edge of that prefix (merkle::CompactRange::edge_of): all that heads and
    // proofs from there on need.
    virtual std::uint64_t removed_before() = 0;
    // Every period closed so far, oldest first.
    virtual std::vector<AuditPeriod> periods() = 0;
    // The stored receipt of every accepted message, with the OIN of the party it was accepted from.
    virtual void scan_receipts(const std::function<bool(std::string_view party_oin, std::string_view receipt)>& fn) = 0;

    // What `audit verify` reads, in store order, as stored (nothing recomputed): every entry with
    // its leaf hash (`leaf` is null when the stored hash is not 32 bytes), and every stored subtree.
    // The callbacks return false to stop early.
    struct StoredLeaf {
        std::uint64_t index;  // as stored: a gap or a repeat shows a deleted or reordered entry
        std::string_view entry;
        const unsigned char* leaf;
    };
    virtual void scan_entries(const std::function<bool(const StoredLeaf&)>& fn) = 0;
    struct StoredNode {
        unsigned level;
        std::uint64_t index;
        const unsigned char* hash;  // null when not 32 bytes
    };
    virtual void scan_nodes(const std::function<bool(const StoredNode&)>& fn) = 0;
};

}  // namespace dg
