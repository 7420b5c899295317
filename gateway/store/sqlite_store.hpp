#pragma once
// Embedded store: one SQLite file, DIR/store.db, in WAL mode with synchronous=FULL: the audit log,
// the accepted messages and every region's records. One writer thread does group commit; a small
// pool of read connections serves the reads.
#include <filesystem>
#include <memory>

#include "store/record_store.hpp"

namespace dg {

// Opens (creating if needed) the store in `dir`. Throws std::runtime_error when it cannot.
std::unique_ptr<RecordStore> open_sqlite_store(const std::filesystem::path& dir, const StoreOptions& options = {});

}  // namespace dg
