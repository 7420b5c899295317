#pragma once
// The files of the embedded store (sqlite_store.cpp): their schemas, the record columns, the
// writer's connection to one region file with its statements and its undo, the reader pools, and
// the checkpointer that copies WAL frames beside the writer. Private to gateway/store/.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/connection_pool.hpp"
#include "store/record_store.hpp"
#include "store/sqlite_util.hpp"

namespace dg::sqlite_store {

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

inline std::string region_schema() {
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

inline StoredRecord read_record(const Stmt& st) {
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

inline std::string region_file_name(const std::string& code) { return "region-" + code + ".db"; }

// Page cache per writer connection: 4 MiB, so that memory stays bounded with many region files.
// No automatic checkpoints: they would run inside a commit on the writer thread (a stall of
// milliseconds for every request of the group); the Checkpointer does them beside it.
inline void configure_writer(sqlite3* db) {
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

inline std::unique_ptr<ReaderPool> readers_of(const std::filesystem::path& file, std::size_t max, bool read_only) {
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

}  // namespace dg::sqlite_store
