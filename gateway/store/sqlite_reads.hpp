#pragma once
// The records of the embedded store as RecordStore reads them, through the store's reader pool;
// every read of a region names it (the indexes lead with the region). A read sees the
// transactions committed when it began (WAL snapshots). Private to gateway/store/.
#include <algorithm>
#include <filesystem>
#include <memory>
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
        std::string sql = std::string("SELECT ") + kColumns + " FROM records WHERE region = ?1";
        if (!q.include_inactive) sql += " AND active = 1";
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
        auto lease = readers_->borrow();
        Stmt st(lease->db, sql);
        st.text(1, q.region).text(2, q.berichttype).text(3, q.gemeente).text(4, q.status).text(5, q.since).text(8, types);
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
        // From the per-day counts when they are kept for these details, else from the records.
        const bool counted = !report_fingerprint_.empty() && report_sql::fingerprint(q.details) == report_fingerprint_;
        const std::string sql =
            counted ? "SELECT gemeente, berichttype, status, detail, SUM(n), SUM(n * active),"
                      " SUM(CASE WHEN active = 0 OR status IN (SELECT value FROM json_each(?4)) THEN n ELSE 0 END) FROM report_counts"
                      " WHERE region = ?9 AND day >= ?2 AND day < ?3 AND (?1 = '' OR gemeente = ?1)"
                      " GROUP BY 1, 2, 3, 4 HAVING SUM(n) > 0 ORDER BY 1, 2, 3, 4"
                    : "SELECT gemeente, berichttype, status, " + report_detail_sql(q.details) +
                          " AS detail, COUNT(*), SUM(active), SUM(active = 0 OR status IN (SELECT value FROM json_each(?4))) FROM records"
                          " WHERE region = ?9 AND received_at >= ?2 AND received_at < ?3 AND (?1 = '' OR gemeente = ?1)"
                          " AND (active = 1 OR data <> 'null')"
                          " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4";
        std::string closed = "[";
        for (const auto& s : q.closed_statuses) closed += (closed.size() > 1 ? ",\"" : "\"") + s + "\"";
        closed += "]";
        auto lease = readers_->borrow();
        Stmt st(lease->db, sql);
        st.text(1, q.gemeente).text(2, q.from).text(3, q.to).text(4, closed).text(9, q.region);
        std::vector<ReportRow> out;
        while (st.row())
            out.push_back({st.str(0), st.str(1), st.str(2), st.str(3), static_cast<std::uint64_t>(st.i64(4)), static_cast<std::uint64_t>(st.i64(5)),
                           static_cast<std::uint64_t>(st.i64(6))});
        return out;
    }

    std::vector<SummaryRow> summary(const std::string& region, const std::string& gemeente) override {
        std::vector<SummaryRow> out;
        auto lease = readers_->borrow();
        Stmt st(lease->db,
                "SELECT berichttype, gemeente, status, COUNT(*) FROM records WHERE region = ?1 AND active = 1"
                " AND (?2 = '' OR gemeente = ?2) GROUP BY berichttype, gemeente, status ORDER BY berichttype, gemeente, status");
        st.text(1, region).text(2, gemeente);
        while (st.row()) out.push_back({st.str(0), st.str(1), st.str(2), static_cast<std::uint64_t>(st.i64(3))});
        return out;
    }

    std::vector<StoredRecord> records_of_subject(const std::string& subject, const std::string& region, const std::string& gemeente) override {
        return select_records(" WHERE subject = ?1 AND active = 1 AND region = ?4 AND (?3 = '' OR gemeente = ?3) ORDER BY seq DESC", subject, 0,
                              gemeente, region);
    }

    std::optional<StoredRecord> find_record(const std::string& id, const std::string& region, const std::string& gemeente) override {
        auto found = select_records(" WHERE id = ?1 AND region = ?4 AND (?3 = '' OR gemeente = ?3)", id, 0, gemeente, region);
        if (found.empty()) return std::nullopt;
        return std::move(found.front());
    }

    std::vector<HistoryEvent> history(const std::string& id, const std::string& region) override {
        std::vector<HistoryEvent> out;
        auto lease = readers_->borrow();
        Stmt st(lease->db, "SELECT time, event, detail FROM record_history WHERE record_id = ?1 AND region = ?2 ORDER BY seq");
        st.text(1, id).text(2, region);
        while (st.row()) out.push_back({st.str(0), st.str(1), st.str(2)});
        return out;
    }

    // ---- reads across regions (the writer side's look-ups) ----

    std::vector<StoredRecord> find_by_melding_id(const std::string& melding_id) override {
        return select_records(" WHERE melding_id = ?1 ORDER BY seq", melding_id);
    }

    std::vector<StoredRecord> sent_by(const SentQuery& q) override {
        std::vector<StoredRecord> out;
        auto lease = readers_->borrow();
        Stmt st(lease->db, std::string("SELECT ") + kColumns +
                               " FROM records WHERE sender_oin = ?1 AND data <> 'null'"
                               " AND (?2 = '' OR status = ?2) AND (?3 = '' OR received_at >= ?3)"
                               " AND (?4 = '' OR received_at < ?4 OR (received_at = ?4 AND id < ?5))"
                               " ORDER BY received_at DESC, id DESC LIMIT ?6");
        st.text(1, q.sender_oin).text(2, q.status).text(3, q.since).text(4, q.before_received).text(5, q.before_id);
        st.int64(6, static_cast<std::int64_t>(q.limit + 1));
        while (st.row()) out.push_back(read_record(st));
        return out;
    }

    std::vector<StoredRecord> expired(const std::string& today, std::size_t limit) override {
        return select_records(" WHERE retention_until <> '' AND retention_until < ?1 ORDER BY seq LIMIT ?2", today, static_cast<std::int64_t>(limit));
    }

protected:
    // Records: `where` uses ?1, ?2 and ?3 for the arguments and ?4 for the region.
    std::vector<StoredRecord> select_records(const char* where, const std::string& arg, std::int64_t arg2 = 0, const std::string& arg3 = {},
                                             const std::string& region = {}) {
        std::vector<StoredRecord> out;
        auto lease = readers_->borrow();
        Stmt st(lease->db, std::string("SELECT ") + kColumns + " FROM records" + where);
        st.text(1, arg).int64(2, arg2).text(3, arg3).text(4, region);
        while (st.row()) out.push_back(read_record(st));
        return out;
    }

    std::filesystem::path dir_;
    StoreOptions options_;
    ReaderPool* readers_ = nullptr;   // the store's (AuditReads holds them)
    std::string report_fingerprint_;  // the details report_counts is kept for ("" : none)
};

}  // namespace dg::sqlite_store
