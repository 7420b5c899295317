#pragma once
// Thin RAII over libpq for the PostgreSQL store: connections, results, parameters, array literals.
#include <libpq-fe.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection_pool.hpp"
#include "store/store_error.hpp"

namespace dg::pg {

struct Error : StoreError {
    std::string sqlstate;  // e.g. "23505"; empty when the connection failed
    Error(std::string state, const std::string& what) : StoreError(what), sqlstate(std::move(state)) {}
};

class Result {
public:
    explicit Result(PGresult* r = nullptr) : r_(r) {}
    Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
    Result& operator=(Result&& o) noexcept {
        std::swap(r_, o.r_);
        return *this;
    }
    Result(const Result&) = delete;
    ~Result() { PQclear(r_); }
    int rows() const { return PQntuples(r_); }
    std::string str(int row, int col) const { return std::string(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col))); }
    std::string_view view(int row, int col) const { return {PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col))}; }
    std::int64_t i64(int row, int col) const { return std::stoll(PQgetvalue(r_, row, col)); }
    bool boolean(int row, int col) const { return PQgetvalue(r_, row, col)[0] == 't'; }
    PGresult* get() const { return r_; }

private:
    PGresult* r_;
};

// Parameters in text format, kept alive for one call.
class Params {
public:
    Params& add(std::string v) {
        values_.push_back(std::move(v));
        return *this;
    }
    Params& add(std::int64_t v) { return add(std::to_string(v)); }
    int size() const { return static_cast<int>(values_.size()); }
    std::vector<const char*> pointers() const {
        std::vector<const char*> p;
        for (const auto& v : values_) p.push_back(v.c_str());
        return p;
    }

private:
    std::vector<std::string> values_;
};

// A text[] literal for unnest(): every element quoted, '"' and '\' escaped.
class ArrayLiteral {
public:
    void add(std::string_view v) {
        out_ += out_.empty() ? "{\"" : ",\"";
        for (char c : v) {
            if (c == '"' || c == '\\') out_ += '\\';
            out_ += c;
        }
        out_ += '"';
    }
    std::string take() {
        std::string s = out_.empty() ? "{}" : std::move(out_) + "}";
        out_.clear();
        return s;
    }

private:
    std::string out_;
};

class Conn {
public:
    // `url` is a libpq URL or conninfo; a connect timeout and UTF-8 apply unless the URL says otherwise.
    explicit Conn(const std::string& url) {
        const char* keys[] = {"connect_timeout", "client_encoding", "application_name", "dbname", nullptr};
        const char* vals[] = {"5", "UTF8", "doorstroom-gateway", url.c_str(), nullptr};
        c_ = PQconnectdbParams(keys, vals, 1);
        if (!c_ || PQstatus(c_) != CONNECTION_OK) {
            std::string msg = c_ ? PQerrorMessage(c_) : "out of memory";
            PQfinish(c_);
            c_ = nullptr;
            while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
            throw Error("", "cannot connect to PostgreSQL: " + msg);
        }
        // The server's notices (and the FATAL of a terminated backend) are not ours to print: the
        // log is JSON lines, and whatever matters surfaces as an error of the next statement.
        PQsetNoticeProcessor(
            c_, [](void*, const char*) {}, nullptr);
    }
    Conn(const Conn&) = delete;
    ~Conn() { PQfinish(c_); }
    bool ok() const { return PQstatus(c_) == CONNECTION_OK; }
    // Whether an idle connection is still up: reads whatever the server sent meanwhile (libpq's
    // socket is non-blocking, so this is one recv), which notices a backend that was terminated
    // or a server that went away while the connection sat in a pool.
    // A terminated backend sends its FATAL error and then closes: the first read takes the
    // message, the second sees the end of the stream.
    bool alive() const {
        for (int i = 0; i < 2 && ok(); ++i)
            if (PQconsumeInput(c_) != 1) return false;
        return ok();
    }
    PGconn* get() const { return c_; }

    // Runs SQL without parameters (may hold several statements); throws on failure.
    void exec(const char* sql) { check(Result(PQexec(c_, sql)), sql); }

    Result query(const char* sql, const Params& p = {}, int result_format = 0) {
        const auto ptrs = p.pointers();
        return check(Result(PQexecParams(c_, sql, p.size(), nullptr, ptrs.data(), nullptr, nullptr, result_format)), sql);
    }

    // Runs `sql` with the row-level security of one region ("*": every region) and, when given,
    // one gemeente, in one round trip: set_config(…, is_local) and the query share the implicit
    // transaction of one pipeline.
    Result query_in_region(const std::string& region, const char* sql, const Params& p = {}, const std::string& gemeente = {}) {
        if (PQenterPipelineMode(c_) != 1) throw Error("", std::string("pipeline: ") + PQerrorMessage(c_));
        const char* scope[] = {region.c_str(), gemeente.c_str()};
        const auto ptrs = p.pointers();
        const bool sent = PQsendQueryParams(c_, "SELECT set_config('dg.region', $1, true), set_config('dg.gemeente', $2, true)", 2, nullptr, scope,
                                            nullptr, nullptr, 0) == 1 &&
                          PQsendQueryParams(c_, sql, p.size(), nullptr, ptrs.data(), nullptr, nullptr, 0) == 1 && PQpipelineSync(c_) == 1;
        Result out;
        std::string error = sent ? "" : PQerrorMessage(c_);
        std::string state;
        // Results come as: set_config, NULL, query, NULL, PIPELINE_SYNC (bounded, should the
        // connection break half-way).
        int results = 0;
        for (int guard = 0; sent && guard < 16; ++guard) {
            Result r(PQgetResult(c_));
            if (!r.get()) {
                if (!ok()) break;
                continue;
            }
            const auto st = PQresultStatus(r.get());
            if (st == PGRES_PIPELINE_SYNC) break;
            if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && error.empty()) {
                error = PQresultErrorMessage(r.get());
                state = sqlstate_of(r.get());
            }
            if (results++ == 1) out = std::move(r);
        }
        if (PQexitPipelineMode(c_) != 1 && error.empty()) error = "pipeline did not complete";
        if (!error.empty()) {
            while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
            throw Error(state, "PostgreSQL: " + error);
        }
        return out;
    }

private:
    static std::string sqlstate_of(const PGresult* r) {
        const char* s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
        return s ? s : "";
    }
    Result check(Result r, const char* sql) {
        const auto st = PQresultStatus(r.get());
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
        std::string msg = r.get() ? PQresultErrorMessage(r.get()) : PQerrorMessage(c_);
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        std::string what(sql, std::min<std::size_t>(std::string_view(sql).size(), 60));
        throw Error(sqlstate_of(r.get()), "PostgreSQL: " + msg + " (in: " + what + ")");
    }
    PGconn* c_ = nullptr;
};

// Read connections: a statement that hangs is a 503, not a stuck thread; a broken connection, or
// one left inside a transaction, is closed rather than lent out again.
using Pool = ConnectionPool<Conn>;
inline Pool make_read_pool(const std::string& url, std::size_t max) {
    return Pool(
        max,
        [url] {
            auto c = std::make_unique<Conn>(url);
            c->exec("SET statement_timeout = '15s'");
            return c;
        },
        [](const Conn& c) { return c.alive() && PQtransactionStatus(c.get()) == PQTRANS_IDLE; });
}

}  // namespace dg::pg
