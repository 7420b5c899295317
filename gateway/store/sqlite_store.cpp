// The embedded store: DIR/audit.db holds the audit log, the accepted messages and the commit
// counter; DIR/region-<code>.db holds one Doorstroompunt region's records and their history. Every
// file is SQLite in WAL mode with synchronous=FULL.
//
// WAL commits are atomic per file, not across files, so one transaction T is committed in two
// steps: first every region file it touched (each remembering T), then audit.db, which records T
// as committed. audit.db decides: a region change of a transaction that audit.db did not commit
// is undone, right away when the commit fails, or at the next start after a crash. For that each
// region file keeps, within T, the rows T created (created_txn / txn = T) and the before-image of
// every row T changed or deleted (undo_records, undo_history), dropped once audit.db has T.
#include "store/sqlite_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "audit/merkle.hpp"
#include "core/identifiers.hpp"
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
        const auto main_file = dir / "audit.db";
        if (options_.read_only) {
            if (!std::filesystem::exists(main_file)) throw std::runtime_error("no store at " + main_file.string());
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
        }
        main_readers_ = readers_of(main_file, options_.readers, options_.read_only);
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            const std::string name = entry.path().filename().string();
            if (name.rfind("region-", 0) == 0 && name.size() > 10 && name.ends_with(".db")) known_regions_.insert(name.substr(7, name.size() - 10));
        }
        if (options_.read_only) {
            visible_txn_ = INT64_MAX;
            return;
        }
        main_ = sqlite::open(main_file, false);
        try {
            configure_writer(main_);
            check_schema_version();
            sqlite::exec(main_, kMainSchema);
            sqlite::exec(main_, ("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
            insert_message_ = Stmt(main_,
                                   "INSERT OR IGNORE INTO messages(sender_oin, bericht_id, content_hash, receipt, received_at)"
                                   " VALUES(?1,?2,?3,?4,?5)");
            insert_melding_ = Stmt(main_, "INSERT OR IGNORE INTO melding_ids(sender_oin, melding_id) VALUES(?1, ?2)");
            insert_audit_ = Stmt(main_, "INSERT INTO audit(seq, entry, leaf_hash) VALUES(?1, ?2, ?3)");
            insert_node_ = Stmt(main_, "INSERT INTO audit_nodes(level, idx, hash) VALUES(?1, ?2, ?3)");
            insert_head_ = Stmt(main_, "INSERT OR IGNORE INTO audit_heads(size, root, time, signature, key_id) VALUES(?1,?2,?3,?4,?5)");
            set_txn_ = Stmt(main_, "UPDATE meta SET value = ?1 WHERE key = 'txn'");
            {
                Stmt t(main_, "SELECT value FROM meta WHERE key = 'txn'");
                txn_ = t.row() ? t.i64(0) : 0;
                t.reset();
            }
            load_log_state();
            // A crash between a region file's commit and audit.db's leaves changes audit.db never
            // committed: take them back before anything reads them.
            for (const auto& code : known_regions_) {
                RegionFile& r = region(code);
                if (r.last_txn() > txn_) {
                    log_warn("store recovery: undoing an uncommitted transaction", {{"region", code}});
                    r.undo_after(txn_);
                }
            }
        } catch (...) {
            close_files();
            throw;
        }
        visible_txn_ = txn_;
        writer_ = std::make_unique<GroupCommit>(
            options_.max_group, options_.max_queue, [this](std::vector<GroupCommit::Pending>& g) { return commit_group(g); },
            [this](BulkChannel& b) { return commit_bulk(b); });
        checkpointer_ = std::make_unique<Checkpointer>([this] {
            std::vector<std::filesystem::path> files{dir_ / "audit.db"};
            for (const auto& code : regions_now()) files.push_back(dir_ / region_file_name(code));
            return files;
        });
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
        Stmt st(lease->db, "SELECT content_hash, receipt, received_at FROM messages WHERE sender_oin = ?1 AND bericht_id = ?2");
        st.text(1, sender_oin).text(2, bericht_id);
        if (!st.row()) return std::nullopt;
        MessageRow m{sender_oin, bericht_id, st.str(0), st.str(1), st.str(2)};
        st.reset();
        return m;
    }

    std::vector<std::string> melding_ids_taken(const std::string& sender_oin, const std::vector<std::string>& ids) override {
        std::vector<std::string> out;
        auto lease = main_readers_->borrow();
        Stmt st(lease->db, "SELECT 1 FROM melding_ids WHERE sender_oin = ?1 AND melding_id = ?2");
        for (const auto& id : ids) {
            st.text(1, sender_oin).text(2, id);
            if (st.row()) out.push_back(id);
            st.reset();
        }
        return out;
    }

private:
    void check_schema_version() {
        Stmt v(main_, "PRAGMA user_version");
        const int version = v.row() ? static_cast<int>(v.i64(0)) : 0;
        v.reset();
        Stmt t(main_, "SELECT count(*) FROM sqlite_master WHERE name = 'audit'");
        const bool existing = t.row() && t.i64(0) > 0;
        t.reset();
        if (existing && version != kSchemaVersion)
            throw std::runtime_error((dir_ / "audit.db").string() + ": store schema " + std::to_string(version) + " is not this gateway's (" +
                                     std::to_string(kSchemaVersion) + ")");
    }

    // ---- the writer (GroupCommit's thread only) ----

    RegionFile& region(const std::string& code) {
        auto it = regions_.find(code);
        if (it != regions_.end()) return *it->second;
        if (!region_code_valid(code)) throw std::runtime_error("region code not usable as a file name");
        auto file = std::make_unique<RegionFile>(dir_ / region_file_name(code), code);
        RegionFile& r = *file;
        regions_.emplace(code, std::move(file));
        std::lock_guard lock(regions_mu_);
        known_regions_.insert(code);
        return r;
    }

    // The region file, in transaction `txn_ + 1` (opened, recovered and begun as needed).
    RegionFile& touch(const std::string& code) {
        RegionFile& r = region(code);
        if (r.in_txn) return r;
        if (r.needs_recovery) {
            r.undo_after(txn_);
            r.needs_recovery = false;
        }
        sqlite::exec(r.db, "BEGIN IMMEDIATE");
        r.in_txn = true;
        if (r.undo_rows) {
            sqlite::exec(r.db, "DELETE FROM undo_records; DELETE FROM undo_history;");  // all of committed transactions
            r.undo_rows = false;
        }
        r.set_txn.int64(1, txn_ + 1).run();
        return r;
    }

    void begin_main() {
        sqlite::exec(main_, "BEGIN IMMEDIATE");
        for (auto& [code, r] : regions_)
            if (r->needs_recovery) touch(code);  // an undo left over from a failed commit comes first
    }

    // Commits the transaction: the region files, then audit.db, which makes it count.
    void commit_txn() {
        const std::int64_t t = txn_ + 1;
        set_txn_.int64(1, t).run();
        for (auto& [code, r] : regions_) {
            if (!r->in_txn) continue;
            if (sqlite3_exec(r->db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) sqlite::fail(r->db, "commit " + code);
            r->in_txn = false;
            r->committed = true;
        }
        const int rc = sqlite3_exec(main_, "COMMIT", nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK) {
            // After a failed fsync nobody can tell whether audit.db's commit is on disk; only a
            // restart, reading what is there, can make the region files agree with it.
            if (sqlite3_extended_errcode(main_) == SQLITE_IOERR_FSYNC) {
                log_error("audit.db: fsync failed during commit; stopping so that recovery at start decides", {});
                std::_Exit(70);
            }
            sqlite::fail(main_, "commit audit.db");
        }
        txn_ = t;
        visible_txn_.store(t);
        for (auto& [code, r] : regions_) {
            if (r->committed) r->undo_rows = true;
            r->committed = false;
        }
    }

    // Takes back everything of the transaction that failed, in every file.
    void abort_txn() noexcept {
        for (auto& [code, r] : regions_) {
            if (r->in_txn) sqlite3_exec(r->db, "ROLLBACK", nullptr, nullptr, nullptr);
            r->in_txn = false;
            if (r->committed) {
                try {
                    r->undo_after(txn_);
                } catch (const std::exception& e) {
                    r->needs_recovery = true;
                    log_error("store: cannot undo a failed transaction yet; will retry", {{"region", code}, {"reason", e.what()}});
                }
            }
            r->committed = false;
        }
        if (!sqlite3_get_autocommit(main_)) sqlite3_exec(main_, "ROLLBACK", nullptr, nullptr, nullptr);
    }

    void insert_record(RegionFile& f, const StoredRecord& r, const std::string& region, const std::string& region_name, const std::string& gemeente,
                       bool active) {
        const std::string* vals[] = {&r.id,         &region,           &region_name,       &gemeente,  &r.berichttype, &r.status,
                                     &r.sender_oin, &r.bericht_id,     &r.melding_id,      &r.subject, &r.received_at, &r.legal_basis,
                                     &r.purpose,    &r.policy_version, &r.retention_until, &r.data};
        f.insert.text(1, r.id).int64(2, txn_ + 1);
        for (int i = 1; i < 16; ++i) f.insert.text(i + 2, *vals[i]);
        f.insert.int64(18, active ? 1 : 0).text(19, r.intermediary_oin).run();
    }

    void history_event(RegionFile& f, const std::string& id, const std::string& time, const char* event, const std::string& detail) {
        f.insert_history.text(1, id).int64(2, txn_ + 1).text(3, time).text(4, event).text(5, detail).run();
    }

    void save(RegionFile& f, const std::string& id, bool with_history) {
        f.save_record.text(1, id).int64(2, txn_ + 1).run();
        if (with_history) f.save_history.text(1, id).int64(2, txn_ + 1).run();
    }

    // The region file holding an active record with this id, looking in `hint` first.
    RegionFile* holding(const std::string& id, const std::string& hint, bool active_only) {
        auto has = [&](RegionFile& f) {
            Stmt& st = active_only ? f.is_active : f.find;
            st.text(1, id);
            const bool found = st.row();
            st.reset();
            return found;
        };
        if (regions_.contains(hint) && has(*regions_.at(hint))) return regions_.at(hint).get();
        for (auto& [code, f] : regions_)
            if (code != hint && has(*f)) return f.get();
        return nullptr;
    }

    // The region files as the effects see them, inside the writer's transaction `txn_ + 1`: every
    // change first saves the row's before-image (undone should audit.db not commit).
    class Txn final : public RecordTxn {
    public:
        explicit Txn(SqliteStore& s) : s_(s) {}
        void insert(const StoredRecord& r) override { s_.insert_record(s_.touch(r.region), r, r.region, r.region_name, r.gemeente, r.active); }
        std::optional<std::string> find_active(const std::string& id, const std::string& hint) override {
            if (RegionFile* f = s_.holding(id, hint, true)) return f->code;
            return std::nullopt;
        }
        std::vector<StoredRecord> active_in_region(const std::string& region, const std::string& id, const std::string& subject) override {
            RegionFile& f = s_.touch(region);
            std::vector<StoredRecord> found;
            Stmt& st = id.empty() ? f.active_of_subject : f.active_by_id;
            st.text(1, id.empty() ? subject : id);
            while (st.row()) found.push_back(read_record(st));
            return found;
        }
        std::vector<StoredRecord> active_of_subject(const std::string& subject, const std::string& gemeente, const std::string& except_id,
                                                    const std::string& to_region, const std::string& to_gemeente) override {
            std::vector<StoredRecord> found;
            for (auto& [code, f] : s_.regions_) {
                f->of_subject.text(1, subject).text(2, except_id).text(3, to_region).text(4, to_gemeente).text(5, gemeente);
                while (f->of_subject.row()) found.push_back(read_record(f->of_subject));
            }
            return found;
        }
        void set_status(const std::string& id, const std::string& region, const std::string& status) override {
            RegionFile& f = s_.touch(region);
            s_.save(f, id, false);
            f.set_status.text(1, id).text(2, status).run();
        }
        void set_gemeente(const std::string& id, const std::string& region, const std::string& gemeente) override {
            RegionFile& f = s_.touch(region);
            s_.save(f, id, false);
            f.set_gemeente.text(1, id).text(2, gemeente).run();
        }
        void tombstone(const std::string& id, const std::string& region, const std::string& status, const std::string& until) override {
            RegionFile& f = s_.touch(region);
            s_.save(f, id, false);
            f.tombstone.text(1, id).text(2, until).text(3, status).run();
        }
        // The record and its history leave their file (before-images kept) and arrive in the other.
        void relocate(const StoredRecord& rec, const std::string& to_region, const std::string& to_region_name,
                      const std::string& to_gemeente) override {
            RegionFile& from = s_.touch(rec.region);
            std::vector<HistoryEvent> events;
            from.history_rows.text(1, rec.id);
            while (from.history_rows.row()) events.push_back({from.history_rows.str(0), from.history_rows.str(1), from.history_rows.str(2)});
            s_.save(from, rec.id, true);
            from.delete_history.text(1, rec.id).run();
            from.delete_record.text(1, rec.id).run();
            RegionFile& to = s_.touch(to_region);
            s_.insert_record(to, rec, to_region, to_region_name, to_gemeente, true);
            for (const auto& e : events) s_.history_event(to, rec.id, e.time, e.event.c_str(), e.detail);
        }
        void change_content(const std::string& id, const std::string& region, const std::string& data, const std::string& until) override {
            RegionFile& f = s_.touch(region);
            s_.save(f, id, false);
            f.change.text(1, id).text(2, data).text(3, until).run();
        }
        void append_history(const std::string& id, const std::string& region, const std::string& time, const char* event,
                            const std::string& detail) override {
            s_.history_event(s_.touch(region), id, time, event, detail);
        }

    private:
        SqliteStore& s_;
    };

    void store(const StoredRecord& r) {
        Txn tx(*this);
        apply_record(tx, r);
    }

    void purge(const PurgeItem& item) {
        RegionFile* f = holding(item.id, item.region, false);
        if (!f) return;  // gone already
        touch(f->code);
        save(*f, item.id, true);
        f->delete_history.text(1, item.id).run();
        f->delete_record.text(1, item.id).run();
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
        Stmt(main_, "DELETE FROM audit WHERE seq <= ?1").int64(1, static_cast<std::int64_t>(to)).run();
        Stmt nodes(main_, "DELETE FROM audit_nodes WHERE level = ?1 AND idx < ?2");
        for (unsigned level = 0; (to >> level) > 0; ++level) {
            const std::uint64_t edge = (to >> level) & 1;  // the prefix's edge node on this level stays
            nodes.int64(1, level).int64(2, static_cast<std::int64_t>((to >> level) - edge)).run();
        }
        Stmt(main_, "DELETE FROM audit_heads WHERE size < ?1").int64(1, static_cast<std::int64_t>(to)).run();
        Stmt(main_, "UPDATE meta SET value = max(value, ?1) WHERE key = 'audit_removed'").int64(1, static_cast<std::int64_t>(to)).run();
    }

    void insert_head(const SignedHead& h) {
        insert_head_.int64(1, static_cast<std::int64_t>(h.size)).text(2, h.root).text(3, h.time).text(4, h.signature).text(5, h.key_id).run();
    }

    // False when (sender, berichtId) is stored already: the request is a duplicate.
    bool insert_message(const MessageRow& m) {
        insert_message_.text(1, m.sender_oin).text(2, m.bericht_id).text(3, m.content_hash).text(4, m.receipt).text(5, m.received_at).run();
        return sqlite3_changes(main_) == 1;
    }

    // False when one of the meldingIds is taken (by an earlier message, or by one before it in
    // this transaction).
    bool insert_melding_ids(const std::string& sender_oin, const std::vector<std::string>& ids) {
        for (const auto& id : ids) {
            insert_melding_.text(1, sender_oin).text(2, id).run();
            if (sqlite3_changes(main_) != 1) return false;
        }
        return true;
    }

    std::vector<CommitResult> commit_group(std::vector<GroupCommit::Pending>& group) {
        std::vector<CommitResult> results(group.size(), CommitResult{true, false, {}});
        const merkle::CompactRange before = log_;
        try {
            begin_main();
            for (std::size_t i = 0; i < group.size(); ++i) {
                WriteBatch& b = group[i].batch;
                if (b.message) {
                    // Its audit entry is the next leaf: the receipt names and is signed over that index.
                    if (b.message->seal) b.message->seal(log_.size(), b.message->receipt);
                    // The message row and its meldingIds first: a request that finds either taken writes nothing.
                    sqlite::exec(main_, "SAVEPOINT message");
                    if (!insert_message(*b.message)) {
                        sqlite::exec(main_, "ROLLBACK TO message; RELEASE message");
                        results[i] = {false, true, "duplicate berichtId"};
                        continue;
                    }
                    if (!insert_melding_ids(b.message->sender_oin, melding_ids_of(b.records))) {
                        sqlite::exec(main_, "ROLLBACK TO message; RELEASE message");
                        results[i] = {false, false, "meldingId taken", false, true};
                        continue;
                    }
                    sqlite::exec(main_, "RELEASE message");
                    if (b.message->seal) results[i].receipt = std::move(b.message->receipt);  // stored: no copy needed
                }
                for (const auto& r : b.records) store(r);
                if (b.head) insert_head(*b.head);
                for (const auto& p : b.purge) purge(p);
                append_audit(b.audit_entries);
                if (!b.close_audit_period.empty())
                    Stmt(main_, "INSERT OR IGNORE INTO audit_periods(size, closed_at) VALUES(?1, ?2)")
                        .int64(1, static_cast<std::int64_t>(log_.size()))
                        .text(2, b.close_audit_period)
                        .run();
                if (b.remove_audit_before > 0) remove_audit_before(std::min<std::uint64_t>(b.remove_audit_before, log_.size()));
            }
            commit_txn();
        } catch (const std::exception& e) {
            abort_txn();
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
                begin_main();
                if (bulk.message && bulk.message->seal) bulk.message->seal(log_.size(), bulk.message->receipt);
                if (bulk.message && !insert_message(*bulk.message)) {
                    abort_txn();
                    log_ = before;
                    return {false, true, "duplicate berichtId"};  // the caller answers from what is stored, and audits that
                }
                if (bulk.message && !insert_melding_ids(bulk.message->sender_oin, melding_ids)) {
                    abort_txn();
                    log_ = before;
                    return {false, false, "meldingId taken", false, true};  // the caller judges the message again, and audits that
                }
                append_audit(bulk.audit);
                commit_txn();
                CommitResult ok{true, false, {}};
                if (bulk.message && bulk.message->seal) ok.receipt = std::move(bulk.message->receipt);  // stored: no copy needed
                return ok;
            } catch (const std::exception& e) {
                error = e.what();
            }
        }
        abort_txn();
        log_ = before;
        CommitResult result{!bulk.commit, false, error};
        if (bulk.audit.empty()) return result;
        try {
            begin_main();
            append_audit(bulk.audit);
            commit_txn();
        } catch (const std::exception& e) {
            abort_txn();
            log_ = before;
            return {false, false, e.what()};
        }
        return result;
    }

    void load_log_state() {
        Stmt count(main_, kSizeSql);
        const auto size = count.row() ? static_cast<std::uint64_t>(count.i64(0)) : 0;
        count.reset();
        Stmt node(main_, "SELECT hash FROM audit_nodes WHERE level = ?1 AND idx = ?2");
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
        regions_.clear();
        for (Stmt* s : {&insert_message_, &insert_melding_, &insert_audit_, &insert_node_, &insert_head_, &set_txn_}) *s = Stmt();
        sqlite3_close(main_);
        main_ = nullptr;
        region_readers_.clear();
        main_readers_.reset();
        if (lock_fd_ >= 0) ::close(lock_fd_);
        lock_fd_ = -1;
    }

    int lock_fd_ = -1;  // flock()ed while this store writes
    // Writer state: audit.db, the region files, the last committed transaction, the Merkle frontier.
    sqlite3* main_ = nullptr;
    Stmt insert_message_, insert_melding_, insert_audit_, insert_node_, insert_head_, set_txn_;
    std::map<std::string, std::unique_ptr<RegionFile>> regions_;
    std::int64_t txn_ = 0;
    merkle::CompactRange log_;  // the audit log's right edge, as committed (or being committed)
    std::unique_ptr<GroupCommit> writer_;
    std::unique_ptr<Checkpointer> checkpointer_;
};

}  // namespace

std::unique_ptr<RecordStore> open_sqlite_store(const std::filesystem::path& dir, const StoreOptions& options) {
    return std::make_unique<SqliteStore>(dir, options);
}

}  // namespace dg
