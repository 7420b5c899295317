#include "app/audit_verify.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <functional>
#include <set>

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

bool whole_number(std::string_view text, std::uint64_t& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

AuditVerifyReport verify_audit_log(AuditLog& log, const std::map<std::string, std::string>& keys) {
    AuditVerifyReport report;
    std::optional<AuditVerifyReport> failed;
    const std::uint64_t removed = report.removed = log.removed_before();
    // The edge of the removed prefix, as stored; the heads from there on vouch for it.
    std::vector<merkle::Hash> edge;
    if (removed > 0) {
        auto nodes = log.nodes();
        for (const auto& ref : merkle::CompactRange::edge_of(removed)) try {
                edge.push_back(nodes->node(ref.level, ref.index));
            } catch (const std::out_of_range&) {
                return bad(report, removed,
                           "the subtree (level " + std::to_string(ref.level) + ", index " + std::to_string(ref.index) +
                               ") that stands for the removed entries is missing");
            }
    }
    merkle::MemoryTree tree(removed, edge);
    std::set<std::uint64_t> period_closes;  // indexes of period-close entries
    std::set<std::uint64_t> removals;       // what audit-purge entries say they removed (removedBefore)
    // Skipping through each entry (Boyer-Moore-Horspool): string_view::find stops at every quote
    // of the JSON, which was 40 % of verifying a log of a million entries.
    using Searcher = std::boyer_moore_horspool_searcher<std::string_view::const_iterator>;
    static constexpr std::string_view kPeriodClose = "\"action\":\"period-close\"", kAuditPurge = "\"action\":\"audit-purge\"";
    const Searcher period_close(kPeriodClose.begin(), kPeriodClose.end()), audit_purge(kAuditPurge.begin(), kAuditPurge.end());
    auto contains = [](std::string_view text, const Searcher& needle) { return std::search(text.begin(), text.end(), needle) != text.end(); };
    log.scan_entries([&](const AuditLog::StoredLeaf& stored) {
        const std::uint64_t index = tree.size();
        if (stored.index != index) {
            failed = bad(report, index, "entry " + std::to_string(index) + " is missing (deleted or reordered)");
            return false;
        }
        const merkle::Hash leaf = merkle::leaf_hash(stored.entry);
        if (!stored.leaf || std::memcmp(stored.leaf, leaf.data(), leaf.size()) != 0) {
            failed = bad(report, index, "entry does not match its leaf hash (edited)");
            return false;
        }
        if (contains(stored.entry, period_close) || contains(stored.entry, audit_purge)) {
            rapidjson::Document d;
            d.Parse(stored.entry.data(), stored.entry.size());
            const std::string action = d.IsObject() && d.HasMember("action") && d["action"].IsString() ? d["action"].GetString() : "";
            if (action == "period-close") period_closes.insert(index);
            std::uint64_t before = 0;
            if (action == "audit-purge" && d.HasMember("attributes") && d["attributes"].IsObject() && d["attributes"].HasMember("removedBefore") &&
                d["attributes"]["removedBefore"].IsString() && whole_number(d["attributes"]["removedBefore"].GetString(), before))
                removals.insert(before);
        }
        tree.append(leaf);
        ++report.entries;
        return true;
    });
    if (failed) return *failed;
    const std::uint64_t size = tree.size();

    // Every stored subtree must be the one the entries give: catches rewritten or reordered history
    // whose leaf hashes were rewritten along with it. Lowest level first: a level-0 node is the
    // leaf hash as it was appended, so it names the index. Of the removed prefix only its edge is kept.
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

    std::uint64_t proven = removed;  // entries covered by a verified head
    std::set<std::uint64_t> signed_sizes;
    for (const SignedHead& h : log.heads()) {
        const auto key = keys.find(h.key_id);
        if (key == keys.end())
            return bad(report, proven,
                       "the tree head of size " + std::to_string(h.size) + " is signed with key " + h.key_id +
                           ", which is not among the keys trusted: it does not verify (forged head, or that key was not given)");
        if (!verify_head_signature(key->second, signed_head_text(h.size, h.root, h.time), h.signature))
            return bad(report, proven, "the signature of the tree head of size " + std::to_string(h.size) + " does not verify (forged head)");
        if (h.size > size)
            return bad(report, size,
                       "a signed head covers " + std::to_string(h.size) + " entries but only " + std::to_string(size) + " are stored (truncated)");
        if (h.size < removed)
            return bad(report, removed,
                       "the signed head of size " + std::to_string(h.size) + " lies in the removed prefix (entries before " +
                           std::to_string(removed) + ")");
        if (merkle::hex(merkle::root(tree, h.size)) != h.root)
            return bad(report, proven,
                       "the entries do not give the signed root of size " + std::to_string(h.size) +
                           (h.size == removed ? " (the removed prefix's subtrees were altered)" : " (rewritten history)"));
        proven = h.size;
        signed_sizes.insert(h.size);
        ++report.heads;
    }
    // Every period from the removed prefix on ends in its period-close entry and a head signed at
    // exactly its size; the prefix itself ends at a period's end, or on the way to one an
    // audit-purge entry names (a removal runs in steps).
    std::optional<std::uint64_t> cut_towards;
    for (const AuditPeriod& p : log.periods()) {
        if (p.size < removed || p.size > size) continue;
        if (!cut_towards) cut_towards = p.size;
        if (p.size > removed && !period_closes.contains(p.size - 1))
            return bad(report, p.size - 1, "the period ending at " + std::to_string(p.size) + " does not end in a period-close entry");
        if (!signed_sizes.contains(p.size)) return bad(report, p.size, "the period ending at " + std::to_string(p.size) + " has no closing head");
    }
    if (removed > 0 && (!cut_towards || !removals.contains(*cut_towards)))
        return bad(report, removed,
                   "entries before " + std::to_string(removed) +
                       " are gone, but no audit-purge entry removed them with the period they belonged to (deleted)");
    // Every stored receipt: signed with the key it names over what it says (interface.md), for an
    // entry the log has.
    log.scan_receipts([&](std::string_view party, std::string_view receipt) {
        std::uint64_t where = size;  // the receipt's audit index once it is known to be one
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
        if (*index >= size) return at("(of berichtId " + text("berichtId") + ") names an audit index the log does not have");
        where = *index;
        const auto key = keys.find(text("keyId"));
        if (key == keys.end())
            return at("(of berichtId " + text("berichtId") + ") is signed with key " + text("keyId") + ", which is not among the keys trusted");
        if (!verify_head_signature(key->second,
                                   signed_receipt_text(text("berichtId"), party, text("digest"), text("receivedAt"), *index, *accepted, rejected),
                                   text("signature")))
            return at("(of berichtId " + text("berichtId") + ") does not verify (altered or forged receipt)");
        ++report.receipts;
        return true;
    });
    if (failed) return *failed;
    return report;
}

}  // namespace dg
