#include "app/audit_verify.hpp"

#include <algorithm>
#include <cstring>

#include "audit/merkle.hpp"
#include "audit/signer.hpp"
#include "core/json_util.hpp"

namespace dg {
namespace {

AuditVerifyReport bad(AuditVerifyReport r, std::uint64_t index, std::string reason) {
    r.ok = false;
    r.first_bad_index = index;
    r.reason = std::move(reason);
    return r;
}

}  // namespace

AuditVerifyReport verify_audit_log(AuditLog& log, const std::map<std::string, std::string>& keys) {
    AuditVerifyReport report;
    std::optional<AuditVerifyReport> failed;
    merkle::MemoryTree tree;
    log.scan_entries([&](const AuditLog::StoredLeaf& stored) {
        const std::uint64_t index = report.entries;
        if (stored.index != index) {
            failed = bad(report, index, "entry " + std::to_string(index) + " is missing (deleted or reordered)");
            return false;
        }
        const merkle::Hash leaf = merkle::leaf_hash(stored.entry);
        if (!stored.leaf || std::memcmp(stored.leaf, leaf.data(), leaf.size()) != 0) {
            failed = bad(report, index, "entry does not match its leaf hash (edited)");
            return false;
        }
        tree.append(leaf);
        ++report.entries;
        return true;
    });
    if (failed) return *failed;

    // Every stored subtree must be the one the entries give: catches rewritten or reordered history
    // whose leaf hashes were rewritten along with it. Lowest level first: a level-0 node is the
    // leaf hash as it was appended, so it names the index.
    log.scan_nodes([&](const AuditLog::StoredNode& stored) {
        bool same = false;
        try {
            const merkle::Hash expected = tree.node(stored.level, stored.index);
            same = stored.hash && std::memcmp(stored.hash, expected.data(), expected.size()) == 0;
        } catch (const std::out_of_range&) {
        }
        if (!same)
            failed = bad(report, stored.index << stored.level,
                         "stored subtree (level " + std::to_string(stored.level) + ", index " + std::to_string(stored.index) +
                             ") does not match the entries");
        return same;
    });
    if (failed) return *failed;

    std::uint64_t proven = 0;  // entries covered by a verified head
    for (const SignedHead& h : log.heads()) {
        const auto key = keys.find(h.key_id);
        if (key == keys.end())
            return bad(report, proven, "the tree head of size " + std::to_string(h.size) + " is signed with key " + h.key_id +
                                           ", which is not among the keys trusted: it does not verify (forged head, or that key was not given)");
        if (!verify_head_signature(key->second, signed_head_text(h.size, h.root, h.time), h.signature))
            return bad(report, proven, "the signature of the tree head of size " + std::to_string(h.size) + " does not verify (forged head)");
        if (h.size > report.entries)
            return bad(report, report.entries, "a signed head covers " + std::to_string(h.size) + " entries but only " +
                                                   std::to_string(report.entries) + " are stored (truncated)");
        if (merkle::hex(merkle::root(tree, h.size)) != h.root)
            return bad(report, proven, "the entries do not give the signed root of size " + std::to_string(h.size) + " (rewritten history)");
        proven = h.size;
        ++report.heads;
    }
    // Every stored receipt: signed with the key it names over what it says (interface.md), for an
    // entry the log has.
    log.scan_receipts([&](std::string_view party, std::string_view receipt) {
        std::uint64_t where = report.entries;  // the receipt's audit index once it is known to be one
        const auto at = [&](const std::string& why) {
            failed = bad(report, where, "a receipt " + why);
            return false;
        };
        rapidjson::Document d;
        d.Parse(receipt.data(), receipt.size());
        auto text = [&](const char* k) -> std::string {
            return d.IsObject() && d.HasMember(k) && d[k].IsString() ? d[k].GetString() : std::string();
        };
        auto number = [&](const char* k) -> std::optional<std::uint64_t> {
            return d.IsObject() && d.HasMember(k) && d[k].IsUint64() ? std::optional(d[k].GetUint64()) : std::nullopt;
        };
        const auto index = number("auditIndex"), accepted = number("accepted");
        if (!index || !accepted || text("signature").empty() || !d.HasMember("rejected") || !d["rejected"].IsArray())
            return at("(of berichtId " + text("berichtId") + ") is not a signed receipt");
        const std::uint64_t rejected = number("rejectedTotal").value_or(d["rejected"].Size());
        if (*index >= report.entries) return at("(of berichtId " + text("berichtId") + ") names an audit index the log does not have");
        where = *index;
        const auto key = keys.find(text("keyId"));
        if (key == keys.end()) return at("(of berichtId " + text("berichtId") + ") is signed with key " + text("keyId") + ", which is not among the keys trusted");
        if (!verify_head_signature(key->second, signed_receipt_text(text("berichtId"), party, text("digest"), text("receivedAt"), *index, *accepted, rejected),
                                   text("signature")))
            return at("(of berichtId " + text("berichtId") + ") does not verify (altered or forged receipt)");
        ++report.receipts;
        return true;
    });
    if (failed) return *failed;
    return report;
}

}  // namespace dg
