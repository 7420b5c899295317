#pragma once
// The records of the PostgreSQL store as RecordStore reads them: every read names its region (and
// gemeente) to row-level security as well as in its SQL. The writer is pg_store.cpp's. Private to
// gateway/store/.
#include <algorithm>
#include <string>
#include <vector>

#include "store/pg_schema.hpp"
#include "store/pg_util.hpp"
#include "store/record_store.hpp"

namespace dg::pg_store {

using pg::ArrayLiteral;
using pg::Params;

class PgReads : public RecordStore {
public:
    PgReads(const std::string& url, std::size_t readers) : readers_(pg::make_read_pool(url, readers)) {}

    // ---- reads of one region (row-level security scoped to it) ----

    CaseloadPage caseload(const CaseloadQuery& q) override {
        Params p;
        p.add(q.region);
        std::string sql = std::string("SELECT ") + kColumns + " FROM records WHERE region = $1";
        if (!q.include_inactive) sql += " AND active";
        auto filter = [&](const char* column, const std::string& value, const char* op = " = ") {
            if (value.empty()) return;
            p.add(value);
            sql += std::string(" AND ") + column + op + "$" + std::to_string(p.size());
        };
        filter("berichttype", q.berichttype);
        filter("gemeente", q.gemeente);
        filter("status", q.status);
        filter("received_at", q.since, " >= ");
        if (!q.berichttypen.empty()) {
            ArrayLiteral types;
            for (const auto& t : q.berichttypen) types.add(t);
            p.add(types.take());
            sql += " AND berichttype = ANY($" + std::to_string(p.size()) + "::text[])";
        }
        if (q.before_seq) {
            p.add(*q.before_seq);
            sql += " AND seq < $" + std::to_string(p.size());
        }
        p.add(static_cast<std::int64_t>(q.limit + 1));
        sql += " ORDER BY seq DESC LIMIT $" + std::to_string(p.size());
        auto c = readers_.borrow();
        auto items = read_records(c->query_in_region(q.region, sql.c_str(), p, q.gemeente));
        CaseloadPage page;
        if (items.size() > q.limit) {
            items.resize(q.limit);
            page.next_before = items.back().seq;
        }
        page.items = std::move(items);
        return page;
    }

    std::vector<ReportRow> report(const ReportQuery& q) override {
        Params p;
        ArrayLiteral closed;
        for (const auto& s : q.closed_statuses) closed.add(s);
        p.add(q.region).add(q.from).add(q.to).add(closed.take());
        std::string sql;
        if (!report_fingerprint_.empty() && report_sql::fingerprint(q.details) == report_fingerprint_) {
            // The per-day counts, and what the upkeep has not folded into them yet.
            sql =
                "SELECT gemeente, berichttype, status, detail, sum(n), COALESCE(sum(n) FILTER (WHERE active), 0),"
                " COALESCE(sum(n) FILTER (WHERE NOT active OR status = ANY($4::text[])), 0) FROM ("
                "SELECT gemeente, berichttype, status, detail, active, n FROM report_counts WHERE region = $1 AND day >= $2 AND day < $3"
                " UNION ALL SELECT gemeente, berichttype, status, detail, active, n FROM report_deltas"
                " WHERE region = $1 AND day >= $2 AND day < $3) c GROUP BY 1, 2, 3, 4 HAVING sum(n) > 0 ORDER BY 1, 2, 3, 4";
        } else {
            std::string detail = "''";
            if (!q.details.empty()) {
                detail = "CASE";
                for (const auto& [type, path] : q.details) {
                    std::string array = "{" + path + "}";
                    std::replace(array.begin(), array.end(), '/', ',');
                    p.add(type).add(array);
                    const std::string keys = "$" + std::to_string(p.size()) + "::text[]";
                    detail += " WHEN berichttype = $" + std::to_string(p.size() - 1) + " THEN CASE WHEN jsonb_typeof(data::jsonb #> " + keys +
                              ") = 'string' THEN data::jsonb #>> " + keys + " ELSE '' END";
                }
                detail += " ELSE '' END";
            }
            sql = "SELECT gemeente, berichttype, status, " + detail +
                  ", COUNT(*), COUNT(*) FILTER (WHERE active), COUNT(*) FILTER (WHERE NOT active OR status = ANY($4::text[]))"
                  " FROM records WHERE region = $1 AND (active OR data <> 'null') AND received_at >= $2 AND received_at < $3"
                  " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4";
        }
        auto c = readers_.borrow();
        const auto r = c->query_in_region(q.region, sql.c_str(), p, q.gemeente);
        std::vector<ReportRow> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({r.str(i, 0), r.str(i, 1), r.str(i, 2), r.str(i, 3), static_cast<std::uint64_t>(r.i64(i, 4)),
                           static_cast<std::uint64_t>(r.i64(i, 5)), static_cast<std::uint64_t>(r.i64(i, 6))});
        return out;
    }

    std::vector<SummaryRow> summary(const std::string& region, const std::string& gemeente) override {
        auto c = readers_.borrow();
        const auto r = c->query_in_region(region,
                                          "SELECT berichttype, gemeente, status, COUNT(*) FROM records WHERE region = $1 AND active"
                                          " GROUP BY berichttype, gemeente, status ORDER BY berichttype, gemeente, status",
                                          Params().add(region), gemeente);
        std::vector<SummaryRow> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back({r.str(i, 0), r.str(i, 1), r.str(i, 2), static_cast<std::uint64_t>(r.i64(i, 3))});
        return out;
    }

    std::vector<StoredRecord> records_of_subject(const std::string& subject, const std::string& region, const std::string& gemeente) override {
        return select(region, " WHERE subject = $1 AND region = $2 AND active ORDER BY seq DESC", Params().add(subject).add(region), gemeente);
    }

    std::optional<StoredRecord> find_record(const std::string& id, const std::string& region, const std::string& gemeente) override {
        auto found = select(region, " WHERE id = $1 AND region = $2", Params().add(id).add(region), gemeente);
        if (found.empty()) return std::nullopt;
        return std::move(found.front());
    }

    std::vector<HistoryEvent> history(const std::string& id, const std::string& region) override {
        auto c = readers_.borrow();
        const auto r = c->query_in_region(region, "SELECT time, event, detail FROM record_history WHERE record_id = $1 AND region = $2 ORDER BY seq",
                                          Params().add(id).add(region));
        std::vector<HistoryEvent> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back({r.str(i, 0), r.str(i, 1), r.str(i, 2)});
        return out;
    }

    // ---- reads across regions (the writer side's look-ups) ----

    std::vector<StoredRecord> find_by_melding_id(const std::string& melding_id) override {
        return select("*", " WHERE melding_id = $1 ORDER BY seq", Params().add(melding_id));
    }

    std::vector<StoredRecord> sent_by(const SentQuery& q) override {
        return select("*",
                      " WHERE sender_oin = $1 AND data <> 'null' AND ($2 = '' OR status = $2) AND ($3 = '' OR received_at >= $3)"
                      " AND ($4 = '' OR (received_at, id) < ($4, $5)) ORDER BY received_at DESC, id DESC LIMIT $6",
                      Params()
                          .add(q.sender_oin)
                          .add(q.status)
                          .add(q.since)
                          .add(q.before_received)
                          .add(q.before_id)
                          .add(static_cast<std::int64_t>(q.limit + 1)));
    }

    std::vector<StoredRecord> expired(const std::string& today, std::size_t limit) override {
        return select("*", " WHERE retention_until <> '' AND retention_until < $1 ORDER BY seq LIMIT $2",
                      Params().add(today).add(static_cast<std::int64_t>(limit)));
    }

    std::optional<MessageRow> find_message(const std::string& sender_oin, const std::string& bericht_id) override {
        auto c = readers_.borrow();
        const auto r = c->query("SELECT content_hash, receipt, received_at FROM messages WHERE sender_oin = $1 AND bericht_id = $2",
                                Params().add(sender_oin).add(bericht_id));
        if (r.rows() == 0) return std::nullopt;
        return MessageRow{sender_oin, bericht_id, r.str(0, 0), r.str(0, 1), r.str(0, 2)};
    }

    std::vector<std::string> melding_ids_taken(const std::string& sender_oin, const std::vector<std::string>& ids) override {
        ArrayLiteral list;
        for (const auto& id : ids) list.add(id);
        auto c = readers_.borrow();
        const auto r = c->query("SELECT melding_id FROM melding_ids WHERE sender_oin = $1 AND melding_id = ANY($2::text[])",
                                Params().add(sender_oin).add(list.take()));
        std::vector<std::string> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(r.str(i, 0));
        return out;
    }

protected:
    // Rows of one region (and gemeente, when given) only: the SQL filters, row-level security as well.
    std::vector<StoredRecord> select(const std::string& region, const char* where, const Params& p, const std::string& gemeente = {}) {
        auto c = readers_.borrow();
        return read_records(c->query_in_region(region, (std::string("SELECT ") + kColumns + " FROM records" + where).c_str(), p, gemeente));
    }

    pg::Pool readers_;
    std::string report_fingerprint_;  // the details report_counts is kept for ("" : none); set at open
};

}  // namespace dg::pg_store
