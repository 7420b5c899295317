#include "store/pg_store.hpp"
#include "store/record_store.hpp"
#include "store/sqlite_store.hpp"

namespace dg {

std::unique_ptr<RecordStore> open_store(const std::string& url, const StoreOptions& options) {
    if (url.rfind("sqlite:", 0) == 0) {
        const std::string dir = url.substr(7);
        if (dir.empty()) throw std::runtime_error("store URL sqlite: needs a directory (sqlite:DIR)");
        return open_sqlite_store(dir, options);
    }
    if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return open_pg_store(url, options);
    throw std::runtime_error("unsupported store URL (use sqlite:DIR or postgresql://USER@HOST:PORT/DB)");
}

}  // namespace dg
