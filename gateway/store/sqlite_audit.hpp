#pragma once
// The audit log of the embedded store as AuditLog reads it (through the store's reader pool):
// entries, subtrees, heads, periods, receipts. The writer side (appending entries, nodes and heads
// in the commit) is sqlite_store.cpp's. Private to gateway/store/.
#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "audit/merkle.hpp"
#include "store/sqlite_files.hpp"

namespace dg::sqlite_store {

class AuditReads : public AuditLog {
public:
    std::uint64_t committed_size() override {
        auto lease = main_readers_->borrow();
        Stmt st(lease->db, kSizeSql);
        const auto n = st.row() ? static_cast<std::uint64_t>(st.i64(0)) : 0;
        st.reset();
        return n;
    }

    std::vector<AuditRow> entries(const AuditQuery& q) override {
        std::string sql = "SELECT seq, leaf_hash, entry FROM audit WHERE seq > ?1 AND seq <= ?5";
        if (!q.action.empty()) sql += " AND instr(entry, ?2) > 0";
        if (!q.party.empty()) sql += " AND instr(entry, ?3) > 0";
        if (!q.any_of.empty()) {
            sql += " AND (";
            for (std::size_t i = 0; i < q.any_of.size(); ++i)
                sql += (i ? " OR " : "") + std::string("instr(entry, ?") + std::to_string(6 + i) + ") > 0";
            sql += ")";
        }
        sql += q.newest_first ? " ORDER BY seq DESC LIMIT ?4" : " ORDER BY seq LIMIT ?4";
        auto lease = main_readers_->borrow();
        Stmt st(lease->db, sql);
        st.int64(1, static_cast<std::int64_t>(q.from));
        st.int64(5, static_cast<std::int64_t>(std::min<std::uint64_t>(q.before, INT64_MAX)));
        if (!q.action.empty()) st.text(2, "\"action\":\"" + q.action + "\"");
        if (!q.party.empty()) st.text(3, "\"partyOin\":\"" + q.party + "\"");
        for (std::size_t i = 0; i < q.any_of.size(); ++i) st.text(static_cast<int>(6 + i), q.any_of[i]);
        st.int64(4, static_cast<std::int64_t>(q.limit));
        std::vector<AuditRow> out;
        while (st.row()) out.push_back(audit_row(st));
        return out;
    }

    std::vector<AuditRow> entries_mentioning(const std::string& pseudonym) override {
        auto lease = main_readers_->borrow();
        Stmt st(lease->db, "SELECT seq, leaf_hash, entry FROM audit WHERE instr(entry, ?1) > 0 ORDER BY seq");
        st.text(1, "\"" + pseudonym + "\"");
        std::vector<AuditRow> out;
        while (st.row()) out.push_back(audit_row(st));
        return out;
    }

    std::unique_ptr<merkle::NodeSource> nodes() override;  // defined after Nodes

    std::vector<SignedHead> heads() override { return read_heads("SELECT size, root, time, signature, key_id FROM audit_heads ORDER BY size"); }

    std::optional<SignedHead> head_at(std::uint64_t size) override {
        auto lease = main_readers_->borrow();
        Stmt st(lease->db, "SELECT size, root, time, signature, key_id FROM audit_heads WHERE size = ?1");
        st.int64(1, static_cast<std::int64_t>(size));
        std::optional<SignedHead> out;
        if (st.row()) out = SignedHead{static_cast<std::uint64_t>(st.i64(0)), st.str(1), st.str(2), st.str(3), st.str(4)};
        st.reset();
        return out;
    }

    std::uint64_t removed_before() override {
        auto lease = main_readers_->borrow();
        Stmt st(lease->db, "SELECT value FROM meta WHERE key = 'audit_removed'");
        const auto n = st.row() ? static_cast<std::uint64_t>(st.i64(0)) : 0;
        st.reset();
        return n;
    }

    std::vector<AuditPeriod> periods() override {
        auto lease = main_readers_->borrow();
        std::vector<AuditPeriod> out;
        if (!sqlite::has_table(lease->db, "audit_periods")) return out;  // a file from before audit retention, opened read-only
        Stmt st(lease->db, "SELECT size, closed_at FROM audit_periods ORDER BY size");
        while (st.row()) out.push_back({static_cast<std::uint64_t>(st.i64(0)), st.str(1)});
        return out;
    }

    std::optional<SignedHead> latest_head() override {
        auto h = read_heads("SELECT size, root, time, signature, key_id FROM audit_heads ORDER BY size DESC LIMIT 1");
        return h.empty() ? std::nullopt : std::optional<SignedHead>(h.front());
    }

    void scan_receipts(const std::function<bool(std::string_view, std::string_view)>& fn) override {
        auto lease = main_readers_->borrow();
        Stmt st(lease->db, "SELECT sender_oin, receipt FROM messages ORDER BY sender_oin, bericht_id");
        while (st.row())
            if (!fn(st.view(0), st.view(1))) {
                st.reset();
                return;
            }
    }

    void scan_entries(const std::function<bool(const StoredLeaf&)>& fn) override {
        auto lease = main_readers_->borrow();
        Stmt st(lease->db, "SELECT seq, entry, leaf_hash FROM audit ORDER BY seq");
        while (st.row()) {
            if (!fn({static_cast<std::uint64_t>(st.i64(0) - 1), st.view(1), st.hash32(2)})) {
                st.reset();
                return;
            }
        }
    }

    void scan_nodes(const std::function<bool(const StoredNode&)>& fn) override {
        auto lease = main_readers_->borrow();
        Stmt st(lease->db, "SELECT level, idx, hash FROM audit_nodes ORDER BY level, idx");
        while (st.row()) {
            if (!fn({static_cast<unsigned>(st.i64(0)), static_cast<std::uint64_t>(st.i64(1)), st.hash32(2)})) {
                st.reset();
                return;
            }
        }
    }

protected:
    std::unique_ptr<ReaderPool> main_readers_;  // the store file's read connections

private:
    // Reads committed subtree hashes through one borrowed read connection.
    class Nodes final : public merkle::NodeSource {
    public:
        explicit Nodes(ReaderPool& pool) : lease_(pool.borrow()), st_(lease_->db, "SELECT hash FROM audit_nodes WHERE level = ?1 AND idx = ?2") {}
        merkle::Hash node(unsigned level, std::uint64_t idx) override {
            st_.int64(1, level).int64(2, static_cast<std::int64_t>(idx));
            const unsigned char* h = st_.row() ? st_.hash32(0) : nullptr;
            if (!h) {
                st_.reset();
                throw std::out_of_range("audit log: no such subtree");
            }
            merkle::Hash out;
            std::copy_n(h, 32, out.begin());
            st_.reset();
            return out;
        }

    private:
        ReaderPool::Lease lease_;
        Stmt st_;
    };

    static AuditRow audit_row(const Stmt& st) {
        AuditRow row;
        row.index = static_cast<std::uint64_t>(st.i64(0) - 1);
        merkle::Hash h{};
        if (const unsigned char* p = st.hash32(1)) std::copy_n(p, 32, h.begin());
        row.leaf_hash = merkle::hex(h);
        row.entry = st.str(2);
        return row;
    }

    std::vector<SignedHead> read_heads(const char* sql) {
        auto lease = main_readers_->borrow();
        Stmt st(lease->db, sql);
        std::vector<SignedHead> out;
        while (st.row()) out.push_back({static_cast<std::uint64_t>(st.i64(0)), st.str(1), st.str(2), st.str(3), st.str(4)});
        return out;
    }
};

inline std::unique_ptr<merkle::NodeSource> AuditReads::nodes() { return std::make_unique<Nodes>(*main_readers_); }

}  // namespace dg::sqlite_store
