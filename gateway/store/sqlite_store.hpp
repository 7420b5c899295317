#pragma once
// Embedded store: SQLite in WAL mode with synchronous=FULL, one writer thread doing group commit,
// a small pool of read connections.
#include <filesystem>
#include <memory>

#include "store/record_store.hpp"

namespace dg {

struct SqliteOptions {
    std::size_t max_group = 512;  // requests per transaction at most
    std::size_t readers = 4;
};

// Opens (creating if needed) <dir>/gateway.db. Throws std::runtime_error when it cannot.
std::unique_ptr<RecordStore> open_sqlite_store(const std::filesystem::path& dir, const SqliteOptions& options = {});

}  // namespace dg
