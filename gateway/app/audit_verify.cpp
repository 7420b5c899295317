#include "app/audit_verify.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <map>

#include "audit/audit_log.hpp"
#include "audit/merkle.hpp"
#include "audit/signer.hpp"

namespace dg {
namespace {

struct Db {
    sqlite3* db = nullptr;
    explicit Db(const std::filesystem::path& f) {
        if (sqlite3_open_v2(f.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
            throw std::runtime_error("cannot open " + f.string());
    }
    ~Db() { sqlite3_close(db); }
};

struct Query {
    sqlite3_stmt* st = nullptr;
    Query(sqlite3* db, const char* sql) {
        if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db));
    }
    ~Query() { sqlite3_finalize(st); }
    bool row() { return sqlite3_step(st) == SQLITE_ROW; }
    std::string text(int i) const {
        const auto* p = sqlite3_column_text(st, i);
        return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(st, i))) : "";
    }
    bool hash(int i, merkle::Hash& out) const {
        if (sqlite3_column_bytes(st, i) != 32) return false;
        std::copy_n(static_cast<const unsigned char*>(sqlite3_column_blob(st, i)), 32, out.begin());
        return true;
    }
};

AuditVerifyReport bad(AuditVerifyReport r, std::uint64_t index, std::string reason) {
    r.ok = false;
    r.first_bad_index = index;
    r.reason = std::move(reason);
    return r;
}

}  // namespace

AuditVerifyReport verify_audit_log(const std::filesystem::path& db_file, const std::string& public_key_pem) {
    AuditVerifyReport report;
    Db db(db_file);
    merkle::MemoryTree tree;
    {
        Query q(db.db, "SELECT seq, entry, leaf_hash FROM audit ORDER BY seq");
        while (q.row()) {
            const std::uint64_t index = report.entries;
            const auto seq = static_cast<std::uint64_t>(sqlite3_column_int64(q.st, 0));
            if (seq != index + 1) return bad(report, index, "entry " + std::to_string(index) + " is missing (deleted or reordered)");
            const merkle::Hash leaf = merkle::leaf_hash(q.text(1));
            merkle::Hash stored{};
            if (!q.hash(2, stored) || stored != leaf) return bad(report, index, "entry does not match its leaf hash (edited)");
            tree.append(leaf);
            ++report.entries;
        }
    }
    {
        // Every stored subtree must be the one the entries give: catches rewritten or reordered history
        // whose leaf hashes were rewritten along with it.
        // Lowest level first: a level-0 node is the leaf hash as it was appended, so it names the index.
        Query q(db.db, "SELECT level, idx, hash FROM audit_nodes ORDER BY level, idx");
        std::uint64_t first = UINT64_MAX;
        std::string reason;
        while (first == UINT64_MAX && q.row()) {
            const auto level = static_cast<unsigned>(sqlite3_column_int(q.st, 0));
            const auto idx = static_cast<std::uint64_t>(sqlite3_column_int64(q.st, 1));
            merkle::Hash stored{};
            q.hash(2, stored);
            const std::uint64_t leaf = idx << level;
            bool same = false;
            try {
                same = tree.node(level, idx) == stored;
            } catch (const std::out_of_range&) {
            }
            if (!same) {
                first = leaf;
                reason = "stored subtree (level " + std::to_string(level) + ", index " + std::to_string(idx) + ") does not match the entries";
            }
        }
        if (first != UINT64_MAX) return bad(report, first, reason);
    }
    std::uint64_t proven = 0;  // entries covered by a verified head
    Query q(db.db, "SELECT size, root, time, signature, key_id FROM audit_heads ORDER BY size");
    while (q.row()) {
        SignedHead h{static_cast<std::uint64_t>(sqlite3_column_int64(q.st, 0)), q.text(1), q.text(2), q.text(3), q.text(4)};
        if (!verify_head_signature(public_key_pem, signed_head_text(h.size, h.root, h.time), h.signature))
            return bad(report, proven, "the signature of the tree head of size " + std::to_string(h.size) + " does not verify (forged head)");
        if (h.size > report.entries)
            return bad(report, report.entries, "a signed head covers " + std::to_string(h.size) + " entries but only " +
                                                   std::to_string(report.entries) + " are stored (truncated)");
        if (merkle::hex(merkle::root(tree, h.size)) != h.root)
            return bad(report, proven, "the entries do not give the signed root of size " + std::to_string(h.size) + " (rewritten history)");
        proven = h.size;
        ++report.heads;
    }
    return report;
}

}  // namespace dg
