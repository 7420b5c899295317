#include "app/region_export.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "store/sqlite_util.hpp"

namespace dg {
namespace {

// The columns keep the store's names, so a query on the store works on an export as well.
constexpr const char* kExportSchema = R"sql(
CREATE TABLE region_export(region TEXT NOT NULL, region_name TEXT NOT NULL, exported_at TEXT NOT NULL,
  records INTEGER NOT NULL, history INTEGER NOT NULL);
CREATE TABLE records(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, region TEXT NOT NULL, region_name TEXT NOT NULL,
  gemeente TEXT NOT NULL, berichttype TEXT NOT NULL, status TEXT NOT NULL, sender_oin TEXT NOT NULL,
  intermediary_oin TEXT NOT NULL, bericht_id TEXT NOT NULL, melding_id TEXT NOT NULL, subject TEXT NOT NULL,
  received_at TEXT NOT NULL, legal_basis TEXT NOT NULL, purpose TEXT NOT NULL, policy_version TEXT NOT NULL,
  retention_until TEXT NOT NULL, data TEXT NOT NULL, active INTEGER NOT NULL);
CREATE TABLE record_history(seq INTEGER PRIMARY KEY, record_id TEXT NOT NULL REFERENCES records(id),
  time TEXT NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX record_history_id ON record_history(record_id, seq);
)sql";

struct Db {
    sqlite3* db;
    ~Db() { sqlite3_close(db); }
};

}  // namespace

RegionExportResult export_region(RecordStore& store, const std::string& region, const std::string& region_name, const std::filesystem::path& file,
                                 const std::string& exported_at) {
    using sqlite::Stmt;
    if (std::filesystem::exists(file)) throw std::runtime_error(file.string() + " exists; export into a new file");
    const std::filesystem::path part = file.string() + ".part";
    std::filesystem::remove(part);
    // The records' content is personal data (the region's own): the file is its owner's alone.
    const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + part.string() + ": " + std::strerror(errno));
    ::close(fd);
    RegionExportResult out;
    try {
        Db out_db{sqlite::open(part, false)};
        sqlite3* db = out_db.db;
        sqlite::exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=FULL;");
        sqlite::exec(db, kExportSchema);
        sqlite::exec(db, "BEGIN");
        Stmt put(db,
                 "INSERT INTO records(seq, id, region, region_name, gemeente, berichttype, status, sender_oin, intermediary_oin, bericht_id,"
                 " melding_id, subject, received_at, legal_basis, purpose, policy_version, retention_until, data, active)"
                 " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)");
        Stmt event(db, "INSERT INTO record_history(record_id, time, event, detail) VALUES(?1,?2,?3,?4)");
        // Oldest first in the file; read newest first in pages (the caseload's cursor), so the
        // export holds a bounded number of records in memory whatever the region's size.
        CaseloadQuery q;
        q.region = region;
        q.include_inactive = true;
        q.limit = 1000;
        for (;;) {
            CaseloadPage page = store.caseload(q);
            for (const StoredRecord& r : page.items) {
                put.int64(1, r.seq).text(2, r.id).text(3, r.region).text(4, r.region_name).text(5, r.gemeente).text(6, r.berichttype);
                put.text(7, r.status).text(8, r.sender_oin).text(9, r.intermediary_oin).text(10, r.bericht_id).text(11, r.melding_id);
                put.text(12, r.subject).text(13, r.received_at).text(14, r.legal_basis).text(15, r.purpose).text(16, r.policy_version);
                put.text(17, r.retention_until).text(18, r.data).int64(19, r.active ? 1 : 0);
                put.run();
                ++out.records;
                if (r.active) ++out.active;
                for (const HistoryEvent& h : store.history(r.id, region)) {
                    event.text(1, r.id).text(2, h.time).text(3, h.event).text(4, h.detail);
                    event.run();
                    ++out.history;
                }
            }
            if (!page.next_before) break;
            q.before_seq = page.next_before;
        }
        Stmt info(db,
                  "INSERT INTO region_export(region, region_name, exported_at, records, history)"
                  " VALUES(?1, coalesce(nullif(?2, ''), (SELECT region_name FROM records ORDER BY seq DESC LIMIT 1), ''), ?3, ?4, ?5)");
        info.text(1, region).text(2, region_name).text(3, exported_at).int64(4, static_cast<std::int64_t>(out.records));
        info.int64(5, static_cast<std::int64_t>(out.history));
        info.run();
        sqlite::exec(db, "COMMIT");
    } catch (...) {
        std::filesystem::remove(part);
        throw;
    }
    std::filesystem::rename(part, file);
    return out;
}

}  // namespace dg
