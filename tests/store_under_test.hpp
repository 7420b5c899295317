#pragma once
// Where a test's store lives: a fresh SQLite directory, or a fresh schema in the PostgreSQL test
// cluster that ctest starts (tests/pg/cluster.sh; its state dir is in DG_TEST_PG_STATE).
#include <libpq-fe.h>

#include <random>
#include <stdexcept>
#include <string>

#include "test_support.hpp"

namespace dg::test {

enum class StoreKind { Sqlite, Postgres };

inline std::string pg_state_dir() {
    const char* dir = std::getenv("DG_TEST_PG_STATE");
    if (!dir || !*dir) throw std::runtime_error("DG_TEST_PG_STATE is not set: run the suite with ctest (./scripts/test)");
    return dir;
}

// The cluster's URL for the non-superuser role `dg`.
inline std::string pg_base_url() {
    std::string url = slurp(std::filesystem::path(pg_state_dir()) / "url");
    while (!url.empty() && (url.back() == '\n' || url.back() == ' ')) url.pop_back();
    if (url.empty()) throw std::runtime_error("the PostgreSQL test cluster is not running (no url in DG_TEST_PG_STATE)");
    return url;
}

// Runs SQL on the test cluster as `dg`; throws with the server's message.
inline void pg_exec(const std::string& url, const std::string& sql) {
    PGconn* c = PQconnectdb(url.c_str());
    std::string error;
    if (PQstatus(c) != CONNECTION_OK) error = PQerrorMessage(c);
    else {
        PGresult* r = PQexec(c, sql.c_str());
        if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) error = PQresultErrorMessage(r);
        PQclear(r);
    }
    PQfinish(c);
    if (!error.empty()) throw std::runtime_error("PostgreSQL: " + error);
}

// A URL whose connections work in `schema` (search_path), for a store of its own.
inline std::string pg_url_for_schema(const std::string& base, const std::string& schema) {
    return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

class TestStore {
public:
    explicit TestStore(StoreKind kind) : kind_(kind) {
        if (kind_ == StoreKind::Sqlite) {
            url_ = "sqlite:" + (dir_.path / "store").string();
            return;
        }
        std::random_device rd;
        schema_ = "t_" + std::to_string(rd()) + std::to_string(rd());
        base_ = pg_base_url();
        pg_exec(base_, "CREATE SCHEMA " + schema_);
        url_ = pg_url_for_schema(base_, schema_);
    }
    ~TestStore() {
        if (kind_ == StoreKind::Postgres) {
            try {
                pg_exec(base_, "DROP SCHEMA " + schema_ + " CASCADE");
            } catch (...) {
            }
        }
    }
    TestStore(const TestStore&) = delete;
    const std::string& url() const { return url_; }
    StoreKind kind() const { return kind_; }
    const std::filesystem::path& dir() const { return dir_.path; }

private:
    StoreKind kind_;
    TempDir dir_;
    std::string url_, base_, schema_;
};

// DG_TEST_STORE=postgres runs a suite against PostgreSQL instead of SQLite.
inline StoreKind store_kind_from_env() {
    const char* v = std::getenv("DG_TEST_STORE");
    return v && std::string(v) == "postgres" ? StoreKind::Postgres : StoreKind::Sqlite;
}

}  // namespace dg::test
