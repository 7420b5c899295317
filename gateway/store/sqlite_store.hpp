#pragma once
// Embedded store: SQLite files in one directory, WAL mode with synchronous=FULL: audit.db (the
// audit log and the accepted messages) and region-<code>.db per Doorstroompunt region. One writer
// thread does group commit; each file has a small pool of read connections.
#include <filesystem>
#include <memory>

#include "store/record_store.hpp"

namespace dg {

// Opens (creating if needed) the store in `dir`. Throws std::runtime_error when it cannot.
std::unique_ptr<RecordStore> open_sqlite_store(const std::filesystem::path& dir, const StoreOptions& options = {});

}  // namespace dg
