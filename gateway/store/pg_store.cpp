// The PostgreSQL store: one database that several gateway processes may share.
//
// - Region separation is enforced by the database too: records and their history have row-level
//   security, and every read says which region it is for (set_config('dg.region', …, true) in
//   the same implicit transaction). A query that forgot its region filter still sees one region.
//   The gateway refuses to run as a role that bypasses row-level security.
// - One audit log with one order across gateways: the transaction that appends entries takes the
//   row lock of audit_state (the log's size) last, just before it commits. Each gateway caches the
//   Merkle frontier and reloads it when another gateway appended meanwhile.
// - Group commit: a writer thread commits many requests per transaction; rows go in with
//   unnest() over array parameters, a handful of round trips per group.
// - Idempotency: (sender, berichtId) is the primary key of messages; concurrent copies on several
//   gateways wait for each other, and the loser is told it is a duplicate.
#include "store/pg_store.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "audit/merkle.hpp"
#include "core/log.hpp"
#include "store/effects.hpp"
#include "store/group_commit.hpp"
#include "store/pg_audit.hpp"
#include "store/pg_reads.hpp"
#include "store/pg_schema.hpp"
#include "store/pg_util.hpp"

namespace dg {
namespace {

using namespace pg_store;
using pg::ArrayLiteral;
using pg::Params;

// The Merkle log as a writer sees it: its right edge (none: unknown, load it from the database).
using LogState = merkle::CompactRange;

class PgStore;

// A large message on a connection of its own, written on the request thread as it is judged;
// other requests keep committing meanwhile.
class PgBulk final : public BulkWrite {
public:
    explicit PgBulk(PgStore& s) : s_(s) {}
    ~PgBulk() override;
    void add(std::vector<StoredRecord>&& chunk) override;
    void finish(bool commit, std::vector<std::string> audit, std::optional<MessageRow> message, CommitCallback done) override;

private:
    PgStore& s_;
    std::unique_ptr<pg::Conn> conn_;
    std::string error_;
    bool finished_ = false;
    std::vector<std::string> melding_ids_;  // of the rows added, claimed at finish()
};

class PgStore final : public PgReads, public PgAuditReads {
public:
    PgStore(std::string url, const StoreOptions& options)
        : PgReads(url, options.readers), PgAuditReads(PgReads::readers_), url_(std::move(url)), options_(options) {
        {
            pg::Conn c(url_);
            check_role(c);
            if (options_.read_only) check_schema(c);
            else migrate(c);
        }
        if (!options_.read_only && options_.report_details) configure_report(*options_.report_details);
        else load_report_fingerprint();
        if (!options_.read_only)
            writer_ = std::make_unique<GroupCommit>(
                options_.max_group, options_.max_queue, [this](std::vector<GroupCommit::Pending>& g) { return commit_group(g); },
                [](BulkChannel&) -> CommitResult {
                    return {false, false, "bulk writes go through PgBulk"};
                });
    }
    ~PgStore() override { close(); }

    void submit(WriteBatch batch, CommitCallback done) override {
        if (!writer_) return done({false, false, "store is read-only"});
        writer_->submit(std::move(batch), std::move(done));
    }
    std::unique_ptr<BulkWrite> begin_bulk() override {
        if (!writer_) throw std::runtime_error("store is read-only");
        return std::make_unique<PgBulk>(*this);
    }
    bool ready() const override { return writer_ && writer_->healthy(); }
    void probe() override {
        if (writer_) writer_->probe();
    }
    void close() override {
        if (writer_) writer_->close();
    }
    AuditLog& audit() override { return *this; }

    // Folds the rapportage's deltas into the per-day counts; one gateway at a time (a busy lock:
    // another one is at it, the next round will do).
    void maintain() override {
        if (!writer_) return;
        if (!upkeep_) upkeep_ = write_connection();
        try {
            upkeep_->exec("BEGIN");
            if (upkeep_->query("SELECT pg_try_advisory_xact_lock($1)", Params().add(kReportLock)).boolean(0, 0))
                upkeep_->exec(
                    "WITH moved AS (DELETE FROM report_deltas RETURNING *)"
                    " INSERT INTO report_counts SELECT region, day, gemeente, berichttype, status, active, detail, sum(n) FROM moved"
                    " GROUP BY 1, 2, 3, 4, 5, 6, 7 ON CONFLICT (region, day, gemeente, berichttype, status, active, detail)"
                    " DO UPDATE SET n = report_counts.n + EXCLUDED.n");
            upkeep_->exec("COMMIT");
        } catch (...) {
            upkeep_.reset();  // a new connection next round
            throw;
        }
    }

private:
    // dg_report_detail() and the counts for these details, when the database holds them for
    // others (or none yet). The records are locked against writes meanwhile (other gateways wait).
    void configure_report(const ReportDetails& details) {
        const std::string fingerprint = report_sql::fingerprint(details);
        auto c = write_connection();
        c->exec("SET statement_timeout = '10min'");
        c->exec("BEGIN");
        try {
            c->query("SELECT pg_advisory_xact_lock($1)", Params().add(kReportLock));
            const auto held = c->query("SELECT details FROM report_setup WHERE id = 1");
            if (held.rows() == 1 && held.str(0, 0) == fingerprint) {
                c->exec("COMMIT");
            } else {
                const auto started = std::chrono::steady_clock::now();
                c->exec("LOCK TABLE records IN SHARE ROW EXCLUSIVE MODE");
                c->exec(report_detail_function(details).c_str());
                c->exec(
                    "DELETE FROM report_deltas; DELETE FROM report_counts;"
                    " INSERT INTO report_counts SELECT region, left(received_at, 10), gemeente, berichttype, status, active,"
                    " dg_report_detail(berichttype, data), count(*) FROM records WHERE active OR data <> 'null' GROUP BY 1, 2, 3, 4, 5, 6, 7");
                c->query("INSERT INTO report_setup(id, details) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET details = EXCLUDED.details",
                         Params().add(fingerprint));
                c->exec("COMMIT");
                const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
                log_info("rapportage counts rebuilt for the policy's reportBy", {{"details", fingerprint}, {"ms", std::to_string(ms)}});
            }
        } catch (...) {
            if (PQtransactionStatus(c->get()) != PQTRANS_IDLE) PQclear(PQexec(c->get(), "ROLLBACK"));
            throw;
        }
        report_fingerprint_ = fingerprint;
    }

    void load_report_fingerprint() {
        pg::Conn c(url_);
        const auto held = c.query("SELECT details FROM report_setup WHERE id = 1");
        if (held.rows() == 1) report_fingerprint_ = held.str(0, 0);
    }

    friend class PgBulk;

    // ---- writing (the writer thread, and PgBulk on its request thread) ----

    // A connection that writes: every region, row-level security's WITH CHECK included. No wait
    // is endless: a gateway that stalls inside a transaction (holding the log's row lock) is cut
    // off by the server after a minute, and the others give up a lock wait after ten seconds
    // (503 to their clients, nothing acknowledged) instead of hanging with it.
    std::unique_ptr<pg::Conn> write_connection() {
        auto c = std::make_unique<pg::Conn>(url_);
        c->exec(
            "SET dg.region = '*'; SET lock_timeout = '10s'; SET statement_timeout = '60s';"
            " SET idle_in_transaction_session_timeout = '60s'");
        return c;
    }

    // Records in request order: plain ones go in together; an effect needs what came before it.
    // The effects' operations on one transaction's connection. Inserts are buffered and go in
    // one statement (unnest) at flush(); every other operation flushes them first, so that each
    // sees the rows before it.
    class RecordWriter final : public RecordTxn {
    public:
        explicit RecordWriter(pg::Conn& c) : c_(c) {}
        void add(const StoredRecord& r) { apply_record(*this, r); }
        void flush() {
            if (pending_ == 0) return;
            Params p;
            for (auto& col : cols_) p.add(col.take());
            c_.query(
                "INSERT INTO records(id, region, region_name, gemeente, berichttype, status, sender_oin, bericht_id, melding_id,"
                " subject, received_at, legal_basis, purpose, policy_version, retention_until, data, active, intermediary_oin)"
                " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
                " $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],"
                " $16::text[], $17::boolean[], $18::text[])",
                p);
            pending_ = 0;
        }

        void insert(const StoredRecord& r) override {
            const std::string* vals[] = {&r.id,         &r.region,         &r.region_name,     &r.gemeente, &r.berichttype, &r.status,
                                         &r.sender_oin, &r.bericht_id,     &r.melding_id,      &r.subject,  &r.received_at, &r.legal_basis,
                                         &r.purpose,    &r.policy_version, &r.retention_until, &r.data};
            for (int i = 0; i < 16; ++i) cols_[i].add(*vals[i]);
            cols_[16].add(r.active ? "t" : "f");
            cols_[17].add(r.intermediary_oin);
            ++pending_;
        }
        std::optional<std::string> find_active(const std::string& id, const std::string&) override {
            flush();
            const auto r = c_.query("SELECT region FROM records WHERE id = $1 AND active LIMIT 1", Params().add(id));
            if (r.rows() == 0) return std::nullopt;
            return r.str(0, 0);
        }
        std::vector<StoredRecord> active_in_region(const std::string& region, const std::string& id, const std::string& subject) override {
            flush();
            // By id or by subject, each on its index (an OR of both would use neither).
            const std::string by = id.empty() ? "subject" : "id";
            return read_records(
                c_.query((std::string("SELECT ") + kColumns + " FROM records WHERE active AND region = $2 AND " + by + " = $1 ORDER BY seq").c_str(),
                         Params().add(id.empty() ? subject : id).add(region)));
        }
        std::vector<StoredRecord> active_of_subject(const std::string& subject, const std::string& gemeente, const std::string& except_id,
                                                    const std::string& to_region, const std::string& to_gemeente) override {
            flush();
            return read_records(c_.query((std::string("SELECT ") + kColumns +
                                          " FROM records WHERE subject = $1 AND active AND id <> $2 AND gemeente = $5"
                                          " AND (region <> $3 OR gemeente <> $4) ORDER BY seq")
                                             .c_str(),
                                         Params().add(subject).add(except_id).add(to_region).add(to_gemeente).add(gemeente)));
        }
        void set_status(const StoredRecord& rec, const std::string& status) override {
            flush();
            c_.query("UPDATE records SET status = $2 WHERE id = $1 AND region = $3", Params().add(rec.id).add(status).add(rec.region));
        }
        void set_gemeente(const StoredRecord& rec, const std::string& gemeente) override {
            flush();
            c_.query("UPDATE records SET gemeente = $2 WHERE id = $1 AND region = $3 AND active", Params().add(rec.id).add(gemeente).add(rec.region));
        }
        void tombstone(const std::string& id, const std::string& region, const std::string& status, const std::string& until) override {
            flush();
            c_.query("UPDATE records SET active = false, status = $3, retention_until = $2 WHERE id = $1 AND region = $4 AND active",
                     Params().add(id).add(until).add(status).add(region));
        }
        // The row changes region (and takes a new seq: the newest there); its history goes along.
        void relocate(const StoredRecord& rec, const std::string& to_region, const std::string& to_region_name,
                      const std::string& to_gemeente) override {
            flush();
            c_.query(
                "UPDATE records SET region = $3, region_name = $4, gemeente = $5,"
                " seq = nextval(pg_get_serial_sequence('records', 'seq')) WHERE id = $1 AND region = $2 AND active",
                Params().add(rec.id).add(rec.region).add(to_region).add(to_region_name).add(to_gemeente));
            c_.query("UPDATE record_history SET region = $3 WHERE record_id = $1 AND region = $2",
                     Params().add(rec.id).add(rec.region).add(to_region));
        }
        void change_content(const std::string& id, const std::string& region, const std::string& data, const std::string& until) override {
            flush();
            c_.query("UPDATE records SET data = $2, retention_until = $3 WHERE id = $1 AND region = $4 AND active",
                     Params().add(id).add(data).add(until).add(region));
        }
        void append_history(const std::string& id, const std::string& region, const std::string& time, const char* event,
                            const std::string& detail) override {
            flush();
            c_.query("INSERT INTO record_history(record_id, region, time, event, detail) VALUES ($1, $2, $3, $4, $5)",
                     Params().add(id).add(region).add(time).add(event).add(detail));
        }

    private:
        pg::Conn& c_;
        ArrayLiteral cols_[18];
        std::size_t pending_ = 0;
    };

    // Inserts the message rows in key order (so that gateways inserting the same keys never wait
    // on each other in a cycle); returns, per row, whether it was new.
    static std::vector<bool> insert_messages(pg::Conn& c, const std::vector<const MessageRow*>& rows) {
        std::vector<std::size_t> order(rows.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return std::tie(rows[a]->sender_oin, rows[a]->bericht_id) < std::tie(rows[b]->sender_oin, rows[b]->bericht_id);
        });
        std::vector<bool> fresh(rows.size(), false);
        std::set<std::pair<std::string, std::string>> keys;
        ArrayLiteral cols[5];
        for (std::size_t i : order) {
            const MessageRow& m = *rows[i];
            if (!keys.emplace(m.sender_oin, m.bericht_id).second) continue;  // the same key twice in one group
            cols[0].add(m.sender_oin);
            cols[1].add(m.bericht_id);
            cols[2].add(m.content_hash);
            cols[3].add(m.receipt);
            cols[4].add(m.received_at);
        }
        if (keys.empty()) return fresh;
        Params p;
        for (auto& col : cols) p.add(col.take());
        const auto r = c.query(
            "INSERT INTO messages(sender_oin, bericht_id, content_hash, receipt, received_at)"
            " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])"
            " ON CONFLICT DO NOTHING RETURNING sender_oin, bericht_id",
            p);
        std::set<std::pair<std::string, std::string>> inserted;
        for (int i = 0; i < r.rows(); ++i) inserted.emplace(r.str(i, 0), r.str(i, 1));
        for (std::size_t i : order) {
            auto it = inserted.find({rows[i]->sender_oin, rows[i]->bericht_id});
            if (it != inserted.end()) {
                fresh[i] = true;
                inserted.erase(it);  // a second copy in this group is a duplicate
            }
        }
        return fresh;
    }

    // Claims the meldingIds of each batch (sender, ids) in key order (gateways claiming the same
    // keys never wait on each other in a cycle); returns, per batch, whether it got all of its
    // ids. A batch that did not leaves none claimed (nor its message row, when it has one).
    static std::vector<bool> claim_melding_ids(pg::Conn& c, const std::vector<std::pair<const std::string*, std::vector<std::string>>>& batches,
                                               const std::vector<const MessageRow*>& messages) {
        using Key = std::pair<std::string, std::string>;
        std::map<Key, std::size_t> owner;  // key -> the first batch that names it
        std::vector<bool> ok(batches.size(), true);
        for (std::size_t b = 0; b < batches.size(); ++b)
            for (const auto& id : batches[b].second)
                if (!owner.emplace(Key{*batches[b].first, id}, b).second) ok[b] = false;
        if (owner.empty()) return ok;
        ArrayLiteral senders, ids;
        for (const auto& [key, b] : owner) {
            senders.add(key.first);
            ids.add(key.second);
        }
        const auto r = c.query(
            "INSERT INTO melding_ids(sender_oin, melding_id) SELECT * FROM unnest($1::text[], $2::text[])"
            " ON CONFLICT DO NOTHING RETURNING sender_oin, melding_id",
            Params().add(senders.take()).add(ids.take()));
        std::set<Key> claimed;
        for (int i = 0; i < r.rows(); ++i) claimed.emplace(r.str(i, 0), r.str(i, 1));
        for (const auto& [key, b] : owner)
            if (!claimed.contains(key)) ok[b] = false;
        // Rare: a batch lost a key to another message. Give back what it claimed.
        ArrayLiteral back_senders, back_ids, msg_senders, msg_ids;
        bool any = false;
        for (const auto& [key, b] : owner)
            if (!ok[b] && claimed.contains(key)) {
                back_senders.add(key.first);
                back_ids.add(key.second);
                any = true;
            }
        for (std::size_t b = 0; b < batches.size(); ++b)
            if (!ok[b] && messages[b]) {
                msg_senders.add(messages[b]->sender_oin);
                msg_ids.add(messages[b]->bericht_id);
                any = true;
            }
        if (any) {
            c.query("DELETE FROM melding_ids WHERE (sender_oin, melding_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
                    Params().add(back_senders.take()).add(back_ids.take()));
            c.query("DELETE FROM messages WHERE (sender_oin, bericht_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
                    Params().add(msg_senders.take()).add(msg_ids.take()));
        }
        return ok;
    }

    // Appends entries at the end of the one log, under its row lock; returns the state to cache
    // once the transaction commits.
    static void update_receipts(pg::Conn& c, const std::vector<const MessageRow*>& rows) {
        ArrayLiteral senders, ids, receipts;
        for (const MessageRow* m : rows) {
            senders.add(m->sender_oin);
            ids.add(m->bericht_id);
            receipts.add(m->receipt);
        }
        c.query(
            "UPDATE messages m SET receipt = t.r FROM unnest($1::text[], $2::text[], $3::text[]) AS t(s, b, r)"
            " WHERE m.sender_oin = t.s AND m.bericht_id = t.b",
            Params().add(senders.take()).add(ids.take()).add(receipts.take()));
    }

    LogState append_audit(pg::Conn& c, const std::vector<const std::string*>& entries) {
        const auto size = static_cast<std::uint64_t>(c.query("SELECT size FROM audit_state WHERE id = 1 FOR UPDATE").i64(0, 0));
        std::optional<LogState> cached;
        {
            std::lock_guard lock(log_mu_);
            if (log_ && log_->size() == size) cached = log_;
        }
        LogState log = cached ? std::move(*cached) : load_edge(c, size);
        ArrayLiteral seqs, texts, leaves, levels, idxs, hashes;
        const merkle::CompactRange::Visitor node = [&](unsigned level, std::uint64_t idx, const merkle::Hash& hash) {
            levels.add(std::to_string(level));
            idxs.add(std::to_string(idx));
            hashes.add(merkle::hex(hash));
        };
        for (const std::string* e : entries) {
            const merkle::Hash h = merkle::leaf_hash(*e);
            seqs.add(std::to_string(log.size() + 1));
            texts.add(*e);
            leaves.add(merkle::hex(h));
            log.append(h, node);
        }
        c.query(
            "INSERT INTO audit(seq, entry, leaf_hash) SELECT s, e, decode(h, 'hex')"
            " FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t(s, e, h)",
            Params().add(seqs.take()).add(texts.take()).add(leaves.take()));
        c.query(
            "INSERT INTO audit_nodes(level, idx, hash) SELECT l, i, decode(h, 'hex')"
            " FROM unnest($1::integer[], $2::bigint[], $3::text[]) AS t(l, i, h)",
            Params().add(levels.take()).add(idxs.take()).add(hashes.take()));
        c.query("UPDATE audit_state SET size = $1 WHERE id = 1", Params().add(static_cast<std::int64_t>(log.size())));
        return log;
    }

    // Audit retention, last in the transaction (under the log's row lock, as appending is): the
    // periods closed by this group (`start`: the log's size before the group's entries) and the
    // removal of the prefix below `remove_before` — its entries, its heads and every subtree inside
    // it but its edge, which heads and proofs from there on still need.
    static void retention(pg::Conn& c, std::optional<std::uint64_t> start, const std::vector<std::pair<std::size_t, std::string>>& closes,
                          std::uint64_t remove_before) {
        if (closes.empty() && remove_before == 0) return;
        const auto size = static_cast<std::uint64_t>(c.query("SELECT size FROM audit_state WHERE id = 1 FOR UPDATE").i64(0, 0));
        for (const auto& [offset, at] : closes)
            c.query("INSERT INTO audit_periods(size, closed_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    Params().add(static_cast<std::int64_t>(start.value_or(size) + offset)).add(at));
        const std::uint64_t to = std::min(remove_before, size);
        if (to == 0) return;
        ArrayLiteral levels, below;
        for (unsigned level = 0; (to >> level) > 0; ++level) {
            levels.add(std::to_string(level));
            below.add(std::to_string((to >> level) - ((to >> level) & 1)));  // the prefix's edge node on this level stays
        }
        const auto bound = Params().add(static_cast<std::int64_t>(to));
        c.query("DELETE FROM audit WHERE seq <= $1", bound);
        c.query(
            "DELETE FROM audit_nodes n USING unnest($1::integer[], $2::bigint[]) AS p(level, below)"
            " WHERE n.level = p.level AND n.idx < p.below",
            Params().add(levels.take()).add(below.take()));
        c.query("DELETE FROM audit_heads WHERE size < $1", bound);
        c.query("UPDATE audit_state SET removed = GREATEST(removed, $1) WHERE id = 1", bound);
    }

    // The edge of the log at `size`, in one query.
    static LogState load_edge(pg::Conn& c, std::uint64_t size) {
        const auto refs = merkle::CompactRange::edge_of(size);
        ArrayLiteral levels, idxs;
        for (const auto& ref : refs) {
            levels.add(std::to_string(ref.level));
            idxs.add(std::to_string(ref.index));
        }
        const auto r = c.query(
            "SELECT n.level, n.idx, encode(n.hash, 'hex') FROM audit_nodes n"
            " JOIN unnest($1::integer[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx",
            Params().add(levels.take()).add(idxs.take()));
        std::map<std::pair<unsigned, std::uint64_t>, merkle::Hash> found;
        for (int i = 0; i < r.rows(); ++i)
            found[{static_cast<unsigned>(r.i64(i, 0)), static_cast<std::uint64_t>(r.i64(i, 1))}] = hash_from_hex(r.view(i, 2));
        std::vector<merkle::Hash> edge;
        for (const auto& ref : refs) {
            const auto it = found.find({ref.level, ref.index});
            if (it == found.end()) throw StoreError("audit log: a stored subtree is missing; run audit verify");
            edge.push_back(it->second);
        }
        return LogState(size, std::move(edge));
    }

    void remember(LogState log) {
        std::lock_guard lock(log_mu_);
        log_ = std::move(log);
    }
    void forget() {
        std::lock_guard lock(log_mu_);
        log_.reset();
    }

    static void rollback(pg::Conn* c) {
        if (c && c->ok() && PQtransactionStatus(c->get()) != PQTRANS_IDLE) PQclear(PQexec(c->get(), "ROLLBACK"));
    }

    std::vector<CommitResult> commit_group(std::vector<GroupCommit::Pending>& group) {
        std::vector<CommitResult> results(group.size(), CommitResult{true, false, {}});
        try {
            if (!writer_conn_ || !writer_conn_->alive()) {
                writer_conn_.reset();
                writer_conn_ = write_connection();
            }
            try {
                writer_conn_->exec("BEGIN");
            } catch (const pg::Error&) {
                if (writer_conn_->ok()) throw;
                writer_conn_.reset();  // lost before anything was sent: a new connection, once
                writer_conn_ = write_connection();
                writer_conn_->exec("BEGIN");
            }
            pg::Conn& c = *writer_conn_;
            std::vector<const MessageRow*> messages;
            std::vector<std::size_t> with_message;
            for (std::size_t i = 0; i < group.size(); ++i)
                if (group[i].batch.message) {
                    messages.push_back(&*group[i].batch.message);
                    with_message.push_back(i);
                }
            const auto fresh = insert_messages(c, messages);
            for (std::size_t k = 0; k < fresh.size(); ++k)
                if (!fresh[k]) results[with_message[k]] = {false, true, "duplicate berichtId"};
            std::vector<std::pair<const std::string*, std::vector<std::string>>> claims;
            std::vector<const MessageRow*> claim_messages;
            std::vector<std::size_t> claimed_by;
            for (std::size_t k = 0; k < fresh.size(); ++k)
                if (fresh[k] && !group[with_message[k]].batch.records.empty()) {
                    claims.emplace_back(&messages[k]->sender_oin, melding_ids_of(group[with_message[k]].batch.records));
                    claim_messages.push_back(messages[k]);
                    claimed_by.push_back(with_message[k]);
                }
            const auto claimed = claim_melding_ids(c, claims, claim_messages);
            for (std::size_t k = 0; k < claimed.size(); ++k)
                if (!claimed[k]) results[claimed_by[k]] = {false, false, "meldingId taken", false, true};
            RecordWriter records(c);
            std::vector<const std::string*> entries;
            std::vector<std::pair<std::size_t, std::size_t>> to_seal;  // batch, offset of its audit entry
            std::vector<std::pair<std::size_t, std::string>> closes;   // entries up to this offset, closed at
            std::uint64_t remove_before = 0;
            ArrayLiteral purge_ids, purge_regions;
            bool purge = false;
            for (std::size_t i = 0; i < group.size(); ++i) {
                if (results[i].duplicate || results[i].melding_taken) continue;
                const WriteBatch& b = group[i].batch;
                for (const auto& r : b.records) records.add(r);
                for (const auto& p : b.purge) {
                    purge_ids.add(p.id);
                    purge_regions.add(p.region);
                    purge = true;
                }
                if (b.head)
                    c.query("INSERT INTO audit_heads(size, root, time, signature, key_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                            Params()
                                .add(static_cast<std::int64_t>(b.head->size))
                                .add(b.head->root)
                                .add(b.head->time)
                                .add(b.head->signature)
                                .add(b.head->key_id));
                if (b.message && b.message->seal) to_seal.emplace_back(i, entries.size());
                for (const auto& e : b.audit_entries) entries.push_back(&e);
                if (!b.close_audit_period.empty()) closes.emplace_back(entries.size(), b.close_audit_period);
                remove_before = std::max(remove_before, b.remove_audit_before);
            }
            records.flush();
            if (purge) {
                // By (id, region): a record that moved has a notice under the same id in its old region.
                const std::string ids = purge_ids.take(), regions = purge_regions.take();
                c.query("DELETE FROM record_history WHERE (record_id, region) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
                        Params().add(ids).add(regions));
                c.query("DELETE FROM records WHERE (id, region) IN (SELECT * FROM unnest($1::text[], $2::text[]))", Params().add(ids).add(regions));
            }
            std::optional<LogState> log;
            if (!entries.empty()) log = append_audit(c, entries);
            if (log && !to_seal.empty()) {
                // The audit size is known only now (under the log's row lock): seal the receipts.
                const auto start = log->size() - entries.size();
                std::vector<const MessageRow*> rows;
                for (const auto& [i, offset] : to_seal) {
                    MessageRow& m = *group[i].batch.message;
                    m.seal(start + offset, m.receipt);
                    rows.push_back(&m);
                }
                update_receipts(c, rows);
                for (const auto& [i, offset] : to_seal) results[i].receipt = std::move(group[i].batch.message->receipt);  // stored
            }
            retention(c, log ? std::optional<std::uint64_t>(log->size() - entries.size()) : std::nullopt, closes, remove_before);
            c.exec("COMMIT");
            if (log) remember(std::move(*log));
        } catch (const std::exception& e) {
            rollback(writer_conn_.get());
            forget();
            for (auto& r : results) r = {false, false, e.what()};
        }
        return results;
    }

    std::string url_;
    StoreOptions options_;
    std::unique_ptr<pg::Conn> writer_conn_;  // the writer thread's
    std::mutex log_mu_;
    std::optional<LogState> log_;  // as last committed by this gateway (another may have appended since)
    std::unique_ptr<GroupCommit> writer_;
    std::unique_ptr<pg::Conn> upkeep_;  // maintain()'s connection (the service's housekeeping thread)
};

PgBulk::~PgBulk() {
    if (!finished_) finish(false, {}, std::nullopt, [](const CommitResult&) {});
}

void PgBulk::add(std::vector<StoredRecord>&& chunk) {
    if (!error_.empty()) return;
    for (const auto& r : chunk) melding_ids_.push_back(r.melding_id);
    try {
        if (!conn_) {
            conn_ = s_.write_connection();
            conn_->exec("BEGIN");
        }
        PgStore::RecordWriter w(*conn_);
        for (const auto& r : chunk) w.add(r);
        w.flush();
    } catch (const std::exception& e) {
        error_ = e.what();
    }
}

void PgBulk::finish(bool commit, std::vector<std::string> audit, std::optional<MessageRow> message, CommitCallback done) {
    finished_ = true;
    if (commit && error_.empty()) {
        try {
            if (!conn_) {
                conn_ = s_.write_connection();
                conn_->exec("BEGIN");
            }
            if (message && !PgStore::insert_messages(*conn_, {&*message})[0]) {
                PgStore::rollback(conn_.get());
                return done({false, true, "duplicate berichtId"});
            }
            if (message && !PgStore::claim_melding_ids(*conn_, {{&message->sender_oin, std::move(melding_ids_)}}, {&*message})[0]) {
                PgStore::rollback(conn_.get());
                return done({false, false, "meldingId taken", false, true});  // judged again by the caller
            }
            std::vector<const std::string*> entries;
            for (const auto& e : audit) entries.push_back(&e);
            LogState log = s_.append_audit(*conn_, entries);
            CommitResult ok{true, false, {}};
            if (message && message->seal) {
                message->seal(log.size() - entries.size(), message->receipt);
                PgStore::update_receipts(*conn_, {&*message});
                ok.receipt = std::move(message->receipt);  // stored: no copy needed
            }
            conn_->exec("COMMIT");
            s_.remember(std::move(log));
            return done(ok);
        } catch (const std::exception& e) {
            error_ = e.what();
            s_.forget();
        }
    }
    PgStore::rollback(conn_.get());
    conn_.reset();
    // Nothing of the message is stored; its refusal (or failure) is audited like any request.
    const CommitResult outcome{!commit, false, error_};
    if (audit.empty()) return done(outcome);
    WriteBatch b;
    b.audit_entries = std::move(audit);
    s_.submit(std::move(b), [outcome, done = std::move(done)](const CommitResult& c) { done(c.ok ? outcome : c); });
}

}  // namespace

std::unique_ptr<RecordStore> open_pg_store(const std::string& url, const StoreOptions& options) { return std::make_unique<PgStore>(url, options); }

}  // namespace dg
