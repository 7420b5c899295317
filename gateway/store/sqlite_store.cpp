// The embedded store: DIR/audit.db holds the audit log, the accepted messages and the commit
// counter; DIR/region-<code>.db holds one Doorstroompunt region's records and their history. Every
// file is SQLite in WAL mode with synchronous=FULL.
//
// WAL commits are atomic per file, not across files, so one transaction T is committed in two
// steps: first every region file it touched (each remembering T), then audit.db, which records T
// as committed. audit.db decides: a region change of a transaction that audit.db did not commit
// is undone, right away when the commit fails, or at the next start after a crash. For that each
// region file keeps, within T, the rows T created (created_txn / txn = T) and the before-image of
// every row T changed or deleted (undo_records, undo_history), dropped once audit.db has T.
#include "store/sqlite_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "audit/merkle.hpp"
#include "core/identifiers.hpp"
#include "core/log.hpp"
#include "store/connection_pool.hpp"
#include "store/effects.hpp"
#include "store/group_commit.hpp"
#include "store/sqlite_util.hpp"

namespace dg {
namespace {

using sqlite::Stmt;

constexpr int kSchemaVersion = 5;

// The log's size: its last entry's, or where the removed prefix ends when no entry is left.
constexpr const char* kSizeSql =
    "SELECT max(COALESCE((SELECT MAX(seq) FROM audit), 0), COALESCE((SELECT value FROM meta WHERE key = 'audit_removed'), 0))";

constexpr const char* kMainSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta(key, value) VALUES('txn', 0);
CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY, entry TEXT NOT NULL, leaf_hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS audit_nodes(level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
  PRIMARY KEY(level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_heads(size INTEGER PRIMARY KEY, root TEXT NOT NULL, time TEXT NOT NULL,
  signature TEXT NOT NULL, key_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_periods(size INTEGER PRIMARY KEY, closed_at TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES('audit_removed', 0);
CREATE TABLE IF NOT EXISTS messages(
  sender_oin TEXT NOT NULL, bericht_id TEXT NOT NULL, content_hash TEXT NOT NULL, receipt TEXT NOT NULL,
  received_at TEXT NOT NULL, PRIMARY KEY(sender_oin, bericht_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS melding_ids(sender_oin TEXT NOT NULL, melding_id TEXT NOT NULL,
  PRIMARY KEY(sender_oin, melding_id)) WITHOUT ROWID;
)sql";

// The record columns after seq, id and created_txn; the undo table repeats them.
constexpr const char* kRecordData =
    "region TEXT NOT NULL, region_name TEXT NOT NULL, gemeente TEXT NOT NULL, berichttype TEXT NOT NULL,"
    " status TEXT NOT NULL, sender_oin TEXT NOT NULL, bericht_id TEXT NOT NULL, melding_id TEXT NOT NULL,"
    " subject TEXT NOT NULL, received_at TEXT NOT NULL, legal_basis TEXT NOT NULL, purpose TEXT NOT NULL,"
    " policy_version TEXT NOT NULL, retention_until TEXT NOT NULL, data TEXT NOT NULL, active INTEGER NOT NULL,"
    " intermediary_oin TEXT NOT NULL";

std::string region_schema() {
    return std::string(R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta(key, value) VALUES('txn', 0);
CREATE TABLE IF NOT EXISTS records(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
  created_txn INTEGER NOT NULL, )sql") +
           kRecordData + R"sql();
CREATE INDEX IF NOT EXISTS records_caseload ON records(active, seq);
CREATE INDEX IF NOT EXISTS records_subject ON records(subject, active);
CREATE INDEX IF NOT EXISTS records_melding ON records(melding_id);
CREATE INDEX IF NOT EXISTS records_sender ON records(sender_oin, received_at);
CREATE INDEX IF NOT EXISTS records_report ON records(received_at, gemeente, berichttype, status, active, created_txn);
CREATE TABLE IF NOT EXISTS record_history(seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT NOT NULL,
  txn INTEGER NOT NULL, time TEXT NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS record_history_id ON record_history(record_id, seq);
CREATE TABLE IF NOT EXISTS undo_records(useq INTEGER PRIMARY KEY, txn INTEGER NOT NULL, seq INTEGER NOT NULL,
  id TEXT NOT NULL, created_txn INTEGER NOT NULL, )sql" +
           kRecordData + R"sql();
CREATE TABLE IF NOT EXISTS undo_history(useq INTEGER PRIMARY KEY, txn INTEGER NOT NULL, seq INTEGER NOT NULL,
  record_id TEXT NOT NULL, htxn INTEGER NOT NULL, time TEXT NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL);
)sql";
}

// Columns as read_record() expects them.
constexpr const char* kColumns =
    "seq, id, region, region_name, gemeente, berichttype, status, sender_oin, bericht_id, melding_id,"
    " subject, received_at, legal_basis, purpose, policy_version, retention_until, data, active, created_txn, intermediary_oin";
constexpr const char* kAllRecordColumns =
    "seq, id, created_txn, region, region_name, gemeente, berichttype, status, sender_oin, bericht_id, melding_id,"
    " subject, received_at, legal_basis, purpose, policy_version, retention_until, data, active, intermediary_oin";

StoredRecord read_record(const Stmt& st) {
    StoredRecord rec;
    rec.seq = st.i64(0);
    std::string* cols[] = {&rec.id,         &rec.region,         &rec.region_name,     &rec.gemeente, &rec.berichttype, &rec.status,
                           &rec.sender_oin, &rec.bericht_id,     &rec.melding_id,      &rec.subject,  &rec.received_at, &rec.legal_basis,
                           &rec.purpose,    &rec.policy_version, &rec.retention_until, &rec.data};
    for (int i = 0; i < 16; ++i) *cols[i] = st.str(i + 1);
    rec.active = st.i64(17) != 0;
    rec.intermediary_oin = st.str(19);
    return rec;
}

std::string region_file_name(const std::string& code) { return "region-" + code + ".db"; }

// Page cache per writer connection: 4 MiB, so that memory stays bounded with many region files.
// No automatic checkpoints: they would run inside a commit on the writer thread (a stall of
// milliseconds for every request of the group); the Checkpointer does them beside it.
void configure_writer(sqlite3* db) {
    sqlite::exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-4096; PRAGMA wal_autocheckpoint=0;"
                 " PRAGMA journal_size_limit=67108864;");
}

// Copies committed WAL frames into the database files on a thread and connections of its own,
// every 200 ms. PASSIVE never waits for, nor blocks, the writer or readers; but under steady
// writes the WAL would never start over, so once a passive round has caught up with a WAL of
// more than 64 MiB, a RESTART finishes it (holding the writer back for the few frames left).
class Checkpointer {
public:
    using Files = std::function<std::vector<std::filesystem::path>()>;
    explicit Checkpointer(Files files) : files_(std::move(files)), thread_([this] { run(); }) {}
    ~Checkpointer() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
        for (auto& [file, db] : dbs_) sqlite3_close(db);
    }

private:
    void run() {
        std::unique_lock lock(mu_);
        while (!cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stop_; })) {
            lock.unlock();
            for (const auto& file : files_()) {
                sqlite3*& db = dbs_[file];
                try {
                    if (!db) {
                        db = sqlite::open(file, false);
                        sqlite::exec(db, "PRAGMA synchronous=FULL;");
                    }
                    int log = 0, done = 0;
                    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
                    if (log > kRestartFrames && done >= log - kRestartFrames / 16)
                        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
                } catch (const std::exception&) {
                    // The next round tries again; a failing disk shows in the writer's commits.
                }
            }
            lock.lock();
        }
    }
    static constexpr int kRestartFrames = 16384;  // 64 MiB of 4 KiB pages
    Files files_;
    std::map<std::filesystem::path, sqlite3*> dbs_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

// A read-only connection to one file.
struct ReadConnection {
    sqlite3* db;
    ReadConnection(const std::filesystem::path& file, bool read_only) : db(sqlite::open(file, read_only)) {
        if (read_only) return;
        try {
            sqlite::exec(db, "PRAGMA query_only=ON;");
        } catch (...) {
            sqlite3_close(db);
            throw;
        }
    }
    ReadConnection(const ReadConnection&) = delete;
    ~ReadConnection() { sqlite3_close(db); }
};
using ReaderPool = ConnectionPool<ReadConnection>;

std::unique_ptr<ReaderPool> readers_of(const std::filesystem::path& file, std::size_t max, bool read_only) {
    return std::make_unique<ReaderPool>(max, [file, read_only] { return std::make_unique<ReadConnection>(file, read_only); });
}

// The writer's connection to one region file and the statements it runs there.
struct RegionFile {
    std::string code;
    sqlite3* db = nullptr;
    Stmt insert, insert_history, save_record, save_history, tombstone, is_active, of_subject, history_rows, delete_record, delete_history,
        set_gemeente, active_by_id, active_of_subject, set_status, set_txn, find, change;
    bool in_txn = false;
    bool committed = false;       // committed within the current transaction (undo if audit.db fails)
    bool undo_rows = true;        // before-images may be left from committed transactions
    bool needs_recovery = false;  // an undo could not be written: run it before the next use

    RegionFile(const std::filesystem::path& file, std::string c) : code(std::move(c)), db(sqlite::open(file, false)) {
        try {
            configure_writer(db);
            sqlite::exec(db, region_schema().c_str());
            sqlite::exec(db, ("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
            insert = Stmt(db, std::string("INSERT INTO records(id, created_txn, region, region_name, gemeente, berichttype, status,"
                                          " sender_oin, bericht_id, melding_id, subject, received_at, legal_basis, purpose,"
                                          " policy_version, retention_until, data, active, intermediary_oin)"
                                          " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)"));
            insert_history = Stmt(db, "INSERT INTO record_history(record_id, txn, time, event, detail) VALUES(?1,?2,?3,?4,?5)");
            save_record = Stmt(db, std::string("INSERT INTO undo_records(txn, ") + kAllRecordColumns + ") SELECT ?2, " + kAllRecordColumns +
                                       " FROM records WHERE id = ?1");
            save_history = Stmt(db,
                                "INSERT INTO undo_history(txn, seq, record_id, htxn, time, event, detail)"
                                " SELECT ?2, seq, record_id, txn, time, event, detail FROM record_history WHERE record_id = ?1");
            tombstone = Stmt(db, "UPDATE records SET active = 0, status = ?3, retention_until = ?2 WHERE id = ?1 AND active = 1");
            is_active = Stmt(db, "SELECT 1 FROM records WHERE id = ?1 AND active = 1");
            of_subject = Stmt(db, std::string("SELECT ") + kColumns +
                                      " FROM records WHERE subject = ?1 AND active = 1 AND id <> ?2 AND gemeente = ?5"
                                      " AND (region <> ?3 OR gemeente <> ?4) ORDER BY seq");
            history_rows = Stmt(db, "SELECT time, event, detail FROM record_history WHERE record_id = ?1 ORDER BY seq");
            delete_record = Stmt(db, "DELETE FROM records WHERE id = ?1");
            delete_history = Stmt(db, "DELETE FROM record_history WHERE record_id = ?1");
            set_gemeente = Stmt(db, "UPDATE records SET gemeente = ?2 WHERE id = ?1");
            // Two statements, not one with "id = ?1 OR subject = ?2": an OR keeps SQLite from either
            // index, and a status for a subject then scanned the whole region per record.
            active_by_id = Stmt(db, std::string("SELECT ") + kColumns + " FROM records WHERE id = ?1 AND active = 1");
            active_of_subject = Stmt(db, std::string("SELECT ") + kColumns + " FROM records WHERE subject = ?1 AND active = 1 ORDER BY seq");
            set_status = Stmt(db, "UPDATE records SET status = ?2 WHERE id = ?1");
            set_txn = Stmt(db, "UPDATE meta SET value = ?1 WHERE key = 'txn'");
            find = Stmt(db, "SELECT 1 FROM records WHERE id = ?1");
            change = Stmt(db, "UPDATE records SET data = ?2, retention_until = ?3 WHERE id = ?1 AND active = 1");
        } catch (...) {
            close();
            throw;
        }
    }
    ~RegionFile() { close(); }
    void close() {
        for (Stmt* s : {&insert, &insert_history, &save_record, &save_history, &tombstone, &is_active, &of_subject, &history_rows, &delete_record,
                        &delete_history, &set_gemeente, &active_by_id, &active_of_subject, &set_status, &set_txn, &find, &change})
            *s = Stmt();
        sqlite3_close(db);
        db = nullptr;
    }

    std::int64_t last_txn() {
        Stmt st(db, "SELECT value FROM meta WHERE key = 'txn'");
        const std::int64_t v = st.row() ? st.i64(0) : 0;
        st.reset();
        return v;
    }

    // Takes back every change of the transactions after `committed` (the last one audit.db has).
    void undo_after(std::int64_t committed) {
        const std::string w = std::to_string(committed);
        const std::string sql =
            "BEGIN IMMEDIATE;"
            "DELETE FROM records WHERE created_txn > " +
            w +
            ";"
            "INSERT OR REPLACE INTO records(" +
            kAllRecordColumns + ") SELECT " + kAllRecordColumns + " FROM undo_records WHERE txn > " + w + " AND created_txn <= " + w +
            " ORDER BY useq DESC;"
            "DELETE FROM record_history WHERE txn > " +
            w +
            ";"
            "INSERT OR REPLACE INTO record_history(seq, record_id, txn, time, event, detail)"
            " SELECT seq, record_id, htxn, time, event, detail FROM undo_history WHERE txn > " +
            w + " AND htxn <= " + w +
            " ORDER BY useq DESC;"
            "DELETE FROM undo_records; DELETE FROM undo_history;"
            "UPDATE meta SET value = " +
            w +
            " WHERE key = 'txn';"
            "COMMIT;";
        try {
            sqlite::exec(db, sql.c_str());
        } catch (...) {
            if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
        undo_rows = false;
    }
};

class SqliteStore final : public RecordStore, public AuditLog {
public:
    SqliteStore(const std::filesystem::path& dir, const StoreOptions& options) : dir_(dir), options_(options) {
        if (std::filesystem::exists(dir / "gateway.db"))
            throw std::runtime_error((dir / "gateway.db").string() +
                                     ": a single-file store of an earlier version; move the data dir aside and start afresh");
        const auto main_file = dir / "audit.db";
        if (options_.read_only) {
            if (!std::filesystem::exists(main_file)) throw std::runtime_error("no store at " + main_file.string());
        } else {
            std::filesystem::create_directories(dir);
            // One writer per data dir: a second (another gateway, purge or audit rotate-key while
            // one runs) would append to the log behind the first one's back. Released on exit.
            lock_fd_ = ::open((dir / "writer.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
            if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
                if (lock_fd_ >= 0) ::close(lock_fd_);
                lock_fd_ = -1;
                throw std::runtime_error(dir.string() + " is in use by another gateway process (stop it first)");
            }
        }
        main_readers_ = readers_of(main_file, options_.readers, options_.read_only);
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            const std::string name = entry.path().filename().string();
            if (name.rfind("region-", 0) == 0 && name.size() > 10 && name.ends_with(".db")) known_regions_.insert(name.substr(7, name.size() - 10));
        }
        if (options_.read_only) {
            visible_txn_ = INT64_MAX;
            return;
        }
        main_ = sqlite::open(main_file, false);
        try {
            configure_writer(main_);
            check_schema_version();
            sqlite::exec(main_, kMainSchema);
            sqlite::exec(main_, ("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
            insert_message_ = Stmt(main_,
                                   "INSERT OR IGNORE INTO messages(sender_oin, bericht_id, content_hash, receipt, received_at)"
                                   " VALUES(?1,?2,?3,?4,?5)");
            insert_melding_ = Stmt(main_, "INSERT OR IGNORE INTO melding_ids(sender_oin, melding_id) VALUES(?1, ?2)");
            insert_audit_ = Stmt(main_, "INSERT INTO audit(seq, entry, leaf_hash) VALUES(?1, ?2, ?3)");
            insert_node_ = Stmt(main_, "INSERT INTO audit_nodes(level, idx, hash) VALUES(?1, ?2, ?3)");
            insert_head_ = Stmt(main_, "INSERT OR IGNORE INTO audit_heads(size, root, time, signature, key_id) VALUES(?1,?2,?3,?4,?5)");
            set_txn_ = Stmt(main_, "UPDATE meta SET value = ?1 WHERE key = 'txn'");
            {
                Stmt t(main_, "SELECT value FROM meta WHERE key = 'txn'");
                txn_ = t.row() ? t.i64(0) : 0;
                t.reset();
            }
            load_log_state();
            // A crash between a region file's commit and audit.db's leaves changes audit.db never
            // committed: take them back before anything reads them.
            for (const auto& code : known_regions_) {
                RegionFile& r = region(code);
                if (r.last_txn() > txn_) {
                    log_warn("store recovery: undoing an uncommitted transaction", {{"region", code}});
                    r.undo_after(txn_);
                }
            }
        } catch (...) {
            close_files();
            throw;
        }
        visible_txn_ = txn_;
        writer_ = std::make_unique<GroupCommit>(
            options_.max_group, options_.max_queue, [this](std::vector<GroupCommit::Pending>& g) { return commit_group(g); },
            [this](BulkChannel& b) { return commit_bulk(b); });
        checkpointer_ = std::make_unique<Checkpointer>([this] {
            std::vector<std::filesystem::path> files{dir_ / "audit.db"};
            for (const auto& code : regions_now()) files.push_back(dir_ / region_file_name(code));
            return files;
        });
    }

    ~SqliteStore() override {
        close();
        close_files();
    }

    void submit(WriteBatch batch, CommitCallback done) override {
        if (!writer_) return done({false, false, "store is read-only"});
        writer_->submit(std::move(batch), std::move(done));
    }
    std::unique_ptr<BulkWrite> begin_bulk() override {
        if (!writer_) throw std::runtime_error("store is read-only");
        return writer_->begin_bulk();
    }
    bool ready() const override { return writer_ && writer_->healthy(); }
    void probe() override {
        if (writer_) writer_->probe();
    }
    void close() override {
        if (writer_) writer_->close();
        checkpointer_.reset();
    }
    AuditLog& audit() override { return *this; }

    // ---- reads of one region ----

    CaseloadPage caseload(const CaseloadQuery& q) override {
        CaseloadPage page;
        ReaderPool* pool = region_readers(q.region);
        if (!pool) return page;
        std::string sql = std::string("SELECT ") + kColumns + " FROM records WHERE active = 1 AND created_txn <= ?1";
        if (!q.berichttype.empty()) sql += " AND berichttype = ?2";
        if (!q.gemeente.empty()) sql += " AND gemeente = ?3";
        if (!q.status.empty()) sql += " AND status = ?4";
        if (!q.since.empty()) sql += " AND received_at >= ?5";
        if (q.before_seq) sql += " AND seq < ?6";
        std::string types;
        if (!q.berichttypen.empty()) {
            sql += " AND berichttype IN (SELECT value FROM json_each(?8))";
            rapidjson::StringBuffer buf;
            rapidjson::Writer<rapidjson::StringBuffer> w(buf);
            w.StartArray();
            for (const auto& t : q.berichttypen) w.String(t.data(), static_cast<rapidjson::SizeType>(t.size()));
            w.EndArray();
            types.assign(buf.GetString(), buf.GetSize());
        }
        sql += " ORDER BY seq DESC LIMIT ?7";
        auto lease = pool->borrow();
        Stmt st(lease->db, sql);
        st.int64(1, visible_txn_.load()).text(2, q.berichttype).text(3, q.gemeente).text(4, q.status).text(5, q.since).text(8, types);
        if (q.before_seq) st.int64(6, *q.before_seq);
        st.int64(7, static_cast<std::int64_t>(q.limit + 1));
        while (st.row()) {
            if (page.items.size() == q.limit) {
                page.next_before = page.items.back().seq;
                st.reset();
                break;
            }
            page.items.push_back(read_record(st));
        }
        return page;
    }

    std::vector<ReportRow> report(const ReportQuery& q) override {
        std::vector<ReportRow> out;
        ReaderPool* pool = region_readers(q.region);
        if (!pool) return out;
        std::string detail = "''";
        if (!q.details.empty()) {
            detail = "CASE";
            for (std::size_t i = 0; i < q.details.size(); ++i)
                detail += " WHEN berichttype = ?" + std::to_string(10 + 2 * i) + " THEN COALESCE(json_extract(data, ?" + std::to_string(11 + 2 * i) +
                          "), '')";
            detail += " ELSE '' END";
        }
        auto lease = pool->borrow();
        Stmt st(lease->db, "SELECT gemeente, berichttype, status, " + detail +
                               " AS detail, COUNT(*), SUM(active), SUM(active = 0 OR status IN (SELECT value FROM json_each(?4))) FROM records"
                               " WHERE (active = 1 OR data <> 'null') AND created_txn <= ?9 AND (?1 = '' OR gemeente = ?1) AND received_at >= ?2 AND "
                               "received_at < ?3"
                               " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4");
        std::string closed = "[";
        for (const auto& s : q.closed_statuses) closed += (closed.size() > 1 ? ",\"" : "\"") + s + "\"";
        closed += "]";
        st.text(1, q.gemeente).text(2, q.from).text(3, q.to).text(4, closed).int64(9, visible_txn_.load());
        for (std::size_t i = 0; i < q.details.size(); ++i) {
            std::string path = "$." + q.details[i].second;
            std::replace(path.begin(), path.end(), '/', '.');
            st.text(static_cast<int>(10 + 2 * i), q.details[i].first).text(static_cast<int>(11 + 2 * i), path);
        }
        while (st.row())
            out.push_back({st.str(0), st.str(1), st.str(2), st.str(3), static_cast<std::uint64_t>(st.i64(4)), static_cast<std::uint64_t>(st.i64(5)),
                           static_cast<std::uint64_t>(st.i64(6))});
        return out;
    }

    std::vector<SummaryRow> summary(const std::string& region, const std::string& gemeente) override {
        std::vector<SummaryRow> out;
        ReaderPool* pool = region_readers(region);
        if (!pool) return out;
        auto lease = pool->borrow();
        Stmt st(lease->db,
                "SELECT berichttype, gemeente, status, COUNT(*) FROM records WHERE active = 1 AND created_txn <= ?1"
                " AND (?2 = '' OR gemeente = ?2) GROUP BY berichttype, gemeente, status ORDER BY berichttype, gemeente, status");
        st.int64(1, visible_txn_.load()).text(2, gemeente);
        while (st.row()) out.push_back({st.str(0), st.str(1), st.str(2), static_cast<std::uint64_t>(st.i64(3))});
        return out;
    }

    std::vector<StoredRecord> records_of_subject(const std::string& subject, const std::string& region, const std::string& gemeente) override {
        return select_records(region, " WHERE subject = ?1 AND active = 1 AND created_txn <= ?9 AND (?3 = '' OR gemeente = ?3) ORDER BY seq DESC",
                              subject, 0, gemeente);
    }

    std::optional<StoredRecord> find_record(const std::string& id, const std::string& region, const std::string& gemeente) override {
        auto found = select_records(region, " WHERE id = ?1 AND created_txn <= ?9 AND (?3 = '' OR gemeente = ?3)", id, 0, gemeente);
        if (found.empty()) return std::nullopt;
        return std::move(found.front());
    }

    std::vector<HistoryEvent> history(const std::string& id, const std::string& region) override {
        std::vector<HistoryEvent> out;
        ReaderPool* pool = region_readers(region);
        if (!pool) return out;
        auto lease = pool->borrow();
        Stmt st(lease->db, "SELECT time, event, detail FROM record_history WHERE record_id = ?1 ORDER BY seq");
        st.text(1, id);
        while (st.row()) out.push_back({st.str(0), st.str(1), st.str(2)});
        return out;
    }

    // ---- reads across regions (the writer side's look-ups) ----

    std::vector<StoredRecord> find_by_melding_id(const std::string& melding_id) override {
        std::vector<StoredRecord> out;
        for (const auto& code : regions_now()) {
            auto found = select_records(code, " WHERE melding_id = ?1 AND created_txn <= ?9 ORDER BY seq", melding_id);
            std::move(found.begin(), found.end(), std::back_inserter(out));
        }
        return out;
    }

    std::vector<StoredRecord> sent_by(const SentQuery& q) override {
        std::vector<StoredRecord> out;
        for (const auto& code : regions_now()) {
            ReaderPool* pool = region_readers(code);
            if (!pool) continue;
            auto lease = pool->borrow();
            Stmt st(lease->db, std::string("SELECT ") + kColumns +
                                   " FROM records WHERE sender_oin = ?1 AND data <> 'null' AND created_txn <= ?9"
                                   " AND (?2 = '' OR status = ?2) AND (?3 = '' OR received_at >= ?3)"
                                   " AND (?4 = '' OR received_at < ?4 OR (received_at = ?4 AND id < ?5))"
                                   " ORDER BY received_at DESC, id DESC LIMIT ?6");
            st.text(1, q.sender_oin).text(2, q.status).text(3, q.since).text(4, q.before_received).text(5, q.before_id);
            st.int64(6, static_cast<std::int64_t>(q.limit + 1)).int64(9, visible_txn_.load());
            while (st.row()) out.push_back(read_record(st));
        }
        std::sort(out.begin(), out.end(),
                  [](const StoredRecord& a, const StoredRecord& b) { return std::tie(a.received_at, a.id) > std::tie(b.received_at, b.id); });
        if (out.size() > q.limit + 1) out.resize(q.limit + 1);
        return out;
    }

    std::vector<StoredRecord> expired(const std::string& today, std::size_t limit) override {
        std::vector<StoredRecord> out;
        for (const auto& code : regions_now()) {
            if (out.size() >= limit) break;
            auto found = select_records(code, " WHERE retention_until <> '' AND retention_until < ?1 ORDER BY seq LIMIT ?2", today,
                                        static_cast<std::int64_t>(limit - out.size()));
            std::move(found.begin(), found.end(), std::back_inserter(out));
        }
        return out;
    }

    std::optional<MessageRow> find_message(const std::string& sender_oin, const std::string& bericht_id) override {
        auto lease = main_readers_->borrow();
        Stmt st(lease->db, "SELECT content_hash, receipt, received_at FROM messages WHERE sender_oin = ?1 AND bericht_id = ?2");
        st.text(1, sender_oin).text(2, bericht_id);
        if (!st.row()) return std::nullopt;
        MessageRow m{sender_oin, bericht_id, st.str(0), st.str(1), st.str(2)};
        st.reset();
        return m;
    }

    std::vector<std::string> melding_ids_taken(const std::string& sender_oin, const std::vector<std::string>& ids) override {
        std::vector<std::string> out;
        auto lease = main_readers_->borrow();
        Stmt st(lease->db, "SELECT 1 FROM melding_ids WHERE sender_oin = ?1 AND melding_id = ?2");
        for (const auto& id : ids) {
            st.text(1, sender_oin).text(2, id);
            if (st.row()) out.push_back(id);
            st.reset();
        }
        return out;
    }

    // ---- the audit log ----

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

    std::unique_ptr<merkle::NodeSource> nodes() override;

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

    std::set<std::string> regions_now() {
        std::lock_guard lock(regions_mu_);
        return known_regions_;
    }

    // The readers of a region's file, or null while the region has no file yet.
    ReaderPool* region_readers(const std::string& code) {
        std::lock_guard lock(regions_mu_);
        if (!known_regions_.contains(code)) return nullptr;
        auto& pool = region_readers_[code];
        if (!pool) pool = readers_of(dir_ / region_file_name(code), options_.readers, options_.read_only);
        return pool.get();
    }

    // Records of one region: `where` uses ?1 (and ?2) for the arguments and ?9 for the visible transaction.
    std::vector<StoredRecord> select_records(const std::string& region, const char* where, const std::string& arg, std::int64_t arg2 = 0,
                                             const std::string& arg3 = {}) {
        std::vector<StoredRecord> out;
        ReaderPool* pool = region_readers(region);
        if (!pool) return out;
        auto lease = pool->borrow();
        Stmt st(lease->db, std::string("SELECT ") + kColumns + " FROM records" + where);
        st.text(1, arg).int64(2, arg2).text(3, arg3).int64(9, visible_txn_.load());
        while (st.row()) out.push_back(read_record(st));
        return out;
    }

    void check_schema_version() {
        Stmt v(main_, "PRAGMA user_version");
        const int version = v.row() ? static_cast<int>(v.i64(0)) : 0;
        v.reset();
        Stmt t(main_, "SELECT count(*) FROM sqlite_master WHERE name = 'audit'");
        const bool existing = t.row() && t.i64(0) > 0;
        t.reset();
        if (existing && version != kSchemaVersion)
            throw std::runtime_error((dir_ / "audit.db").string() + ": store schema " + std::to_string(version) + " is not this gateway's (" +
                                     std::to_string(kSchemaVersion) + ")");
    }

    // ---- the writer (GroupCommit's thread only) ----

    RegionFile& region(const std::string& code) {
        auto it = regions_.find(code);
        if (it != regions_.end()) return *it->second;
        if (!region_code_valid(code)) throw std::runtime_error("region code not usable as a file name");
        auto file = std::make_unique<RegionFile>(dir_ / region_file_name(code), code);
        RegionFile& r = *file;
        regions_.emplace(code, std::move(file));
        std::lock_guard lock(regions_mu_);
        known_regions_.insert(code);
        return r;
    }

    // The region file, in transaction `txn_ + 1` (opened, recovered and begun as needed).
    RegionFile& touch(const std::string& code) {
        RegionFile& r = region(code);
        if (r.in_txn) return r;
        if (r.needs_recovery) {
            r.undo_after(txn_);
            r.needs_recovery = false;
        }
        sqlite::exec(r.db, "BEGIN IMMEDIATE");
        r.in_txn = true;
        if (r.undo_rows) {
            sqlite::exec(r.db, "DELETE FROM undo_records; DELETE FROM undo_history;");  // all of committed transactions
            r.undo_rows = false;
        }
        r.set_txn.int64(1, txn_ + 1).run();
        return r;
    }

    void begin_main() {
        sqlite::exec(main_, "BEGIN IMMEDIATE");
        for (auto& [code, r] : regions_)
            if (r->needs_recovery) touch(code);  // an undo left over from a failed commit comes first
    }

    // Commits the transaction: the region files, then audit.db, which makes it count.
    void commit_txn() {
        const std::int64_t t = txn_ + 1;
        set_txn_.int64(1, t).run();
        for (auto& [code, r] : regions_) {
            if (!r->in_txn) continue;
            if (sqlite3_exec(r->db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) sqlite::fail(r->db, "commit " + code);
            r->in_txn = false;
            r->committed = true;
        }
        const int rc = sqlite3_exec(main_, "COMMIT", nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK) {
            // After a failed fsync nobody can tell whether audit.db's commit is on disk; only a
            // restart, reading what is there, can make the region files agree with it.
            if (sqlite3_extended_errcode(main_) == SQLITE_IOERR_FSYNC) {
                log_error("audit.db: fsync failed during commit; stopping so that recovery at start decides", {});
                std::_Exit(70);
            }
            sqlite::fail(main_, "commit audit.db");
        }
        txn_ = t;
        visible_txn_.store(t);
        for (auto& [code, r] : regions_) {
            if (r->committed) r->undo_rows = true;
            r->committed = false;
        }
    }

    // Takes back everything of the transaction that failed, in every file.
    void abort_txn() noexcept {
        for (auto& [code, r] : regions_) {
            if (r->in_txn) sqlite3_exec(r->db, "ROLLBACK", nullptr, nullptr, nullptr);
            r->in_txn = false;
            if (r->committed) {
                try {
                    r->undo_after(txn_);
                } catch (const std::exception& e) {
                    r->needs_recovery = true;
                    log_error("store: cannot undo a failed transaction yet; will retry", {{"region", code}, {"reason", e.what()}});
                }
            }
            r->committed = false;
        }
        if (!sqlite3_get_autocommit(main_)) sqlite3_exec(main_, "ROLLBACK", nullptr, nullptr, nullptr);
    }

    void insert_record(RegionFile& f, const StoredRecord& r, const std::string& region, const std::string& region_name, const std::string& gemeente,
                       bool active) {
        const std::string* vals[] = {&r.id,         &region,           &region_name,       &gemeente,  &r.berichttype, &r.status,
                                     &r.sender_oin, &r.bericht_id,     &r.melding_id,      &r.subject, &r.received_at, &r.legal_basis,
                                     &r.purpose,    &r.policy_version, &r.retention_until, &r.data};
        f.insert.text(1, r.id).int64(2, txn_ + 1);
        for (int i = 1; i < 16; ++i) f.insert.text(i + 2, *vals[i]);
        f.insert.int64(18, active ? 1 : 0).text(19, r.intermediary_oin).run();
    }

    void history_event(RegionFile& f, const std::string& id, const std::string& time, const char* event, const std::string& detail) {
        f.insert_history.text(1, id).int64(2, txn_ + 1).text(3, time).text(4, event).text(5, detail).run();
    }

    void save(RegionFile& f, const std::string& id, bool with_history) {
        f.save_record.text(1, id).int64(2, txn_ + 1).run();
        if (with_history) f.save_history.text(1, id).int64(2, txn_ + 1).run();
    }

    // The region file holding an active record with this id, looking in `hint` first.
    RegionFile* holding(const std::string& id, const std::string& hint, bool active_only) {
        auto has = [&](RegionFile& f) {
            Stmt& st = active_only ? f.is_active : f.find;
            st.text(1, id);
            const bool found = st.row();
            st.reset();
            return found;
        };
        if (regions_.contains(hint) && has(*regions_.at(hint))) return regions_.at(hint).get();
        for (auto& [code, f] : regions_)
            if (code != hint && has(*f)) return f.get();
        return nullptr;
    }

    // The region files as the effects see them, inside the writer's transaction `txn_ + 1`: every
    // change first saves the row's before-image (undone should audit.db not commit).
    class Txn final : public RecordTxn {
    public:
        explicit Txn(SqliteStore& s) : s_(s) {}
        void insert(const StoredRecord& r) override { s_.insert_record(s_.touch(r.region), r, r.region, r.region_name, r.gemeente, r.active); }
        std::optional<std::string> find_active(const std::string& id, const std::string& hint) override {
            if (RegionFile* f = s_.holding(id, hint, true)) return f->code;
            return std::nullopt;
        }
        std::vector<StoredRecord> active_in_region(const std::string& region, const std::string& id, const std::string& subject) override {
            RegionFile& f = s_.touch(region);
            std::vector<StoredRecord> found;
            Stmt& st = id.empty() ? f.active_of_subject : f.active_by_id;
            st.text(1, id.empty() ? subject : id);
            while (st.row()) found.push_back(read_record(st));
            return found;
        }
        std::vector<StoredRecord> active_of_subject(const std::string& subject, const std::string& gemeente, const std::string& except_id,
                                                    const std::string& to_region, const std::string& to_gemeente) override {
            std::vector<StoredRecord> found;
            for (auto& [code, f] : s_.regions_) {
                f->of_subject.text(1, subject).text(2, except_id).text(3, to_region).text(4, to_gemeente).text(5, gemeente);
                while (f->of_subject.row()) found.push_back(read_record(f->of_subject));
            }
            return found;
        }
        void set_status(const std::string& id, const std::string& region, const std::string& status) override {
            RegionFile& f = s_.touch(region);
            s_.save(f, id, false);
            f.set_status.text(1, id).text(2, status).run();
        }
        void set_gemeente(const std::string& id, const std::string& region, const std::string& gemeente) override {
            RegionFile& f = s_.touch(region);
            s_.save(f, id, false);
            f.set_gemeente.text(1, id).text(2, gemeente).run();
        }
        void tombstone(const std::string& id, const std::string& region, const std::string& status, const std::string& until) override {
            RegionFile& f = s_.touch(region);
            s_.save(f, id, false);
            f.tombstone.text(1, id).text(2, until).text(3, status).run();
        }
        // The record and its history leave their file (before-images kept) and arrive in the other.
        void relocate(const StoredRecord& rec, const std::string& to_region, const std::string& to_region_name,
                      const std::string& to_gemeente) override {
            RegionFile& from = s_.touch(rec.region);
            std::vector<HistoryEvent> events;
            from.history_rows.text(1, rec.id);
            while (from.history_rows.row()) events.push_back({from.history_rows.str(0), from.history_rows.str(1), from.history_rows.str(2)});
            s_.save(from, rec.id, true);
            from.delete_history.text(1, rec.id).run();
            from.delete_record.text(1, rec.id).run();
            RegionFile& to = s_.touch(to_region);
            s_.insert_record(to, rec, to_region, to_region_name, to_gemeente, true);
            for (const auto& e : events) s_.history_event(to, rec.id, e.time, e.event.c_str(), e.detail);
        }
        void change_content(const std::string& id, const std::string& region, const std::string& data, const std::string& until) override {
            RegionFile& f = s_.touch(region);
            s_.save(f, id, false);
            f.change.text(1, id).text(2, data).text(3, until).run();
        }
        void append_history(const std::string& id, const std::string& region, const std::string& time, const char* event,
                            const std::string& detail) override {
            s_.history_event(s_.touch(region), id, time, event, detail);
        }

    private:
        SqliteStore& s_;
    };

    void store(const StoredRecord& r) {
        Txn tx(*this);
        apply_record(tx, r);
    }

    void purge(const PurgeItem& item) {
        RegionFile* f = holding(item.id, item.region, false);
        if (!f) return;  // gone already
        touch(f->code);
        save(*f, item.id, true);
        f->delete_history.text(1, item.id).run();
        f->delete_record.text(1, item.id).run();
    }

    // Appends a leaf and every complete subtree it closes (RFC 9162 tree, stored incrementally).
    void append_audit(const std::vector<std::string>& entries) {
        const merkle::CompactRange::Visitor persist = [&](unsigned level, std::uint64_t idx, const merkle::Hash& h) {
            insert_node_.int64(1, level).int64(2, static_cast<std::int64_t>(idx)).blob(3, h.data(), 32).run();
        };
        for (const auto& e : entries) {
            const merkle::Hash h = merkle::leaf_hash(e);
            insert_audit_.int64(1, static_cast<std::int64_t>(log_.size() + 1)).text(2, e).blob(3, h.data(), 32).run();
            log_.append(h, persist);
        }
    }

    // Audit retention: the entries below `to` go with their heads and every subtree inside that
    // prefix but its edge (which heads and proofs from `to` on still need).
    void remove_audit_before(std::uint64_t to) {
        Stmt(main_, "DELETE FROM audit WHERE seq <= ?1").int64(1, static_cast<std::int64_t>(to)).run();
        Stmt nodes(main_, "DELETE FROM audit_nodes WHERE level = ?1 AND idx < ?2");
        for (unsigned level = 0; (to >> level) > 0; ++level) {
            const std::uint64_t edge = (to >> level) & 1;  // the prefix's edge node on this level stays
            nodes.int64(1, level).int64(2, static_cast<std::int64_t>((to >> level) - edge)).run();
        }
        Stmt(main_, "DELETE FROM audit_heads WHERE size < ?1").int64(1, static_cast<std::int64_t>(to)).run();
        Stmt(main_, "UPDATE meta SET value = max(value, ?1) WHERE key = 'audit_removed'").int64(1, static_cast<std::int64_t>(to)).run();
    }

    void insert_head(const SignedHead& h) {
        insert_head_.int64(1, static_cast<std::int64_t>(h.size)).text(2, h.root).text(3, h.time).text(4, h.signature).text(5, h.key_id).run();
    }

    // False when (sender, berichtId) is stored already: the request is a duplicate.
    bool insert_message(const MessageRow& m) {
        insert_message_.text(1, m.sender_oin).text(2, m.bericht_id).text(3, m.content_hash).text(4, m.receipt).text(5, m.received_at).run();
        return sqlite3_changes(main_) == 1;
    }

    // False when one of the meldingIds is taken (by an earlier message, or by one before it in
    // this transaction).
    bool insert_melding_ids(const std::string& sender_oin, const std::vector<std::string>& ids) {
        for (const auto& id : ids) {
            insert_melding_.text(1, sender_oin).text(2, id).run();
            if (sqlite3_changes(main_) != 1) return false;
        }
        return true;
    }

    std::vector<CommitResult> commit_group(std::vector<GroupCommit::Pending>& group) {
        std::vector<CommitResult> results(group.size(), CommitResult{true, false, {}});
        const merkle::CompactRange before = log_;
        try {
            begin_main();
            for (std::size_t i = 0; i < group.size(); ++i) {
                WriteBatch& b = group[i].batch;
                if (b.message) {
                    // Its audit entry is the next leaf: the receipt names and is signed over that index.
                    if (b.message->seal) b.message->seal(log_.size(), b.message->receipt);
                    // The message row and its meldingIds first: a request that finds either taken writes nothing.
                    sqlite::exec(main_, "SAVEPOINT message");
                    if (!insert_message(*b.message)) {
                        sqlite::exec(main_, "ROLLBACK TO message; RELEASE message");
                        results[i] = {false, true, "duplicate berichtId"};
                        continue;
                    }
                    if (!insert_melding_ids(b.message->sender_oin, melding_ids_of(b.records))) {
                        sqlite::exec(main_, "ROLLBACK TO message; RELEASE message");
                        results[i] = {false, false, "meldingId taken", false, true};
                        continue;
                    }
                    sqlite::exec(main_, "RELEASE message");
                    if (b.message->seal) results[i].receipt = std::move(b.message->receipt);  // stored: no copy needed
                }
                for (const auto& r : b.records) store(r);
                if (b.head) insert_head(*b.head);
                for (const auto& p : b.purge) purge(p);
                append_audit(b.audit_entries);
                if (!b.close_audit_period.empty())
                    Stmt(main_, "INSERT OR IGNORE INTO audit_periods(size, closed_at) VALUES(?1, ?2)")
                        .int64(1, static_cast<std::int64_t>(log_.size()))
                        .text(2, b.close_audit_period)
                        .run();
                if (b.remove_audit_before > 0) remove_audit_before(std::min<std::uint64_t>(b.remove_audit_before, log_.size()));
            }
            commit_txn();
        } catch (const std::exception& e) {
            abort_txn();
            log_ = before;
            for (auto& r : results) r = {false, false, e.what()};
        }
        return results;
    }

    // One large message: its rows as they come, then its audit entry, in one transaction; a
    // refusal or failure rolls the rows back and still audits, in a transaction of its own.
    CommitResult commit_bulk(BulkChannel& bulk) {
        const merkle::CompactRange before = log_;
        std::string error;
        std::vector<std::string> melding_ids;
        try {
            while (auto chunk = bulk.next())
                for (const auto& r : *chunk) {
                    store(r);
                    melding_ids.push_back(r.melding_id);
                }
        } catch (const std::exception& e) {
            error = e.what();
            while (bulk.next()) {  // let the request thread finish
            }
        }
        if (bulk.commit && error.empty()) {
            try {
                begin_main();
                if (bulk.message && bulk.message->seal) bulk.message->seal(log_.size(), bulk.message->receipt);
                if (bulk.message && !insert_message(*bulk.message)) {
                    abort_txn();
                    log_ = before;
                    return {false, true, "duplicate berichtId"};  // the caller answers from what is stored, and audits that
                }
                if (bulk.message && !insert_melding_ids(bulk.message->sender_oin, melding_ids)) {
                    abort_txn();
                    log_ = before;
                    return {false, false, "meldingId taken", false, true};  // the caller judges the message again, and audits that
                }
                append_audit(bulk.audit);
                commit_txn();
                CommitResult ok{true, false, {}};
                if (bulk.message && bulk.message->seal) ok.receipt = std::move(bulk.message->receipt);  // stored: no copy needed
                return ok;
            } catch (const std::exception& e) {
                error = e.what();
            }
        }
        abort_txn();
        log_ = before;
        CommitResult result{!bulk.commit, false, error};
        if (bulk.audit.empty()) return result;
        try {
            begin_main();
            append_audit(bulk.audit);
            commit_txn();
        } catch (const std::exception& e) {
            abort_txn();
            log_ = before;
            return {false, false, e.what()};
        }
        return result;
    }

    void load_log_state() {
        Stmt count(main_, kSizeSql);
        const auto size = count.row() ? static_cast<std::uint64_t>(count.i64(0)) : 0;
        count.reset();
        Stmt node(main_, "SELECT hash FROM audit_nodes WHERE level = ?1 AND idx = ?2");
        std::vector<merkle::Hash> edge;
        for (const auto& ref : merkle::CompactRange::edge_of(size)) {
            node.int64(1, ref.level).int64(2, static_cast<std::int64_t>(ref.index));
            const unsigned char* h = node.row() ? node.hash32(0) : nullptr;
            if (!h) throw StoreError("audit log: a stored subtree is missing; run audit verify");
            std::copy_n(h, 32, edge.emplace_back().begin());
            node.reset();
        }
        log_ = merkle::CompactRange(size, std::move(edge));
    }

    void close_files() {
        writer_.reset();
        regions_.clear();
        for (Stmt* s : {&insert_message_, &insert_melding_, &insert_audit_, &insert_node_, &insert_head_, &set_txn_}) *s = Stmt();
        sqlite3_close(main_);
        main_ = nullptr;
        region_readers_.clear();
        main_readers_.reset();
        if (lock_fd_ >= 0) ::close(lock_fd_);
        lock_fd_ = -1;
    }

    std::filesystem::path dir_;
    int lock_fd_ = -1;  // flock()ed while this store writes
    StoreOptions options_;
    // Writer state: audit.db, the region files, the last committed transaction, the Merkle frontier.
    sqlite3* main_ = nullptr;
    Stmt insert_message_, insert_melding_, insert_audit_, insert_node_, insert_head_, set_txn_;
    std::map<std::string, std::unique_ptr<RegionFile>> regions_;
    std::int64_t txn_ = 0;
    merkle::CompactRange log_;  // the audit log's right edge, as committed (or being committed)
    // Readers see records of committed transactions only.
    std::atomic<std::int64_t> visible_txn_{0};
    std::mutex regions_mu_;
    std::set<std::string> known_regions_;
    std::map<std::string, std::unique_ptr<ReaderPool>> region_readers_;
    std::unique_ptr<ReaderPool> main_readers_;
    std::unique_ptr<GroupCommit> writer_;
    std::unique_ptr<Checkpointer> checkpointer_;
};

std::unique_ptr<merkle::NodeSource> SqliteStore::nodes() { return std::make_unique<Nodes>(*main_readers_); }

}  // namespace

std::unique_ptr<RecordStore> open_sqlite_store(const std::filesystem::path& dir, const StoreOptions& options) {
    return std::make_unique<SqliteStore>(dir, options);
}

}  // namespace dg
