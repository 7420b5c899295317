#pragma once
// The file of the embedded store (sqlite_store.cpp): its schema, the record columns, the reader
// pool, and the checkpointer that copies WAL frames beside the writer. Private to gateway/store/.
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/connection_pool.hpp"
#include "store/record_store.hpp"
#include "store/report_sql.hpp"
#include "store/sqlite_util.hpp"

namespace dg::sqlite_store {

using sqlite::Stmt;

constexpr int kSchemaVersion = 6;  // 6: one file (5: audit.db and a file per region)
constexpr const char* kStoreFile = "store.db";

// The log's size: its last entry's, or where the removed prefix ends when no entry is left.
constexpr const char* kSizeSql =
    "SELECT max(COALESCE((SELECT MAX(seq) FROM audit), 0), COALESCE((SELECT value FROM meta WHERE key = 'audit_removed'), 0))";

// One file: the audit log, the accepted messages, and every region's records and history. A
// record id is unique within a region: a pupil's move leaves a notice under the same id where the
// record was.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta(key, value) VALUES('audit_removed', 0);
CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY, entry TEXT NOT NULL, leaf_hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS audit_nodes(level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
  PRIMARY KEY(level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_heads(size INTEGER PRIMARY KEY, root TEXT NOT NULL, time TEXT NOT NULL,
  signature TEXT NOT NULL, key_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_periods(size INTEGER PRIMARY KEY, closed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages(
  sender_oin TEXT NOT NULL, bericht_id TEXT NOT NULL, content_hash TEXT NOT NULL, receipt TEXT NOT NULL,
  received_at TEXT NOT NULL, PRIMARY KEY(sender_oin, bericht_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS melding_ids(sender_oin TEXT NOT NULL, melding_id TEXT NOT NULL,
  PRIMARY KEY(sender_oin, melding_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL,
  region TEXT NOT NULL, region_name TEXT NOT NULL, gemeente TEXT NOT NULL, berichttype TEXT NOT NULL,
  status TEXT NOT NULL, sender_oin TEXT NOT NULL, bericht_id TEXT NOT NULL, melding_id TEXT NOT NULL,
  subject TEXT NOT NULL, received_at TEXT NOT NULL, legal_basis TEXT NOT NULL, purpose TEXT NOT NULL,
  policy_version TEXT NOT NULL, retention_until TEXT NOT NULL, data TEXT NOT NULL, active INTEGER NOT NULL,
  intermediary_oin TEXT NOT NULL, UNIQUE(id, region));
CREATE INDEX IF NOT EXISTS records_caseload ON records(region, active, seq);
CREATE INDEX IF NOT EXISTS records_subject ON records(subject, active);
CREATE INDEX IF NOT EXISTS records_melding ON records(melding_id);
CREATE INDEX IF NOT EXISTS records_sender ON records(sender_oin, received_at);
DROP INDEX IF EXISTS records_report;
CREATE TABLE IF NOT EXISTS record_history(seq INTEGER PRIMARY KEY AUTOINCREMENT, region TEXT NOT NULL, record_id TEXT NOT NULL,
  time TEXT NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS record_history_id ON record_history(record_id, region, seq);
CREATE TABLE IF NOT EXISTS report_counts(region TEXT NOT NULL, day TEXT NOT NULL, gemeente TEXT NOT NULL,
  berichttype TEXT NOT NULL, status TEXT NOT NULL, active INTEGER NOT NULL, detail TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY(region, day, gemeente, berichttype, status, active, detail)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS report_setup(id INTEGER PRIMARY KEY CHECK (id = 1), details TEXT NOT NULL);
)sql";

// The rapportage's per-day counts (report_counts): every record but a move's notice counts once,
// under its region, day of receipt, gemeente, berichttype, status, active flag and the value of
// its type's reportBy field (report_setup keeps for which details). The writer keeps them as it
// changes records (sqlite_store.cpp); this SQL is for a rebuild and for counting the records
// themselves.

// The value of the row's reportBy field (report_sql::detail_of in SQL), '' when its type has none.
inline std::string report_detail_sql(const ReportDetails& details) {
    if (details.empty()) return "''";
    std::string sql = "CASE";
    for (const auto& [type, path] : details) {
        std::string json_path = "$";
        for (std::size_t at = 0; at <= path.size();) {
            const std::size_t end = std::min(path.find('/', at), path.size());
            json_path += ".\"" + path.substr(at, end - at) + "\"";
            at = end + 1;
        }
        const std::string p = report_sql::literal(json_path);
        sql += " WHEN berichttype = " + report_sql::literal(type) + " THEN CASE WHEN json_type(data, " + p + ") = 'text' THEN json_extract(data, " +
               p + ") ELSE '' END";
    }
    return sql + " ELSE '' END";
}

inline std::string report_rebuild_sql(const ReportDetails& details) {
    return "DELETE FROM report_counts;"
           " INSERT INTO report_counts(region, day, gemeente, berichttype, status, active, detail, n)"
           " SELECT region, substr(received_at, 1, 10), gemeente, berichttype, status, active, " +
           report_detail_sql(details) + ", COUNT(*) FROM records WHERE NOT (active = 0 AND data = 'null') GROUP BY 1, 2, 3, 4, 5, 6, 7;";
}

// Columns as read_record() expects them.
constexpr const char* kColumns =
    "seq, id, region, region_name, gemeente, berichttype, status, sender_oin, bericht_id, melding_id,"
    " subject, received_at, legal_basis, purpose, policy_version, retention_until, data, active, intermediary_oin";

inline StoredRecord read_record(const Stmt& st) {
    StoredRecord rec;
    rec.seq = st.i64(0);
    std::string* cols[] = {&rec.id,         &rec.region,         &rec.region_name,     &rec.gemeente, &rec.berichttype, &rec.status,
                           &rec.sender_oin, &rec.bericht_id,     &rec.melding_id,      &rec.subject,  &rec.received_at, &rec.legal_basis,
                           &rec.purpose,    &rec.policy_version, &rec.retention_until, &rec.data};
    for (int i = 0; i < 16; ++i) *cols[i] = st.str(i + 1);
    rec.active = st.i64(17) != 0;
    rec.intermediary_oin = st.str(18);
    return rec;
}

// The writer's page cache: 16 MiB (the indexes' upper levels and the tables' tails stay in it).
// No automatic checkpoints: they would run inside a commit on the writer thread (a stall of
// milliseconds for every request of the group); the Checkpointer does them beside it.
inline void configure_writer(sqlite3* db) {
    sqlite::exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint=0;"
                 " PRAGMA journal_size_limit=67108864;");
}

// Copies committed WAL frames into the database file on a thread and connection of its own,
// every 200 ms. PASSIVE never waits for, nor blocks, the writer or readers; but under steady
// writes the WAL would never start over, so once a passive round has caught up with a WAL of
// more than 64 MiB, a RESTART finishes it (holding the writer back for the few frames left).
class Checkpointer {
public:
    explicit Checkpointer(std::filesystem::path file) : file_(std::move(file)), thread_([this] { run(); }) {}
    ~Checkpointer() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
        sqlite3_close(db_);
    }

private:
    void run() {
        std::unique_lock lock(mu_);
        while (!cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stop_; })) {
            lock.unlock();
            try {
                if (!db_) {
                    db_ = sqlite::open(file_, false);
                    sqlite::exec(db_, "PRAGMA synchronous=FULL;");
                }
                int log = 0, done = 0;
                sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
                if (log > kRestartFrames && done >= log - kRestartFrames / 16)
                    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
            } catch (const std::exception&) {
                // The next round tries again; a failing disk shows in the writer's commits.
            }
            lock.lock();
        }
    }
    static constexpr int kRestartFrames = 16384;  // 64 MiB of 4 KiB pages
    std::filesystem::path file_;
    sqlite3* db_ = nullptr;
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
    ~ReadConnection() {
        prepared_.clear();  // finalized before the connection closes
        sqlite3_close(db);
    }

    // A statement of fixed SQL prepared once on this connection (the reads of every request:
    // preparing them cost 5 % of a request's CPU); reset again when the borrower is done.
    class Prepared {
    public:
        explicit Prepared(Stmt& st) : st_(st) {}
        Prepared(const Prepared&) = delete;
        ~Prepared() { st_.reset(); }
        Stmt* operator->() { return &st_; }
        Stmt& operator*() { return st_; }

    private:
        Stmt& st_;
    };
    Prepared prepared(const char* sql) {
        auto it = prepared_.find(sql);
        if (it == prepared_.end()) it = prepared_.emplace(sql, Stmt(db, sql)).first;
        return Prepared(it->second);
    }

private:
    std::map<const char*, Stmt> prepared_;  // keyed by the SQL's address: string literals only
};
using ReaderPool = ConnectionPool<ReadConnection>;

inline std::unique_ptr<ReaderPool> readers_of(const std::filesystem::path& file, std::size_t max, bool read_only) {
    return std::make_unique<ReaderPool>(max, [file, read_only] { return std::make_unique<ReadConnection>(file, read_only); });
}

}  // namespace dg::sqlite_store
