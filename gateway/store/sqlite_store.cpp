#include "store/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "audit/merkle.hpp"

namespace dg {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS records(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  region TEXT NOT NULL, region_name TEXT NOT NULL, gemeente TEXT NOT NULL,
  berichttype TEXT NOT NULL, status TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,
  sender_oin TEXT NOT NULL, bericht_id TEXT NOT NULL, melding_id TEXT NOT NULL,
  subject TEXT NOT NULL, received_at TEXT NOT NULL,
  legal_basis TEXT NOT NULL, purpose TEXT NOT NULL, policy_version TEXT NOT NULL,
  retention_until TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS records_region ON records(region, active, seq);
CREATE INDEX IF NOT EXISTS records_subject ON records(subject, active);
CREATE INDEX IF NOT EXISTS records_melding ON records(melding_id);
CREATE TABLE IF NOT EXISTS record_history(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT NOT NULL, time TEXT NOT NULL,
  event TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS record_history_id ON record_history(record_id, seq);
CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY, entry TEXT NOT NULL, leaf_hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS audit_nodes(level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
  PRIMARY KEY(level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_heads(size INTEGER PRIMARY KEY, root TEXT NOT NULL, time TEXT NOT NULL,
  signature TEXT NOT NULL, key_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages(
  sender_oin TEXT NOT NULL, bericht_id TEXT NOT NULL, content_hash TEXT NOT NULL, receipt TEXT NOT NULL,
  received_at TEXT NOT NULL, PRIMARY KEY(sender_oin, bericht_id)) WITHOUT ROWID;
)sql";

constexpr const char* kColumns =
    "seq, id, region, region_name, gemeente, berichttype, status, sender_oin, bericht_id, melding_id,"
    " subject, received_at, legal_basis, purpose, policy_version, retention_until, data, active";

struct Stmt {
    sqlite3_stmt* s = nullptr;
    Stmt() = default;
    Stmt(sqlite3* db, const char* sql) {
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
    }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(Stmt&& o) noexcept { std::swap(s, o.s); return *this; }
    ~Stmt() { sqlite3_finalize(s); }
    // Binding an index the statement does not use is harmless (SQLITE_RANGE), which lets one
    // set of arguments serve statements that use different subsets of them.
    void text(int i, const std::string& v) { sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
};

std::string column_text(sqlite3_stmt* s, int i) {
    const auto* p = sqlite3_column_text(s, i);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
}

StoredRecord read_record(sqlite3_stmt* st) {
    StoredRecord rec;
    rec.seq = sqlite3_column_int64(st, 0);
    std::string* cols[] = {&rec.id, &rec.region, &rec.region_name, &rec.gemeente, &rec.berichttype, &rec.status,
                           &rec.sender_oin, &rec.bericht_id, &rec.melding_id, &rec.subject, &rec.received_at,
                           &rec.legal_basis, &rec.purpose, &rec.policy_version, &rec.retention_until, &rec.data};
    for (int i = 0; i < 16; ++i) *cols[i] = column_text(st, i + 1);
    rec.active = sqlite3_column_int(st, 17) != 0;
    return rec;
}

sqlite3* open_db(const std::filesystem::path& file) {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(file.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw std::runtime_error("cannot open " + file.string() + ": " + msg);
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

void exec(sqlite3* db, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw std::runtime_error(std::string("sqlite: ") + msg);
    }
}

// Shared between the request thread that produces a large message's rows and the writer thread.
struct BulkState {
    static constexpr std::size_t kMaxChunks = 4;  // bounded: the producer waits for the writer
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::vector<StoredRecord>> chunks;
    bool finished = false, commit = false;
    std::vector<std::string> audit;
    std::optional<MessageRow> message;
    CommitCallback done;
};

class SqliteBulk final : public BulkWrite {
public:
    explicit SqliteBulk(std::shared_ptr<BulkState> s) : s_(std::move(s)) {}
    ~SqliteBulk() override {
        if (!finished_) finish(false, {}, std::nullopt, [](const CommitResult&) {});
    }
    void add(std::vector<StoredRecord>&& chunk) override {
        std::unique_lock lock(s_->mu);
        s_->cv.wait(lock, [&] { return s_->chunks.size() < BulkState::kMaxChunks; });
        s_->chunks.push_back(std::move(chunk));
        s_->cv.notify_all();
    }
    void finish(bool commit, std::vector<std::string> audit, std::optional<MessageRow> message, CommitCallback done) override {
        finished_ = true;
        std::lock_guard lock(s_->mu);
        s_->finished = true;
        s_->commit = commit;
        s_->audit = std::move(audit);
        s_->message = std::move(message);
        s_->done = std::move(done);
        s_->cv.notify_all();
    }

private:
    std::shared_ptr<BulkState> s_;
    bool finished_ = false;
};

class SqliteStore final : public RecordStore, public AuditLog {
public:
    SqliteStore(const std::filesystem::path& dir, const SqliteOptions& options) : options_(options) {
        std::filesystem::create_directories(dir);
        const auto file = dir / "gateway.db";
        writer_ = open_db(file);
        exec(writer_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-16384;");
        // user_version 2: the Merkle audit log. Older stores are refused rather than half-used.
        {
            Stmt v(writer_, "PRAGMA user_version");
            Stmt t(writer_, "SELECT count(*) FROM sqlite_master WHERE name = 'records'");
            const int version = sqlite3_step(v.s) == SQLITE_ROW ? sqlite3_column_int(v.s, 0) : 0;
            const bool existing = sqlite3_step(t.s) == SQLITE_ROW && sqlite3_column_int(t.s, 0) > 0;
            if (existing && version < 2)
                throw std::runtime_error(file.string() + ": store schema " + std::to_string(version) +
                                         " predates this gateway (2); move the data dir aside and start afresh");
        }
        exec(writer_, kSchema);
        exec(writer_, "PRAGMA user_version = 2");
        insert_record_ = Stmt(writer_,
            "INSERT INTO records(id, region, region_name, gemeente, berichttype, status, sender_oin, bericht_id, melding_id,"
            " subject, received_at, legal_basis, purpose, policy_version, retention_until, data"
            ", active) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)");
        insert_audit_ = Stmt(writer_, "INSERT INTO audit(seq, entry, leaf_hash) VALUES(?1, ?2, ?3)");
        insert_node_ = Stmt(writer_, "INSERT INTO audit_nodes(level, idx, hash) VALUES(?1, ?2, ?3)");
        insert_head_ = Stmt(writer_, "INSERT OR IGNORE INTO audit_heads(size, root, time, signature, key_id) VALUES(?1,?2,?3,?4,?5)");
        load_log_state();
        insert_message_ = Stmt(writer_, "INSERT INTO messages(sender_oin, bericht_id, content_hash, receipt, received_at)"
                                        " VALUES(?1,?2,?3,?4,?5)");
        purge_record_ = Stmt(writer_, "DELETE FROM records WHERE id = ?1");
        purge_history_ = Stmt(writer_, "DELETE FROM record_history WHERE record_id = ?1");
        insert_history_ = Stmt(writer_, "INSERT INTO record_history(record_id, time, event, detail) VALUES(?1,?2,?3,?4)");
        withdraw_ = Stmt(writer_, "UPDATE records SET active = 0, status = 'ingetrokken', retention_until = ?2 WHERE id = ?1 AND active = 1");
        // A move: every active record of the subject elsewhere; history first, then the update.
        move_history_ = Stmt(writer_,
            "INSERT INTO record_history(record_id, time, event, detail) SELECT id, ?3, 'moved',"
            " json_object('fromRegion', region, 'fromGemeente', gemeente, 'toRegion', ?2, 'toGemeente', ?4, 'verhuizing', ?5)"
            " FROM records WHERE subject = ?1 AND active = 1 AND (region <> ?2 OR gemeente <> ?4) AND id <> ?5");
        move_ = Stmt(writer_, "UPDATE records SET region = ?2, region_name = ?6, gemeente = ?4"
                              " WHERE subject = ?1 AND active = 1 AND (region <> ?2 OR gemeente <> ?4) AND id <> ?5");
        status_history_ = Stmt(writer_,
            "INSERT INTO record_history(record_id, time, event, detail) SELECT id, ?3, 'status',"
            " json_object('status', ?4, 'trajectmelding', ?5) FROM records"
            " WHERE active = 1 AND berichttype <> 'trajectmelding' AND region = ?6 AND (id = ?1 OR (?1 = '' AND subject = ?2))");
        status_ = Stmt(writer_, "UPDATE records SET status = ?4 WHERE active = 1 AND berichttype <> 'trajectmelding' AND region = ?6"
                                " AND (id = ?1 OR (?1 = '' AND subject = ?2))");
        for (std::size_t i = 0; i < options_.readers; ++i) {
            sqlite3* r = open_db(file);
            exec(r, "PRAGMA query_only=ON;");
            readers_.push_back(r);
        }
        committer_ = std::thread([this] { run(); });
    }

    ~SqliteStore() override {
        close();
        for (Stmt* st : {&insert_node_, &insert_head_, &insert_record_, &insert_audit_, &insert_message_, &purge_record_, &purge_history_, &insert_history_, &withdraw_, &move_history_, &move_, &status_history_, &status_})
            *st = Stmt();
        for (auto* r : readers_) sqlite3_close(r);
        sqlite3_close(writer_);
    }

    void submit(WriteBatch batch, CommitCallback done) override {
        {
            std::lock_guard lock(mu_);
            if (!closing_) {
                queue_.push_back({std::move(batch), std::move(done), nullptr});
                cv_.notify_one();
                return;
            }
        }
        done({false, false, "store is closed"});
    }

    std::unique_ptr<BulkWrite> begin_bulk() override {
        auto state = std::make_shared<BulkState>();
        std::lock_guard lock(mu_);
        if (closing_) return std::make_unique<ClosedBulk>();
        queue_.push_back({{}, {}, state});
        cv_.notify_one();
        return std::make_unique<SqliteBulk>(state);
    }

    CaseloadPage caseload(const CaseloadQuery& q) override {
        std::string sql = std::string("SELECT ") + kColumns + " FROM records WHERE region = ?1 AND active = 1";
        if (!q.berichttype.empty()) sql += " AND berichttype = ?2";
        if (!q.gemeente.empty()) sql += " AND gemeente = ?3";
        if (!q.status.empty()) sql += " AND status = ?4";
        if (!q.since.empty()) sql += " AND received_at >= ?5";
        if (q.before_seq) sql += " AND seq < ?6";
        sql += " ORDER BY seq DESC LIMIT ?7";
        Reader r(*this);
        Stmt st(r.db, sql.c_str());
        st.text(1, q.region);
        if (!q.berichttype.empty()) st.text(2, q.berichttype);
        if (!q.gemeente.empty()) st.text(3, q.gemeente);
        if (!q.status.empty()) st.text(4, q.status);
        if (!q.since.empty()) st.text(5, q.since);
        if (q.before_seq) sqlite3_bind_int64(st.s, 6, *q.before_seq);
        sqlite3_bind_int64(st.s, 7, static_cast<sqlite3_int64>(q.limit + 1));
        CaseloadPage page;
        int rc;
        while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
            if (page.items.size() == q.limit) {
                page.next_before = page.items.back().seq;
                break;
            }
            page.items.push_back(read_record(st.s));
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw std::runtime_error(std::string("sqlite read: ") + sqlite3_errmsg(r.db));
        return page;
    }

    std::int64_t audit_size() override {
        Reader r(*this);
        Stmt st(r.db, "SELECT COALESCE(MAX(seq), 0) FROM audit");
        return sqlite3_step(st.s) == SQLITE_ROW ? sqlite3_column_int64(st.s, 0) : 0;
    }

    std::vector<StoredRecord> find_by_melding_id(const std::string& melding_id) override {
        Reader r(*this);
        Stmt st(r.db, (std::string("SELECT ") + kColumns + " FROM records WHERE melding_id = ?1 ORDER BY seq").c_str());
        st.text(1, melding_id);
        std::vector<StoredRecord> out;
        while (sqlite3_step(st.s) == SQLITE_ROW) out.push_back(read_record(st.s));
        return out;
    }

    std::optional<StoredRecord> find_record(const std::string& id) override {
        Reader r(*this);
        Stmt st(r.db, (std::string("SELECT ") + kColumns + " FROM records WHERE id = ?1").c_str());
        st.text(1, id);
        if (sqlite3_step(st.s) == SQLITE_ROW) return read_record(st.s);
        return std::nullopt;
    }

    std::vector<SummaryRow> summary(const std::string& region) override {
        Reader r(*this);
        Stmt st(r.db, "SELECT berichttype, gemeente, status, COUNT(*) FROM records WHERE region = ?1 AND active = 1"
                      " GROUP BY berichttype, gemeente, status ORDER BY berichttype, gemeente, status");
        st.text(1, region);
        std::vector<SummaryRow> out;
        while (sqlite3_step(st.s) == SQLITE_ROW)
            out.push_back({column_text(st.s, 0), column_text(st.s, 1), column_text(st.s, 2), static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 3))});
        return out;
    }

    std::vector<StoredRecord> records_of_subject(const std::string& subject, const std::string& region) override {
        Reader r(*this);
        Stmt st(r.db, (std::string("SELECT ") + kColumns + " FROM records WHERE subject = ?1 AND region = ?2 AND active = 1 ORDER BY seq DESC").c_str());
        st.text(1, subject);
        st.text(2, region);
        std::vector<StoredRecord> out;
        while (sqlite3_step(st.s) == SQLITE_ROW) out.push_back(read_record(st.s));
        return out;
    }

    std::vector<StoredRecord> expired(const std::string& today, std::size_t limit) override {
        Reader r(*this);
        Stmt st(r.db, (std::string("SELECT ") + kColumns +
                       " FROM records WHERE retention_until <> '' AND retention_until < ?1 ORDER BY seq LIMIT ?2").c_str());
        st.text(1, today);
        sqlite3_bind_int64(st.s, 2, static_cast<sqlite3_int64>(limit));
        std::vector<StoredRecord> out;
        while (sqlite3_step(st.s) == SQLITE_ROW) out.push_back(read_record(st.s));
        return out;
    }

    std::optional<MessageRow> find_message(const std::string& sender_oin, const std::string& bericht_id) override {
        Reader r(*this);
        Stmt st(r.db, "SELECT content_hash, receipt, received_at FROM messages WHERE sender_oin = ?1 AND bericht_id = ?2");
        st.text(1, sender_oin);
        st.text(2, bericht_id);
        if (sqlite3_step(st.s) != SQLITE_ROW) return std::nullopt;
        return MessageRow{sender_oin, bericht_id, column_text(st.s, 0), column_text(st.s, 1), column_text(st.s, 2)};
    }

    std::vector<HistoryEvent> history(const std::string& id) override {
        Reader r(*this);
        Stmt st(r.db, "SELECT time, event, detail FROM record_history WHERE record_id = ?1 ORDER BY seq");
        st.text(1, id);
        std::vector<HistoryEvent> out;
        while (sqlite3_step(st.s) == SQLITE_ROW) out.push_back({column_text(st.s, 0), column_text(st.s, 1), column_text(st.s, 2)});
        return out;
    }

    AuditLog& audit() override { return *this; }

    std::uint64_t committed_size() override {
        Reader r(*this);
        Stmt st(r.db, "SELECT COUNT(*) FROM audit");
        return sqlite3_step(st.s) == SQLITE_ROW ? static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 0)) : 0;
    }

    static AuditRow audit_row(sqlite3_stmt* st) {
        AuditRow row;
        row.index = static_cast<std::uint64_t>(sqlite3_column_int64(st, 0) - 1);
        merkle::Hash h{};
        if (sqlite3_column_bytes(st, 1) == 32) std::copy_n(static_cast<const unsigned char*>(sqlite3_column_blob(st, 1)), 32, h.begin());
        row.leaf_hash = merkle::hex(h);
        row.entry = column_text(st, 2);
        return row;
    }

    std::vector<AuditRow> entries(const AuditQuery& q) override {
        std::string sql = "SELECT seq, leaf_hash, entry FROM audit WHERE seq > ?1";
        if (!q.action.empty()) sql += " AND instr(entry, ?2) > 0";
        if (!q.party.empty()) sql += " AND instr(entry, ?3) > 0";
        sql += " ORDER BY seq LIMIT ?4";
        Reader r(*this);
        Stmt st(r.db, sql.c_str());
        sqlite3_bind_int64(st.s, 1, static_cast<sqlite3_int64>(q.from));
        if (!q.action.empty()) st.text(2, "\"action\":\"" + q.action + "\"");
        if (!q.party.empty()) st.text(3, "\"partyOin\":\"" + q.party + "\"");
        sqlite3_bind_int64(st.s, 4, static_cast<sqlite3_int64>(q.limit));
        std::vector<AuditRow> out;
        while (sqlite3_step(st.s) == SQLITE_ROW) out.push_back(audit_row(st.s));
        return out;
    }

    std::vector<AuditRow> entries_mentioning(const std::string& pseudonym) override {
        Reader r(*this);
        Stmt st(r.db, "SELECT seq, leaf_hash, entry FROM audit WHERE instr(entry, ?1) > 0 ORDER BY seq");
        st.text(1, "\"" + pseudonym + "\"");
        std::vector<AuditRow> out;
        while (sqlite3_step(st.s) == SQLITE_ROW) out.push_back(audit_row(st.s));
        return out;
    }

    std::unique_ptr<merkle::NodeSource> nodes() override;

    std::vector<SignedHead> heads() override { return read_heads("SELECT size, root, time, signature, key_id FROM audit_heads ORDER BY size"); }

    std::optional<SignedHead> latest_head() override {
        auto h = read_heads("SELECT size, root, time, signature, key_id FROM audit_heads ORDER BY size DESC LIMIT 1");
        return h.empty() ? std::nullopt : std::optional<SignedHead>(h.front());
    }

    std::vector<SignedHead> read_heads(const char* sql) {
        Reader r(*this);
        Stmt st(r.db, sql);
        std::vector<SignedHead> out;
        while (sqlite3_step(st.s) == SQLITE_ROW)
            out.push_back({static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 0)), column_text(st.s, 1), column_text(st.s, 2),
                           column_text(st.s, 3), column_text(st.s, 4)});
        return out;
    }

    bool ready() const override { return healthy_.load(); }

    void close() override {
        {
            std::lock_guard lock(mu_);
            if (closing_) return;
            closing_ = true;
            cv_.notify_all();
        }
        if (committer_.joinable()) committer_.join();
    }

private:
    struct Pending {
        WriteBatch batch;
        CommitCallback done;
        std::shared_ptr<BulkState> bulk;  // set: a large message streamed in chunks
    };

    struct ClosedBulk final : BulkWrite {
        void add(std::vector<StoredRecord>&&) override {}
        void finish(bool, std::vector<std::string>, std::optional<MessageRow>, CommitCallback done) override {
            done({false, false, "store is closed"});
        }
    };

    // Borrows a read connection for the scope of one query.
    struct Reader {
        SqliteStore& s;
        sqlite3* db;
        explicit Reader(SqliteStore& store) : s(store) {
            std::unique_lock lock(s.read_mu_);
            s.read_cv_.wait(lock, [&] { return !s.readers_.empty(); });
            db = s.readers_.back();
            s.readers_.pop_back();
        }
        ~Reader() {
            std::lock_guard lock(s.read_mu_);
            s.readers_.push_back(db);
            s.read_cv_.notify_one();
        }
    };

    // Reads committed subtree hashes through one borrowed read connection.
    class Nodes final : public merkle::NodeSource {
    public:
        explicit Nodes(SqliteStore& s) : reader_(s), st_(reader_.db, "SELECT hash FROM audit_nodes WHERE level = ?1 AND idx = ?2") {}
        merkle::Hash node(unsigned level, std::uint64_t idx) override {
            sqlite3_reset(st_.s);
            sqlite3_bind_int(st_.s, 1, static_cast<int>(level));
            sqlite3_bind_int64(st_.s, 2, static_cast<sqlite3_int64>(idx));
            if (sqlite3_step(st_.s) != SQLITE_ROW || sqlite3_column_bytes(st_.s, 0) != 32)
                throw std::out_of_range("audit log: no such subtree");
            merkle::Hash h;
            std::copy_n(static_cast<const unsigned char*>(sqlite3_column_blob(st_.s, 0)), 32, h.begin());
            return h;
        }

    private:
        Reader reader_;
        Stmt st_;
    };


    bool step_done(Stmt& st) {
        const int rc = sqlite3_step(st.s);
        sqlite3_reset(st.s);
        sqlite3_clear_bindings(st.s);
        return rc == SQLITE_DONE;
    }

    bool insert(const StoredRecord& r) {
        const std::string* vals[] = {&r.id, &r.region, &r.region_name, &r.gemeente, &r.berichttype, &r.status,
                                     &r.sender_oin, &r.bericht_id, &r.melding_id, &r.subject, &r.received_at,
                                     &r.legal_basis, &r.purpose, &r.policy_version, &r.retention_until, &r.data};
        for (int i = 0; i < 16; ++i) insert_record_.text(i + 1, *vals[i]);
        sqlite3_bind_int(insert_record_.s, 17, r.active ? 1 : 0);
        return step_done(insert_record_) && apply_effect(r);
    }

    bool insert_node(unsigned level, std::uint64_t idx, const merkle::Hash& h) {
        sqlite3_bind_int(insert_node_.s, 1, static_cast<int>(level));
        sqlite3_bind_int64(insert_node_.s, 2, static_cast<sqlite3_int64>(idx));
        sqlite3_bind_blob(insert_node_.s, 3, h.data(), 32, SQLITE_TRANSIENT);
        return step_done(insert_node_);
    }

    // Appends a leaf and every complete subtree it closes (RFC 9162 tree, stored incrementally).
    bool insert_audit(const std::vector<std::string>& entries) {
        for (const auto& e : entries) {
            merkle::Hash h = merkle::leaf_hash(e);
            sqlite3_bind_int64(insert_audit_.s, 1, static_cast<sqlite3_int64>(log_.size + 1));
            insert_audit_.text(2, e);
            sqlite3_bind_blob(insert_audit_.s, 3, h.data(), 32, SQLITE_TRANSIENT);
            if (!step_done(insert_audit_) || !insert_node(0, log_.size, h)) return false;
            std::uint64_t idx = log_.size;
            unsigned level = 0;
            while (idx & 1) {
                h = merkle::node_hash(*log_.frontier[level], h);
                log_.frontier[level].reset();
                idx >>= 1;
                ++level;
                if (!insert_node(level, idx, h)) return false;
            }
            if (log_.frontier.size() <= level) log_.frontier.resize(level + 1);
            log_.frontier[level] = h;
            ++log_.size;
        }
        return true;
    }

    bool insert_head(const std::optional<SignedHead>& h) {
        if (!h) return true;
        sqlite3_bind_int64(insert_head_.s, 1, static_cast<sqlite3_int64>(h->size));
        insert_head_.text(2, h->root);
        insert_head_.text(3, h->time);
        insert_head_.text(4, h->signature);
        insert_head_.text(5, h->key_id);
        return step_done(insert_head_);
    }

    void load_log_state() {
        Stmt count(writer_, "SELECT COUNT(*) FROM audit");
        log_.size = sqlite3_step(count.s) == SQLITE_ROW ? static_cast<std::uint64_t>(sqlite3_column_int64(count.s, 0)) : 0;
        Stmt node(writer_, "SELECT hash FROM audit_nodes WHERE level = ?1 AND idx = ?2");
        for (unsigned level = 0; (log_.size >> level) != 0; ++level) {
            if (((log_.size >> level) & 1) == 0) continue;
            sqlite3_bind_int(node.s, 1, static_cast<int>(level));
            sqlite3_bind_int64(node.s, 2, static_cast<sqlite3_int64>((log_.size >> level) - 1));
            if (sqlite3_step(node.s) != SQLITE_ROW || sqlite3_column_bytes(node.s, 0) != 32)
                throw std::runtime_error("audit log: a stored subtree is missing; run audit verify");
            merkle::Hash h;
            std::copy_n(static_cast<const unsigned char*>(sqlite3_column_blob(node.s, 0)), 32, h.begin());
            if (log_.frontier.size() <= level) log_.frontier.resize(level + 1);
            log_.frontier[level] = h;
            sqlite3_reset(node.s);
        }
    }

    // Inserting the message row first makes a concurrent duplicate fail here, before any record.
    enum class Insert { Ok, Duplicate, Failed };
    Insert insert_message(const std::optional<MessageRow>& m) {
        if (!m) return Insert::Ok;
        const std::string* vals[] = {&m->sender_oin, &m->bericht_id, &m->content_hash, &m->receipt, &m->received_at};
        for (int i = 0; i < 5; ++i) insert_message_.text(i + 1, *vals[i]);
        const int rc = sqlite3_step(insert_message_.s);
        sqlite3_reset(insert_message_.s);
        sqlite3_clear_bindings(insert_message_.s);
        if (rc == SQLITE_DONE) return Insert::Ok;
        return (rc & 0xff) == SQLITE_CONSTRAINT ? Insert::Duplicate : Insert::Failed;
    }

    CommitResult apply(const WriteBatch& b) {
        const Insert m = insert_message(b.message);
        if (m == Insert::Duplicate) return {false, true, "duplicate berichtId"};
        if (m == Insert::Failed) return {false, false, sqlite3_errmsg(writer_)};
        for (const auto& r : b.records)
            if (!insert(r)) return {false, false, sqlite3_errmsg(writer_)};
        if (!insert_head(b.head)) return {false, false, sqlite3_errmsg(writer_)};
        for (const auto& id : b.purge_ids) {
            for (Stmt* st : {&purge_history_, &purge_record_}) {
                st->text(1, id);
                if (!step_done(*st)) return {false, false, sqlite3_errmsg(writer_)};
            }
        }
        if (!insert_audit(b.audit_entries)) return {false, false, sqlite3_errmsg(writer_)};
        return {true, false, {}};
    }

    bool exec_ok(const char* sql) { return sqlite3_exec(writer_, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

    // One large message: its rows as they come, then its audit entry, in one transaction.
    void run_bulk(BulkState& s) {
        const LogState before = log_;
        bool ok = exec_ok("BEGIN IMMEDIATE");
        std::string error = ok ? "" : sqlite3_errmsg(writer_);
        bool duplicate = false;
        for (;;) {
            std::vector<StoredRecord> chunk;
            {
                std::unique_lock lock(s.mu);
                s.cv.wait(lock, [&] { return !s.chunks.empty() || s.finished; });
                if (s.chunks.empty()) break;
                chunk = std::move(s.chunks.front());
                s.chunks.pop_front();
                s.cv.notify_all();
            }
            for (const auto& r : chunk) {
                if (!ok) break;
                if (!insert(r)) {
                    ok = false;
                    error = sqlite3_errmsg(writer_);
                }
            }
        }
        CommitResult result{true, false, {}};
        if (s.commit && ok) {
            const Insert m = insert_message(s.message);
            duplicate = m == Insert::Duplicate;
            ok = m == Insert::Ok;
        }
        if (s.commit && ok && insert_audit(s.audit) && exec_ok("COMMIT")) {
            // committed, records and audit entry together
        } else if (duplicate) {
            exec_ok("ROLLBACK");  // the caller answers with the stored receipt or a conflict, and audits that
            log_ = before;
            result = {false, true, "duplicate berichtId"};
        } else {
            if (s.commit) result = {false, false, error.empty() ? sqlite3_errmsg(writer_) : error};
            exec_ok("ROLLBACK");
            log_ = before;
            // The refusal (or failure) is still audited, in a transaction of its own.
            if (!s.audit.empty()) {
                const bool audited = exec_ok("BEGIN IMMEDIATE") && insert_audit(s.audit) && exec_ok("COMMIT");
                if (!audited) {
                    exec_ok("ROLLBACK");
                    log_ = before;
                    result = {false, false, sqlite3_errmsg(writer_)};
                }
            }
        }
        healthy_.store(result.ok || result.duplicate);
        if (s.done) s.done(result);
    }

    bool history_event(const std::string& id, const std::string& time, const char* event, const std::string& detail) {
        insert_history_.text(1, id);
        insert_history_.text(2, time);
        insert_history_.text(3, event);
        insert_history_.text(4, detail);
        return step_done(insert_history_);
    }

    bool apply_effect(const StoredRecord& r) {
        switch (r.effect) {
        case RecordEffect::None: return true;
        case RecordEffect::Withdraw:
            withdraw_.text(1, r.target_id);
            withdraw_.text(2, r.retention_until);
            return step_done(withdraw_) &&
                   history_event(r.target_id, r.received_at, "withdrawn", "{\"intrekking\":\"" + r.id + "\"}");
        case RecordEffect::Move:
            for (Stmt* st : {&move_history_, &move_}) {
                st->text(1, r.subject);
                st->text(2, r.region);
                st->text(3, r.received_at);
                st->text(4, r.gemeente);
                st->text(5, r.id);
                if (st == &move_) st->text(6, r.region_name);
                if (!step_done(*st)) return false;
            }
            return true;
        case RecordEffect::Status:
            for (Stmt* st : {&status_history_, &status_}) {
                st->text(1, r.target_id);
                st->text(2, r.subject);
                st->text(3, r.received_at);
                st->text(4, r.new_status);
                st->text(5, r.id);
                st->text(6, r.region);
                if (!step_done(*st)) return false;
            }
            return true;
        }
        return false;
    }

    void run() {
        std::vector<Pending> group;
        std::vector<CommitResult> results;
        std::shared_ptr<BulkState> bulk;
        for (;;) {
            {
                std::unique_lock lock(mu_);
                cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
                if (queue_.empty()) return;
                if (queue_.front().bulk) {
                    bulk = std::move(queue_.front().bulk);
                    queue_.pop_front();
                } else {
                    while (!queue_.empty() && !queue_.front().bulk && group.size() < options_.max_group) {
                        group.push_back(std::move(queue_.front()));
                        queue_.pop_front();
                    }
                }
            }
            if (bulk) {
                run_bulk(*bulk);
                bulk.reset();
                continue;
            }
            results.assign(group.size(), CommitResult{true, false, {}});
            const LogState before_group = log_;
            bool committed = sqlite3_exec(writer_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
            std::string error = committed ? "" : sqlite3_errmsg(writer_);
            if (committed) {
                // One savepoint per request, so one bad request does not fail the others.
                for (std::size_t i = 0; i < group.size(); ++i) {
                    sqlite3_exec(writer_, "SAVEPOINT req", nullptr, nullptr, nullptr);
                    const LogState before_request = log_;
                    results[i] = apply(group[i].batch);
                    if (results[i].ok) {
                        sqlite3_exec(writer_, "RELEASE req", nullptr, nullptr, nullptr);
                    } else {
                        sqlite3_exec(writer_, "ROLLBACK TO req; RELEASE req", nullptr, nullptr, nullptr);
                        log_ = before_request;
                    }
                }
                if (sqlite3_exec(writer_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
                    error = sqlite3_errmsg(writer_);
                    sqlite3_exec(writer_, "ROLLBACK", nullptr, nullptr, nullptr);
                    committed = false;
                }
            }
            if (!committed) log_ = before_group;
            if (!committed)
                for (auto& r : results) r = {false, false, error};
            healthy_.store(committed);
            for (std::size_t i = 0; i < group.size(); ++i) group[i].done(results[i]);
            group.clear();
        }
    }

    SqliteOptions options_;
    sqlite3* writer_ = nullptr;
    Stmt insert_node_, insert_head_;
    // The Merkle log as the writer sees it: size, and per level the complete node still waiting
    // for its right sibling. Saved before each savepoint and restored when it rolls back.
    struct LogState {
        std::uint64_t size = 0;
        std::vector<std::optional<merkle::Hash>> frontier;
    };
    LogState log_;
    Stmt insert_record_, insert_audit_, insert_message_, purge_record_, purge_history_, insert_history_, withdraw_, move_history_, move_, status_history_, status_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Pending> queue_;
    bool closing_ = false;
    std::thread committer_;
    std::atomic<bool> healthy_{true};
    std::mutex read_mu_;
    std::condition_variable read_cv_;
    std::vector<sqlite3*> readers_;
};

std::unique_ptr<merkle::NodeSource> SqliteStore::nodes() { return std::make_unique<Nodes>(*this); }

}  // namespace

std::unique_ptr<RecordStore> open_sqlite_store(const std::filesystem::path& dir, const SqliteOptions& options) {
    return std::make_unique<SqliteStore>(dir, options);
}

}  // namespace dg
