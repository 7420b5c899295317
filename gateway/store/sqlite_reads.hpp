#pragma once
// The records of the embedded store as RecordStore reads them: one region file per read (through
// that region's reader pool), every read limited to the transactions audit.db committed
// (created_txn <= visible_txn_). The writer (sqlite_store.cpp) opens the files, commits and moves
// visible_txn_ on. Private to gateway/store/.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "store/record_store.hpp"
#include "store/sqlite_files.hpp"

namespace dg::sqlite_store {

class RecordReads : public RecordStore {
public:
    RecordReads(std::filesystem::path dir, StoreOptions options) : dir_(std::move(dir)), options_(std::move(options)) {}

    // ---- reads of one region ----

    CaseloadPage caseload(const CaseloadQuery& q) override {
        CaseloadPage page;
        ReaderPool* pool = region_readers(q.region);
        if (!pool) return page;
        std::string sql = std::string("SELECT ") + kColumns + " FROM records WHERE active = 1 AND created_txn <= ?1";
        if (!q.berichttype.empty()) sql += " AND berichttype = ?2";
        if (!q.gemeente.empty()) sql += " AND gemeente = ?3";
        if (!q.status.empty()) sql += " AND status = ?4";
        if (!q.since.empty()) sql += " AND received_at >= ?5";
        if (q.before_seq) sql += " AND seq < ?6";
        std::string types;
        if (!q.berichttypen.empty()) {
            sql += " AND berichttype IN (SELECT value FROM json_each(?8))";
            rapidjson::StringBuffer buf;
            rapidjson::Writer<rapidjson::StringBuffer> w(buf);
            w.StartArray();
            for (const auto& t : q.berichttypen) w.String(t.data(), static_cast<rapidjson::SizeType>(t.size()));
            w.EndArray();
            types.assign(buf.GetString(), buf.GetSize());
        }
        sql += " ORDER BY seq DESC LIMIT ?7";
        auto lease = pool->borrow();
        Stmt st(lease->db, sql);
        st.int64(1, visible_txn_.load()).text(2, q.berichttype).text(3, q.gemeente).text(4, q.status).text(5, q.since).text(8, types);
        if (q.before_seq) st.int64(6, *q.before_seq);
        st.int64(7, static_cast<std::int64_t>(q.limit + 1));
        while (st.row()) {
            if (page.items.size() == q.limit) {
                page.next_before = page.items.back().seq;
                st.reset();
                break;
            }
            page.items.push_back(read_record(st));
        }
        return page;
    }

    std::vector<ReportRow> report(const ReportQuery& q) override {
        std::vector<ReportRow> out;
        ReaderPool* pool = region_readers(q.region);
        if (!pool) return out;
        std::string detail = "''";
        if (!q.details.empty()) {
            detail = "CASE";
            for (std::size_t i = 0; i < q.details.size(); ++i)
                detail += " WHEN berichttype = ?" + std::to_string(10 + 2 * i) + " THEN COALESCE(json_extract(data, ?" + std::to_string(11 + 2 * i) +
                          "), '')";
            detail += " ELSE '' END";
        }
        auto lease = pool->borrow();
        Stmt st(lease->db, "SELECT gemeente, berichttype, status, " + detail +
                               " AS detail, COUNT(*), SUM(active), SUM(active = 0 OR status IN (SELECT value FROM json_each(?4))) FROM records"
                               " WHERE (active = 1 OR data <> 'null') AND created_txn <= ?9 AND (?1 = '' OR gemeente = ?1) AND received_at >= ?2 AND "
                               "received_at < ?3"
                               " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4");
        std::string closed = "[";
        for (const auto& s : q.closed_statuses) closed += (closed.size() > 1 ? ",\"" : "\"") + s + "\"";
        closed += "]";
        st.text(1, q.gemeente).text(2, q.from).text(3, q.to).text(4, closed).int64(9, visible_txn_.load());
        for (std::size_t i = 0; i < q.details.size(); ++i) {
            std::string path = "$." + q.details[i].second;
            std::replace(path.begin(), path.end(), '/', '.');
            st.text(static_cast<int>(10 + 2 * i), q.details[i].first).text(static_cast<int>(11 + 2 * i), path);
        }
        while (st.row())
            out.push_back({st.str(0), st.str(1), st.str(2), st.str(3), static_cast<std::uint64_t>(st.i64(4)), static_cast<std::uint64_t>(st.i64(5)),
                           static_cast<std::uint64_t>(st.i64(6))});
        return out;
    }

    std::vector<SummaryRow> summary(const std::string& region, const std::string& gemeente) override {
        std::vector<SummaryRow> out;
        ReaderPool* pool = region_readers(region);
        if (!pool) return out;
        auto lease = pool->borrow();
        Stmt st(lease->db,
                "SELECT berichttype, gemeente, status, COUNT(*) FROM records WHERE active = 1 AND created_txn <= ?1"
                " AND (?2 = '' OR gemeente = ?2) GROUP BY berichttype, gemeente, status ORDER BY berichttype, gemeente, status");
        st.int64(1, visible_txn_.load()).text(2, gemeente);
        while (st.row()) out.push_back({st.str(0), st.str(1), st.str(2), static_cast<std::uint64_t>(st.i64(3))});
        return out;
    }

    std::vector<StoredRecord> records_of_subject(const std::string& subject, const std::string& region, const std::string& gemeente) override {
        return select_records(region, " WHERE subject = ?1 AND active = 1 AND created_txn <= ?9 AND (?3 = '' OR gemeente = ?3) ORDER BY seq DESC",
                              subject, 0, gemeente);
    }

    std::optional<StoredRecord> find_record(const std::string& id, const std::string& region, const std::string& gemeente) override {
        auto found = select_records(region, " WHERE id = ?1 AND created_txn <= ?9 AND (?3 = '' OR gemeente = ?3)", id, 0, gemeente);
        if (found.empty()) return std::nullopt;
        return std::move(found.front());
    }

    std::vector<HistoryEvent> history(const std::string& id, const std::string& region) override {
        std::vector<HistoryEvent> out;
        ReaderPool* pool = region_readers(region);
        if (!pool) return out;
        auto lease = pool->borrow();
        Stmt st(lease->db, "SELECT time, event, detail FROM record_history WHERE record_id = ?1 ORDER BY seq");
        st.text(1, id);
        while (st.row()) out.push_back({st.str(0), st.str(1), st.str(2)});
        return out;
    }

    // ---- reads across regions (the writer side's look-ups) ----

    std::vector<StoredRecord> find_by_melding_id(const std::string& melding_id) override {
        std::vector<StoredRecord> out;
        for (const auto& code : regions_now()) {
            auto found = select_records(code, " WHERE melding_id = ?1 AND created_txn <= ?9 ORDER BY seq", melding_id);
            std::move(found.begin(), found.end(), std::back_inserter(out));
        }
        return out;
    }

    std::vector<StoredRecord> sent_by(const SentQuery& q) override {
        std::vector<StoredRecord> out;
        for (const auto& code : regions_now()) {
            ReaderPool* pool = region_readers(code);
            if (!pool) continue;
            auto lease = pool->borrow();
            Stmt st(lease->db, std::string("SELECT ") + kColumns +
                                   " FROM records WHERE sender_oin = ?1 AND data <> 'null' AND created_txn <= ?9"
                                   " AND (?2 = '' OR status = ?2) AND (?3 = '' OR received_at >= ?3)"
                                   " AND (?4 = '' OR received_at < ?4 OR (received_at = ?4 AND id < ?5))"
                                   " ORDER BY received_at DESC, id DESC LIMIT ?6");
            st.text(1, q.sender_oin).text(2, q.status).text(3, q.since).text(4, q.before_received).text(5, q.before_id);
            st.int64(6, static_cast<std::int64_t>(q.limit + 1)).int64(9, visible_txn_.load());
            while (st.row()) out.push_back(read_record(st));
        }
        std::sort(out.begin(), out.end(),
                  [](const StoredRecord& a, const StoredRecord& b) { return std::tie(a.received_at, a.id) > std::tie(b.received_at, b.id); });
        if (out.size() > q.limit + 1) out.resize(q.limit + 1);
        return out;
    }

    std::vector<StoredRecord> expired(const std::string& today, std::size_t limit) override {
        std::vector<StoredRecord> out;
        for (const auto& code : regions_now()) {
            if (out.size() >= limit) break;
            auto found = select_records(code, " WHERE retention_until <> '' AND retention_until < ?1 ORDER BY seq LIMIT ?2", today,
                                        static_cast<std::int64_t>(limit - out.size()));
            std::move(found.begin(), found.end(), std::back_inserter(out));
        }
        return out;
    }

protected:
    std::set<std::string> regions_now() {
        std::lock_guard lock(regions_mu_);
        return known_regions_;
    }

    // The readers of a region's file, or null while the region has no file yet.
    ReaderPool* region_readers(const std::string& code) {
        std::lock_guard lock(regions_mu_);
        if (!known_regions_.contains(code)) return nullptr;
        auto& pool = region_readers_[code];
        if (!pool) pool = readers_of(dir_ / region_file_name(code), options_.readers, options_.read_only);
        return pool.get();
    }

    // Records of one region: `where` uses ?1 (and ?2) for the arguments and ?9 for the visible transaction.
    std::vector<StoredRecord> select_records(const std::string& region, const char* where, const std::string& arg, std::int64_t arg2 = 0,
                                             const std::string& arg3 = {}) {
        std::vector<StoredRecord> out;
        ReaderPool* pool = region_readers(region);
        if (!pool) return out;
        auto lease = pool->borrow();
        Stmt st(lease->db, std::string("SELECT ") + kColumns + " FROM records" + where);
        st.text(1, arg).int64(2, arg2).text(3, arg3).int64(9, visible_txn_.load());
        while (st.row()) out.push_back(read_record(st));
        return out;
    }

    std::filesystem::path dir_;
    StoreOptions options_;
    // Readers see records of committed transactions only.
    std::atomic<std::int64_t> visible_txn_{0};
    std::mutex regions_mu_;
    std::set<std::string> known_regions_;
    std::map<std::string, std::unique_ptr<ReaderPool>> region_readers_;
};

}  // namespace dg::sqlite_store
