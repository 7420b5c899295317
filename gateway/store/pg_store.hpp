#pragma once
// Production store: PostgreSQL 15 through libpq; several gateway processes may share one database.
#include <memory>
#include <string>

#include "store/record_store.hpp"

namespace dg {

// Connects, refuses a role that bypasses row-level security, and creates or migrates the schema.
// Throws std::runtime_error when it cannot.
std::unique_ptr<RecordStore> open_pg_store(const std::string& url, const StoreOptions& options = {});

}  // namespace dg
