// The embedded store: DIR/store.db, SQLite in WAL mode with synchronous=FULL, holds the audit
// log, the accepted messages and every region's records and history. One transaction per commit
// group, in one file: SQLite commits it atomically, and a reader sees what was committed when its
// read began. A store of the earlier layout (audit.db and a file per region) is refused.
#include "store/sqlite_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <tuple>

#include "audit/merkle.hpp"
#include "core/log.hpp"
#include "store/connection_pool.hpp"
#include "store/effects.hpp"
#include "store/group_commit.hpp"
#include "store/sqlite_audit.hpp"
#include "store/sqlite_files.hpp"
#include "store/sqlite_reads.hpp"
#include "store/sqlite_util.hpp"

namespace dg {
namespace {

using sqlite::Stmt;
using namespace sqlite_store;

class SqliteStore final : public RecordReads, public AuditReads {
public:
    SqliteStore(const std::filesystem::path& dir, const StoreOptions& options) : RecordReads(dir, options) {
        if (std::filesystem::exists(dir / "gateway.db"))
            throw std::runtime_error((dir / "gateway.db").string() +
                                     ": a single-file store of an earlier version; move the data dir aside and start afresh");
        const auto file = dir / kStoreFile;
        if (options_.read_only) {
            if (!std::filesystem::exists(file)) throw std::runtime_error("no store at " + file.string());
        } else {
            std::filesystem::create_directories(dir);
            // One writer per data dir: a second (another gateway, purge or audit rotate-key while
            // one runs) would append to the log behind the first one's back. Released on exit.
            lock_fd_ = ::open((dir / "writer.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
            if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
                if (lock_fd_ >= 0) ::close(lock_fd_);
                lock_fd_ = -1;
                throw std::runtime_error(dir.string() + " is in use by another gateway process (stop it first)");
            }
            if (std::filesystem::exists(dir / "audit.db") && !std::filesystem::exists(file)) {
                close_files();
                throw std::runtime_error((dir / "audit.db").string() +
                                         ": a store of the earlier layout (audit.db and a file per region, schema 5); this gateway keeps one"
                                         " file (store.db) and does not convert it: run the earlier version or move the data dir aside");
            }
        }
        main_readers_ = readers_of(file, options_.readers, options_.read_only);
        readers_ = main_readers_.get();
        if (options_.read_only) {
            load_report_fingerprint();
            return;
        }
        db_ = sqlite::open(file, false);
        try {
            configure_writer(db_);
            check_schema_version();
            sqlite::exec(db_, kSchema);
            sqlite::exec(db_, ("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
            if (options_.report_details) configure_report(*options_.report_details);
            prepare();
            if (!options_.report_details) load_report_fingerprint();
            load_log_state();
        } catch (...) {
            close_files();
            throw;
        }
        writer_ = std::make_unique<GroupCommit>(
            options_.max_group, options_.max_queue, [this](std::vector<GroupCommit::Pending>& g) { return commit_group(g); },
            [this](BulkChannel& b) { return commit_bulk(b); });
        checkpointer_ = std::make_unique<Checkpointer>(file);
    }

    ~SqliteStore() override {
        close();
        close_files();
    }

    void submit(WriteBatch batch, CommitCallback done) override {
        if (!writer_) return done({false, false, "store is read-only"});
        writer_->submit(std::move(batch), std::move(done));
    }
    std::unique_ptr<BulkWrite> begin_bulk() override {
        if (!writer_) throw std::runtime_error("store is read-only");
        return writer_->begin_bulk();
    }
    bool ready() const override { return writer_ && writer_->healthy(); }
    void probe() override {
        if (writer_) writer_->probe();
    }
    void close() override {
        if (writer_) writer_->close();
        checkpointer_.reset();
    }
    AuditLog& audit() override { return *this; }

    std::optional<MessageRow> find_message(const std::string& sender_oin, const std::string& bericht_id) override {
        auto lease = main_readers_->borrow();
        auto st = lease->prepared("SELECT content_hash, receipt, received_at FROM messages WHERE sender_oin = ?1 AND bericht_id = ?2");
        st->text(1, sender_oin).text(2, bericht_id);
        if (!st->row()) return std::nullopt;
        return MessageRow{sender_oin, bericht_id, st->str(0), st->str(1), st->str(2)};
    }

    std::vector<std::string> melding_ids_taken(const std::string& sender_oin, const std::vector<std::string>& ids) override {
        std::vector<std::string> out;
        auto lease = main_readers_->borrow();
        auto st = lease->prepared("SELECT 1 FROM melding_ids WHERE sender_oin = ?1 AND melding_id = ?2");
        for (const auto& id : ids) {
            st->text(1, sender_oin).text(2, id);
            if (st->row()) out.push_back(id);
            st->reset();
        }
        return out;
    }

private:
    void check_schema_version() {
        Stmt v(db_, "PRAGMA user_version");
        const int version = v.row() ? static_cast<int>(v.i64(0)) : 0;
        v.reset();
        Stmt t(db_, "SELECT count(*) FROM sqlite_master WHERE name = 'audit'");
        const bool existing = t.row() && t.i64(0) > 0;
        t.reset();
        if (existing && version != kSchemaVersion)
            throw std::runtime_error((dir_ / kStoreFile).string() + ": store schema " + std::to_string(version) + " is not this gateway's (" +
                                     std::to_string(kSchemaVersion) + ")");
    }

    // The rapportage's counts kept for these details: rebuilt when the store holds them for other
    // details (or none: a store of before them).
    void configure_report(const ReportDetails& details) {
        const std::string fingerprint = report_sql::fingerprint(details);
        Stmt held(db_, "SELECT details FROM report_setup WHERE id = 1");
        const bool same = held.row() && held.str(0) == fingerprint;
        held.reset();
        if (!same) {
            const auto started = std::chrono::steady_clock::now();
            begin();
            try {
                sqlite::exec(db_, report_rebuild_sql(details).c_str());
                Stmt(db_, "INSERT OR REPLACE INTO report_setup(id, details) VALUES(1, ?1)").text(1, fingerprint).run();
                commit();
            } catch (...) {
                rollback();
                throw;
            }
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
            log_info("rapportage counts rebuilt for the policy's reportBy", {{"details", fingerprint}, {"ms", std::to_string(ms)}});
        }
        report_fingerprint_ = fingerprint;
        counted_for_ = details;
    }

    void load_report_fingerprint() {
        auto lease = main_readers_->borrow();
        Stmt exists(lease->db, "SELECT count(*) FROM sqlite_master WHERE name = 'report_setup'");
        const bool there = exists.row() && exists.i64(0) > 0;
        exists.reset();
        if (!there) return;
        Stmt held(lease->db, "SELECT details FROM report_setup WHERE id = 1");
        if (held.row()) report_fingerprint_ = held.str(0);
        held.reset();
        counted_for_ = report_sql::details_of(report_fingerprint_);  // unset (nothing to keep) when none
    }

    void prepare() {
        insert_message_ = Stmt(db_,
                               "INSERT OR IGNORE INTO messages(sender_oin, bericht_id, content_hash, receipt, received_at)"
                               " VALUES(?1,?2,?3,?4,?5)");
        insert_melding_ = Stmt(db_, "INSERT OR IGNORE INTO melding_ids(sender_oin, melding_id) VALUES(?1, ?2)");
        insert_audit_ = Stmt(db_, "INSERT INTO audit(seq, entry, leaf_hash) VALUES(?1, ?2, ?3)");
        insert_node_ = Stmt(db_, "INSERT INTO audit_nodes(level, idx, hash) VALUES(?1, ?2, ?3)");
        insert_head_ = Stmt(db_, "INSERT OR IGNORE INTO audit_heads(size, root, time, signature, key_id) VALUES(?1,?2,?3,?4,?5)");
        insert_ = Stmt(db_,
                       "INSERT INTO records(id, region, region_name, gemeente, berichttype, status, sender_oin, bericht_id, melding_id,"
                       " subject, received_at, legal_basis, purpose, policy_version, retention_until, data, active, intermediary_oin)"
                       " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)");
        insert_history_ = Stmt(db_, "INSERT INTO record_history(record_id, time, event, detail, region) VALUES(?1,?2,?3,?4,?5)");
        move_history_ = Stmt(db_, "UPDATE record_history SET region = ?3 WHERE record_id = ?1 AND region = ?2");
        region_of_active_ = Stmt(db_, "SELECT region FROM records WHERE id = ?1 AND active = 1");
        // Two statements, not one with "id = ?1 OR subject = ?2": an OR keeps SQLite from either
        // index, and a status for a subject then scanned the whole table per record.
        active_by_id_ = Stmt(db_, std::string("SELECT ") + kColumns + " FROM records WHERE id = ?1 AND region = ?2 AND active = 1");
        active_of_subject_in_ =
            Stmt(db_, std::string("SELECT ") + kColumns + " FROM records WHERE subject = ?1 AND active = 1 AND region = ?2 ORDER BY seq");
        active_of_subject_ = Stmt(db_, std::string("SELECT ") + kColumns +
                                           " FROM records WHERE subject = ?1 AND active = 1 AND id <> ?2 AND gemeente = ?5"
                                           " AND (region <> ?3 OR gemeente <> ?4) ORDER BY seq");
        set_status_ = Stmt(db_, "UPDATE records SET status = ?2 WHERE id = ?1 AND region = ?9");
        set_gemeente_ = Stmt(db_, "UPDATE records SET gemeente = ?2 WHERE id = ?1 AND region = ?9");
        tombstone_ = Stmt(db_, "UPDATE records SET active = 0, status = ?3, retention_until = ?2 WHERE id = ?1 AND region = ?9 AND active = 1");
        change_ = Stmt(db_, "UPDATE records SET data = ?2, retention_until = ?3 WHERE id = ?1 AND region = ?9 AND active = 1");
        delete_record_ = Stmt(db_, "DELETE FROM records WHERE id = ?1 AND region = ?9");
        delete_history_ = Stmt(db_, "DELETE FROM record_history WHERE record_id = ?1 AND region = ?9");
        counted_row_ = Stmt(db_, "SELECT received_at, gemeente, berichttype, status, active, data FROM records WHERE id = ?1 AND region = ?9");
        add_count_ = Stmt(db_,
                          "INSERT INTO report_counts(region, day, gemeente, berichttype, status, active, detail, n) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)"
                          " ON CONFLICT DO UPDATE SET n = n + excluded.n");
    }

    // ---- the rapportage's counts, kept by the writer as it changes records ----

    // What a record counts under (report_counts' key), as far as the writer changes it.
    struct Counted {
        std::string region, received_at, gemeente, berichttype, status, data;
        bool active = false;
        std::optional<std::string> detail = {};  // of data, once computed
    };
    using CountKey = std::tuple<std::string, std::string, std::string, std::string, std::string, bool, std::string>;

    void count(Counted& c, std::int64_t delta) {
        if (!counted_for_ || (!c.active && c.data == "null")) return;  // a move's notice is not counted
        if (!c.detail) c.detail = report_sql::detail_of(*counted_for_, c.berichttype, c.data);
        count_deltas_[CountKey{c.region, c.received_at.substr(0, 10), c.gemeente, c.berichttype, c.status, c.active, *c.detail}] += delta;
    }
    void count(Counted&& c, std::int64_t delta) { count(c, delta); }
    static Counted counted_of(const StoredRecord& r) { return {r.region, r.received_at, r.gemeente, r.berichttype, r.status, r.data, r.active}; }

    // The record counted as `c` now counts as `change` makes it.
    template <class Change>
    void shift(Counted& c, Change change) {
        count(c, -1);
        change(c);
        count(c, +1);
    }

    // The stored record as it counts now (nullopt: no such record, or no counts kept).
    std::optional<Counted> counted_row(const std::string& id, const std::string& region) {
        if (!counted_for_) return std::nullopt;
        counted_row_.text(1, id).text(9, region);
        std::optional<Counted> c;
        if (counted_row_.row())
            c = Counted{region,
                        counted_row_.str(0),
                        counted_row_.str(1),
                        counted_row_.str(2),
                        counted_row_.str(3),
                        counted_row_.str(5),
                        counted_row_.i64(4) != 0};
        counted_row_.reset();
        return c;
    }

    // Runs `update` (one statement on the record id/region); when it changed the record, the
    // record counts as `change` makes it instead of as it was.
    template <class Update, class Change>
    void recount(const std::string& id, const std::string& region, Update update, Change change) {
        auto before = counted_row(id, region);
        update();
        if (before && sqlite3_changes(db_) == 1) shift(*before, change);
    }

    // After a statement changed `rec` as read in this transaction: it counts as `change` makes it.
    template <class Change>
    void recount(const StoredRecord& rec, Change change) {
        if (!counted_for_ || sqlite3_changes(db_) != 1) return;
        Counted c = counted_of(rec);
        shift(c, change);
    }

    // Into report_counts, just before the transaction commits.
    void write_counts() {
        for (const auto& [k, n] : count_deltas_) {
            if (n == 0) continue;
            const auto& [region, day, gemeente, berichttype, status, active, detail] = k;
            add_count_.text(1, region).text(2, day).text(3, gemeente).text(4, berichttype).text(5, status).int64(6, active ? 1 : 0).text(7, detail);
            add_count_.int64(8, n).run();
        }
        count_deltas_.clear();
    }

    // ---- the writer (GroupCommit's thread only) ----

    void begin() { sqlite::exec(db_, "BEGIN IMMEDIATE"); }

    void commit() {
        write_counts();
        if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK) return;
        // After a failed fsync nobody can tell whether the commit is on disk, nor can the writer
        // know where the log's edge is; only a restart, reading what is there, can.
        if (sqlite3_extended_errcode(db_) == SQLITE_IOERR_FSYNC) {
            log_error("store.db: fsync failed during commit; stopping so that the restart reads what is on disk", {});
            std::_Exit(70);
        }
        sqlite::fail(db_, "commit");
    }

    void rollback() noexcept {
        count_deltas_.clear();
        if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }

    void insert_record(const StoredRecord& r, const std::string& region, const std::string& region_name, const std::string& gemeente) {
        const std::string* vals[] = {&r.id,         &region,           &region_name,       &gemeente,  &r.berichttype, &r.status,
                                     &r.sender_oin, &r.bericht_id,     &r.melding_id,      &r.subject, &r.received_at, &r.legal_basis,
                                     &r.purpose,    &r.policy_version, &r.retention_until, &r.data};
        for (int i = 0; i < 16; ++i) insert_.text(i + 1, *vals[i]);
        insert_.int64(17, r.active ? 1 : 0).text(18, r.intermediary_oin).run();
        count({region, r.received_at, gemeente, r.berichttype, r.status, r.data, r.active}, +1);
    }

    std::vector<StoredRecord> rows(Stmt& st) {
        std::vector<StoredRecord> found;
        while (st.row()) found.push_back(read_record(st));
        return found;
    }

    // The store as the effects see it, inside the writer's open transaction.
    class Txn final : public RecordTxn {
    public:
        explicit Txn(SqliteStore& s) : s_(s) {}
        void insert(const StoredRecord& r) override { s_.insert_record(r, r.region, r.region_name, r.gemeente); }
        std::optional<std::string> find_active(const std::string& id, const std::string&) override {
            Stmt& st = s_.region_of_active_;
            st.text(1, id);
            std::optional<std::string> region;
            if (st.row()) region = st.str(0);
            st.reset();
            return region;
        }
        std::vector<StoredRecord> active_in_region(const std::string& region, const std::string& id, const std::string& subject) override {
            Stmt& st = id.empty() ? s_.active_of_subject_in_ : s_.active_by_id_;
            st.text(1, id.empty() ? subject : id).text(2, region);
            return s_.rows(st);
        }
        std::vector<StoredRecord> active_of_subject(const std::string& subject, const std::string& gemeente, const std::string& except_id,
                                                    const std::string& to_region, const std::string& to_gemeente) override {
            Stmt& st = s_.active_of_subject_;
            st.text(1, subject).text(2, except_id).text(3, to_region).text(4, to_gemeente).text(5, gemeente);
            return s_.rows(st);
        }
        void set_status(const StoredRecord& rec, const std::string& status) override {
            s_.set_status_.text(1, rec.id).text(2, status).text(9, rec.region).run();
            s_.recount(rec, [&](Counted& c) { c.status = status; });
        }
        void set_gemeente(const StoredRecord& rec, const std::string& gemeente) override {
            s_.set_gemeente_.text(1, rec.id).text(2, gemeente).text(9, rec.region).run();
            s_.recount(rec, [&](Counted& c) { c.gemeente = gemeente; });
        }
        void tombstone(const std::string& id, const std::string& region, const std::string& status, const std::string& until) override {
            s_.recount(
                id, region, [&] { s_.tombstone_.text(1, id).text(2, until).text(3, status).text(9, region).run(); },
                [&](Counted& c) {
                    c.active = false;
                    c.status = status;
                });
        }
        // The row goes and comes back in the other region as its newest; its history goes along.
        void relocate(const StoredRecord& rec, const std::string& to_region, const std::string& to_region_name,
                      const std::string& to_gemeente) override {
            s_.move_history_.text(1, rec.id).text(2, rec.region).text(3, to_region).run();
            s_.delete_record_.text(1, rec.id).text(9, rec.region).run();
            s_.count(counted_of(rec), -1);  // as read
            s_.insert_record(rec, to_region, to_region_name, to_gemeente);
        }
        void change_content(const std::string& id, const std::string& region, const std::string& data, const std::string& until) override {
            s_.recount(
                id, region, [&] { s_.change_.text(1, id).text(2, data).text(3, until).text(9, region).run(); },
                [&](Counted& c) {
                    c.data = data;
                    c.detail.reset();
                });
        }
        void append_history(const std::string& id, const std::string& region, const std::string& time, const char* event,
                            const std::string& detail) override {
            s_.insert_history_.text(1, id).text(2, time).text(3, event).text(4, detail).text(5, region).run();
        }

    private:
        SqliteStore& s_;
    };

    void store(const StoredRecord& r) {
        Txn tx(*this);
        apply_record(tx, r);
    }

    void purge(const PurgeItem& item) {
        delete_history_.text(1, item.id).text(9, item.region).run();
        auto before = counted_row(item.id, item.region);
        delete_record_.text(1, item.id).text(9, item.region).run();
        if (before && sqlite3_changes(db_) == 1) count(*before, -1);
    }

    // Appends a leaf and every complete subtree it closes (RFC 9162 tree, stored incrementally).
    void append_audit(const std::vector<std::string>& entries) {
        const merkle::CompactRange::Visitor persist = [&](unsigned level, std::uint64_t idx, const merkle::Hash& h) {
            insert_node_.int64(1, level).int64(2, static_cast<std::int64_t>(idx)).blob(3, h.data(), 32).run();
        };
        for (const auto& e : entries) {
            const merkle::Hash h = merkle::leaf_hash(e);
            insert_audit_.int64(1, static_cast<std::int64_t>(log_.size() + 1)).text(2, e).blob(3, h.data(), 32).run();
            log_.append(h, persist);
        }
    }

    // Audit retention: the entries below `to` go with their heads and every subtree inside that
    // prefix but its edge (which heads and proofs from `to` on still need).
    void remove_audit_before(std::uint64_t to) {
        Stmt(db_, "DELETE FROM audit WHERE seq <= ?1").int64(1, static_cast<std::int64_t>(to)).run();
        Stmt nodes(db_, "DELETE FROM audit_nodes WHERE level = ?1 AND idx < ?2");
        for (unsigned level = 0; (to >> level) > 0; ++level) {
            const std::uint64_t edge = (to >> level) & 1;  // the prefix's edge node on this level stays
            nodes.int64(1, level).int64(2, static_cast<std::int64_t>((to >> level) - edge)).run();
        }
        Stmt(db_, "DELETE FROM audit_heads WHERE size < ?1").int64(1, static_cast<std::int64_t>(to)).run();
        Stmt(db_, "UPDATE meta SET value = max(value, ?1) WHERE key = 'audit_removed'").int64(1, static_cast<std::int64_t>(to)).run();
    }

    void insert_head(const SignedHead& h) {
        insert_head_.int64(1, static_cast<std::int64_t>(h.size)).text(2, h.root).text(3, h.time).text(4, h.signature).text(5, h.key_id).run();
    }

    // False when (sender, berichtId) is stored already: the request is a duplicate.
    bool insert_message(const MessageRow& m) {
        insert_message_.text(1, m.sender_oin).text(2, m.bericht_id).text(3, m.content_hash).text(4, m.receipt).text(5, m.received_at).run();
        return sqlite3_changes(db_) == 1;
    }

    // False when one of the meldingIds is taken (by an earlier message, or by one before it in
    // this transaction).
    bool insert_melding_ids(const std::string& sender_oin, const std::vector<std::string>& ids) {
        for (const auto& id : ids) {
            insert_melding_.text(1, sender_oin).text(2, id).run();
            if (sqlite3_changes(db_) != 1) return false;
        }
        return true;
    }

    std::vector<CommitResult> commit_group(std::vector<GroupCommit::Pending>& group) {
        std::vector<CommitResult> results(group.size(), CommitResult{true, false, {}});
        const merkle::CompactRange before = log_;
        try {
            begin();
            for (std::size_t i = 0; i < group.size(); ++i) {
                WriteBatch& b = group[i].batch;
                if (b.message) {
                    // Its audit entry is the next leaf: the receipt names and is signed over that index.
                    if (b.message->seal) b.message->seal(log_.size(), b.message->receipt);
                    // The message row and its meldingIds first: a request that finds either taken writes nothing.
                    sqlite::exec(db_, "SAVEPOINT message");
                    if (!insert_message(*b.message)) {
                        sqlite::exec(db_, "ROLLBACK TO message; RELEASE message");
                        results[i] = {false, true, "duplicate berichtId"};
                        continue;
                    }
                    if (!insert_melding_ids(b.message->sender_oin, melding_ids_of(b.records))) {
                        sqlite::exec(db_, "ROLLBACK TO message; RELEASE message");
                        results[i] = {false, false, "meldingId taken", false, true};
                        continue;
                    }
                    sqlite::exec(db_, "RELEASE message");
                    if (b.message->seal) results[i].receipt = std::move(b.message->receipt);  // stored: no copy needed
                }
                for (const auto& r : b.records) store(r);
                if (b.head) insert_head(*b.head);
                for (const auto& p : b.purge) purge(p);
                append_audit(b.audit_entries);
                if (!b.close_audit_period.empty())
                    Stmt(db_, "INSERT OR IGNORE INTO audit_periods(size, closed_at) VALUES(?1, ?2)")
                        .int64(1, static_cast<std::int64_t>(log_.size()))
                        .text(2, b.close_audit_period)
                        .run();
                if (b.remove_audit_before > 0) remove_audit_before(std::min<std::uint64_t>(b.remove_audit_before, log_.size()));
            }
            commit();
        } catch (const std::exception& e) {
            rollback();
            log_ = before;
            for (auto& r : results) r = {false, false, e.what()};
        }
        return results;
    }

    // One large message: its rows as they come, then its audit entry, in one transaction; a
    // refusal or failure rolls the rows back and still audits, in a transaction of its own.
    CommitResult commit_bulk(BulkChannel& bulk) {
        const merkle::CompactRange before = log_;
        std::string error;
        std::vector<std::string> melding_ids;
        try {
            begin();
            while (auto chunk = bulk.next())
                for (const auto& r : *chunk) {
                    store(r);
                    melding_ids.push_back(r.melding_id);
                }
        } catch (const std::exception& e) {
            error = e.what();
            while (bulk.next()) {  // let the request thread finish
            }
        }
        if (bulk.commit && error.empty()) {
            try {
                if (bulk.message && bulk.message->seal) bulk.message->seal(log_.size(), bulk.message->receipt);
                if (bulk.message && !insert_message(*bulk.message)) {
                    rollback();
                    return {false, true, "duplicate berichtId"};  // the caller answers from what is stored, and audits that
                }
                if (bulk.message && !insert_melding_ids(bulk.message->sender_oin, melding_ids)) {
                    rollback();
                    return {false, false, "meldingId taken", false, true};  // the caller judges the message again, and audits that
                }
                append_audit(bulk.audit);
                commit();
                CommitResult ok{true, false, {}};
                if (bulk.message && bulk.message->seal) ok.receipt = std::move(bulk.message->receipt);  // stored: no copy needed
                return ok;
            } catch (const std::exception& e) {
                error = e.what();
            }
        }
        rollback();
        log_ = before;
        CommitResult result{!bulk.commit, false, error};
        if (bulk.audit.empty()) return result;
        try {
            begin();
            append_audit(bulk.audit);
            commit();
        } catch (const std::exception& e) {
            rollback();
            log_ = before;
            return {false, false, e.what()};
        }
        return result;
    }

    void load_log_state() {
        Stmt count(db_, kSizeSql);
        const auto size = count.row() ? static_cast<std::uint64_t>(count.i64(0)) : 0;
        count.reset();
        Stmt node(db_, "SELECT hash FROM audit_nodes WHERE level = ?1 AND idx = ?2");
        std::vector<merkle::Hash> edge;
        for (const auto& ref : merkle::CompactRange::edge_of(size)) {
            node.int64(1, ref.level).int64(2, static_cast<std::int64_t>(ref.index));
            const unsigned char* h = node.row() ? node.hash32(0) : nullptr;
            if (!h) throw StoreError("audit log: a stored subtree is missing; run audit verify");
            std::copy_n(h, 32, edge.emplace_back().begin());
            node.reset();
        }
        log_ = merkle::CompactRange(size, std::move(edge));
    }

    void close_files() {
        writer_.reset();
        for (Stmt* s :
             {&insert_message_, &insert_melding_,   &insert_audit_,  &insert_node_,          &insert_head_,       &insert_,     &insert_history_,
              &move_history_,   &region_of_active_, &active_by_id_,  &active_of_subject_in_, &active_of_subject_, &set_status_, &set_gemeente_,
              &tombstone_,      &change_,           &delete_record_, &delete_history_,       &counted_row_,       &add_count_})
            *s = Stmt();
        sqlite3_close(db_);
        db_ = nullptr;
        readers_ = nullptr;
        main_readers_.reset();
        if (lock_fd_ >= 0) ::close(lock_fd_);
        lock_fd_ = -1;
    }

    int lock_fd_ = -1;  // flock()ed while this store writes
    // Writer state: the writer's connection and statements, the Merkle frontier.
    sqlite3* db_ = nullptr;
    Stmt insert_message_, insert_melding_, insert_audit_, insert_node_, insert_head_, insert_, insert_history_, move_history_, region_of_active_,
        active_by_id_, active_of_subject_in_, active_of_subject_, set_status_, set_gemeente_, tombstone_, change_, delete_record_, delete_history_,
        counted_row_, add_count_;
    std::optional<ReportDetails> counted_for_;       // the details report_counts is kept for (unset: none kept)
    std::map<CountKey, std::int64_t> count_deltas_;  // this transaction's changes to report_counts
    merkle::CompactRange log_;                       // the audit log's right edge, as committed (or being committed)
    std::unique_ptr<GroupCommit> writer_;
    std::unique_ptr<Checkpointer> checkpointer_;
};

}  // namespace

std::unique_ptr<RecordStore> open_sqlite_store(const std::filesystem::path& dir, const StoreOptions& options) {
    return std::make_unique<SqliteStore>(dir, options);
}

}  // namespace dg
