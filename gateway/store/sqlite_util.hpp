#pragma once
// Thin RAII over the SQLite C API for the embedded store: statements, connections, errors.
#include <sqlite3.h>

#include <time.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "store/store_error.hpp"

namespace dg::sqlite {

// A failed SQLite call; `code` is the extended result code (e.g. SQLITE_IOERR_FSYNC).
struct Error : StoreError {
    int code;
    Error(int c, const std::string& what) : StoreError(what), code(c) {}
};

[[noreturn]] inline void fail(sqlite3* db, std::string_view what) {
    throw Error(sqlite3_extended_errcode(db), std::string(what) + ": " + sqlite3_errmsg(db));
}

class Stmt {
public:
    Stmt() = default;
    Stmt(sqlite3* db, const std::string& sql) : db_(db) {
        if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK) fail(db, "prepare");
    }
    Stmt(const Stmt&) = delete;
    Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
    Stmt& operator=(Stmt&& o) noexcept {
        std::swap(s_, o.s_);
        std::swap(db_, o.db_);
        return *this;
    }
    ~Stmt() { sqlite3_finalize(s_); }

    // Binding an index the statement does not use is harmless (SQLITE_RANGE).
    Stmt& text(int i, std::string_view v) {
        sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Stmt& int64(int i, std::int64_t v) {
        sqlite3_bind_int64(s_, i, v);
        return *this;
    }
    Stmt& blob(int i, const void* p, int n) {
        sqlite3_bind_blob(s_, i, p, n, SQLITE_TRANSIENT);
        return *this;
    }
    // Next row: true, done: false; an error throws. Resets after the last row.
    bool row() {
        const int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW) return true;
        sqlite3_reset(s_);
        if (rc != SQLITE_DONE) fail(db_, "step");
        return false;
    }
    // Runs a statement that returns no rows (or whose rows do not matter) and clears it for reuse.
    void run() {
        const int rc = sqlite3_step(s_);
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) fail(db_, "step");
    }
    void reset() {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }
    std::string str(int col) const {
        const auto* p = sqlite3_column_text(s_, col);
        return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string();
    }
    std::string_view view(int col) const {
        const auto* p = sqlite3_column_text(s_, col);
        return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string_view();
    }
    std::int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
    // A 32-byte hash column, or null when the column holds something else.
    const unsigned char* hash32(int col) const {
        return sqlite3_column_bytes(s_, col) == 32 ? static_cast<const unsigned char*>(sqlite3_column_blob(s_, col)) : nullptr;
    }
    sqlite3_stmt* get() const { return s_; }

private:
    sqlite3* db_ = nullptr;
    sqlite3_stmt* s_ = nullptr;
};

inline void exec(sqlite3* db, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        const std::string msg = err ? err : sqlite3_errmsg(db);
        sqlite3_free(err);
        throw Error(sqlite3_extended_errcode(db), std::string("sqlite: ") + msg);
    }
}

inline bool has_table(sqlite3* db, const char* name) {
    Stmt st(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    st.text(1, name);
    const bool found = st.row();
    st.reset();
    return found;
}

// Waits for a lock in steps of 200 µs, for 5 s at most. SQLite's own busy timeout sleeps in steps
// of up to 100 ms, which turned the brief lock of a WAL restart into a tail-latency spike.
inline int busy_wait(void*, int attempt) {
    if (attempt >= 25000) return 0;
    sqlite3_sleep(0);  // yields; the real pause follows
    struct timespec t {
        0, 200000
    };
    nanosleep(&t, nullptr);
    return 1;
}

inline sqlite3* open(const std::filesystem::path& file, bool read_only) {
    // Before SQLite initialises (the first open does): no memory statistics, which would take a
    // process-wide mutex on every allocation of every connection.
    static const int unmetered = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)unmetered;
    sqlite3* db = nullptr;
    const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(file.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw Error(SQLITE_CANTOPEN, "cannot open " + file.string() + ": " + msg);
    }
    sqlite3_busy_handler(db, busy_wait, nullptr);
    sqlite3_extended_result_codes(db, 1);
    return db;
}

}  // namespace dg::sqlite
