#pragma once
// The audit log of the PostgreSQL store as AuditLog reads it: entries, subtrees (fetched in one
// query per proof), heads, periods, receipts. Appending is the writer's (pg_store.cpp). Private to
// gateway/store/.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "audit/merkle.hpp"
#include "store/pg_schema.hpp"
#include "store/pg_util.hpp"

namespace dg::pg_store {

class PgAuditReads : public AuditLog {
public:
    explicit PgAuditReads(pg::Pool& readers) : readers_(readers) {}

    std::uint64_t committed_size() override {
        auto c = readers_.borrow();
        return static_cast<std::uint64_t>(c->query("SELECT size FROM audit_state WHERE id = 1").i64(0, 0));
    }

    std::vector<AuditRow> entries(const AuditQuery& q) override {
        Params p;
        p.add(static_cast<std::int64_t>(q.from));
        p.add(static_cast<std::int64_t>(std::min<std::uint64_t>(q.before, INT64_MAX)));
        std::string sql = "SELECT seq, encode(leaf_hash, 'hex'), entry FROM audit WHERE seq > $1 AND seq <= $2";
        if (!q.action.empty()) {
            p.add("\"action\":\"" + q.action + "\"");
            sql += " AND strpos(entry, $" + std::to_string(p.size()) + ") > 0";
        }
        if (!q.party.empty()) {
            p.add("\"partyOin\":\"" + q.party + "\"");
            sql += " AND strpos(entry, $" + std::to_string(p.size()) + ") > 0";
        }
        if (!q.any_of.empty()) {
            sql += " AND (";
            for (std::size_t i = 0; i < q.any_of.size(); ++i) {
                p.add(q.any_of[i]);
                sql += (i ? " OR " : "") + std::string("strpos(entry, $") + std::to_string(p.size()) + ") > 0";
            }
            sql += ")";
        }
        p.add(static_cast<std::int64_t>(q.limit));
        sql += std::string(q.newest_first ? " ORDER BY seq DESC" : " ORDER BY seq") + " LIMIT $" + std::to_string(p.size());
        auto c = readers_.borrow();
        return audit_rows(c->query(sql.c_str(), p));
    }

    std::vector<AuditRow> entries_mentioning(const std::string& pseudonym) override {
        auto c = readers_.borrow();
        return audit_rows(c->query("SELECT seq, encode(leaf_hash, 'hex'), entry FROM audit WHERE strpos(entry, $1) > 0 ORDER BY seq",
                                   Params().add("\"" + pseudonym + "\"")));
    }

    std::unique_ptr<merkle::NodeSource> nodes() override;

    std::vector<SignedHead> heads() override { return read_heads("SELECT size, root, time, signature, key_id FROM audit_heads ORDER BY size"); }

    std::optional<SignedHead> head_at(std::uint64_t size) override {
        auto c = readers_.borrow();
        const auto r =
            c->query("SELECT size, root, time, signature, key_id FROM audit_heads WHERE size = $1", Params().add(static_cast<std::int64_t>(size)));
        if (r.rows() == 0) return std::nullopt;
        return SignedHead{static_cast<std::uint64_t>(r.i64(0, 0)), r.str(0, 1), r.str(0, 2), r.str(0, 3), r.str(0, 4)};
    }

    std::uint64_t removed_before() override {
        auto c = readers_.borrow();
        return static_cast<std::uint64_t>(c->query("SELECT removed FROM audit_state WHERE id = 1").i64(0, 0));
    }

    std::vector<AuditPeriod> periods() override {
        auto c = readers_.borrow();
        const auto r = c->query("SELECT size, closed_at FROM audit_periods ORDER BY size");
        std::vector<AuditPeriod> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back({static_cast<std::uint64_t>(r.i64(i, 0)), r.str(i, 1)});
        return out;
    }

    std::optional<SignedHead> latest_head() override {
        auto h = read_heads("SELECT size, root, time, signature, key_id FROM audit_heads ORDER BY size DESC LIMIT 1");
        return h.empty() ? std::nullopt : std::optional<SignedHead>(h.front());
    }

    // Pages through the log in store order (binary results: no hex round trip for a million rows).
    void scan_receipts(const std::function<bool(std::string_view, std::string_view)>& fn) override {
        auto c = readers_.borrow();
        std::string sender, bericht;  // keyset paging along the primary key
        for (bool first = true;; first = false) {
            const auto r = c->query(first ? "SELECT sender_oin, bericht_id, receipt FROM messages ORDER BY sender_oin, bericht_id LIMIT 5000"
                                          : "SELECT sender_oin, bericht_id, receipt FROM messages WHERE (sender_oin, bericht_id) > ($1, $2)"
                                            " ORDER BY sender_oin, bericht_id LIMIT 5000",
                                    first ? Params() : Params().add(sender).add(bericht));
            for (int i = 0; i < r.rows(); ++i)
                if (!fn(r.view(i, 0), r.view(i, 2))) return;
            if (r.rows() < 5000) return;
            sender = r.str(r.rows() - 1, 0);
            bericht = r.str(r.rows() - 1, 1);
        }
    }

    void scan_entries(const std::function<bool(const StoredLeaf&)>& fn) override {
        auto c = readers_.borrow();
        std::int64_t after = -1;
        for (;;) {
            const auto r = c->query("SELECT seq, entry, leaf_hash FROM audit WHERE seq > $1 ORDER BY seq LIMIT 20000", Params().add(after), 1);
            for (int i = 0; i < r.rows(); ++i) {
                after = be64(PQgetvalue(r.get(), i, 0));
                const bool hash_ok = PQgetlength(r.get(), i, 2) == 32;
                if (!fn({static_cast<std::uint64_t>(after - 1), r.view(i, 1),
                         hash_ok ? reinterpret_cast<const unsigned char*>(PQgetvalue(r.get(), i, 2)) : nullptr}))
                    return;
            }
            if (r.rows() < 20000) return;
        }
    }

    // Level by level, in pages along the primary key (a plain range scan per page).
    void scan_nodes(const std::function<bool(const StoredNode&)>& fn) override {
        auto c = readers_.borrow();
        const std::int64_t top = c->query("SELECT COALESCE(MAX(level), -1) FROM audit_nodes").i64(0, 0);
        for (std::int64_t level = 0; level <= top; ++level) {
            std::int64_t after = -1;
            for (;;) {
                const auto r = c->query("SELECT idx, hash FROM audit_nodes WHERE level = $1 AND idx > $2 ORDER BY idx LIMIT 50000",
                                        Params().add(level).add(after), 1);
                for (int i = 0; i < r.rows(); ++i) {
                    after = be64(PQgetvalue(r.get(), i, 0));
                    const bool hash_ok = PQgetlength(r.get(), i, 1) == 32;
                    if (!fn({static_cast<unsigned>(level), static_cast<std::uint64_t>(after),
                             hash_ok ? reinterpret_cast<const unsigned char*>(PQgetvalue(r.get(), i, 1)) : nullptr}))
                        return;
                }
                if (r.rows() < 50000) break;
            }
        }
    }

private:
    static std::int64_t be64(const char* p) {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
        return static_cast<std::int64_t>(v);
    }

    // Subtree hashes for heads and proofs: the nodes a computation needs come in one query.
    class Nodes final : public merkle::NodeSource {
    public:
        explicit Nodes(pg::Pool& pool) : c_(pool.borrow()) {}
        bool wants_prefetch() const override { return true; }
        void prefetch(const std::vector<Ref>& wanted) override {
            ArrayLiteral levels, idxs;
            for (const auto& w : wanted) {
                levels.add(std::to_string(w.level));
                idxs.add(std::to_string(w.index));
            }
            const auto r = c_->query(
                "SELECT n.level, n.idx, encode(n.hash, 'hex') FROM audit_nodes n"
                " JOIN unnest($1::integer[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx",
                Params().add(levels.take()).add(idxs.take()));
            for (int i = 0; i < r.rows(); ++i)
                fetched_[{static_cast<unsigned>(r.i64(i, 0)), static_cast<std::uint64_t>(r.i64(i, 1))}] = hash_from_hex(r.view(i, 2));
        }
        merkle::Hash node(unsigned level, std::uint64_t idx) override {
            if (auto it = fetched_.find({level, idx}); it != fetched_.end()) return it->second;
            const auto r = c_->query("SELECT encode(hash, 'hex') FROM audit_nodes WHERE level = $1 AND idx = $2",
                                     Params().add(static_cast<std::int64_t>(level)).add(static_cast<std::int64_t>(idx)));
            if (r.rows() == 0) throw std::out_of_range("audit log: no such subtree");
            return hash_from_hex(r.view(0, 0));
        }

    private:
        pg::Pool::Lease c_;
        std::map<std::pair<unsigned, std::uint64_t>, merkle::Hash> fetched_;
    };

    static std::vector<AuditRow> audit_rows(const pg::Result& r) {
        std::vector<AuditRow> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back({static_cast<std::uint64_t>(r.i64(i, 0) - 1), r.str(i, 1), r.str(i, 2)});
        return out;
    }

    std::vector<SignedHead> read_heads(const char* sql) {
        auto c = readers_.borrow();
        const auto r = c->query(sql);
        std::vector<SignedHead> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({static_cast<std::uint64_t>(r.i64(i, 0)), r.str(i, 1), r.str(i, 2), r.str(i, 3), r.str(i, 4)});
        return out;
    }

    pg::Pool& readers_;
};

inline std::unique_ptr<merkle::NodeSource> PgAuditReads::nodes() { return std::make_unique<Nodes>(readers_); }

}  // namespace dg::pg_store
