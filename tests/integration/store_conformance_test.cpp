// One conformance suite for every RecordStore: each case runs against SQLite (a temp dir) and
// PostgreSQL (a fresh schema in the test cluster), through the interface only. Cases that only
// one store can have (row-level security, several writers, crash recovery) follow at the end.
#include <sqlite3.h>
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <atomic>
#include <bitset>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <rapidjson/document.h>

#include "app/audit_verify.hpp"
#include "app/purge.hpp"
#include "audit/audit_entry.hpp"
#include "audit/merkle.hpp"
#include "store/group_commit.hpp"
#include "store/record_store.hpp"
#include "store/sqlite_store.hpp"
#include "store_under_test.hpp"

using namespace dg;
using test::StoreKind;
using test::TestStore;

namespace {

struct Sqlite {
    static constexpr StoreKind kind = StoreKind::Sqlite;
};
struct Postgres {
    static constexpr StoreKind kind = StoreKind::Postgres;
};
using Backends = boost::mpl::list<Sqlite, Postgres>;

struct Region {
    const char* code;
    const char* name;
    const char* gemeente;
};
const Region kAmsterdam{"90", "Amsterdam-Diemen (test)", "0363"};
const Region kRijnmond{"91", "Rijnmond (test)", "0599"};

std::atomic<int> counter{0};  // record ids; test threads take them concurrently

// "K" + n, written so that g++ 12 does not warn (-Wrestrict false positive on "literal" + string).
std::string tag(const char* prefix, long n) {
    std::string s(prefix);
    s += std::to_string(n);
    return s;
}

std::string new_id() {
    char buf[33];
    std::snprintf(buf, sizeof buf, "%032x", ++counter);
    return std::string(buf);
}

StoredRecord record(const Region& region, const std::string& subject, const std::string& melding_id,
                    const std::string& berichttype = "verzuimmelding") {
    StoredRecord r;
    r.id = new_id();
    r.region = region.code;
    r.region_name = region.name;
    r.gemeente = region.gemeente;
    r.berichttype = berichttype;
    r.status = "geregistreerd";
    r.sender_oin = "00000099000000000201";
    r.bericht_id = "B-" + melding_id;
    r.melding_id = melding_id;
    r.subject = subject;
    r.received_at = "2026-11-23T09:15:00.000Z";
    r.legal_basis = "Leerplichtwet 1969 art. 21";
    r.purpose = "dg-va-verzuimaanpak";
    r.policy_version = "sha256:test";
    r.retention_until = "2031-11-23";
    r.data = R"({"meldingId":")" + melding_id + R"(","toelichting":"een \"citaat\" en \\ backslash"})";
    return r;
}

std::string entry(const std::string& what) {
    AuditEvent e;
    e.time = "2026-11-23T09:15:00.000Z";
    e.action = "POST /v1/berichten";
    e.party_oin = "00000099000000000201";
    e.outcome = "allowed";
    e.status = 202;
    e.trace_id = what;
    return canonical_json(std::move(e));
}

CommitResult commit(RecordStore& s, WriteBatch b) {
    std::promise<CommitResult> p;
    auto f = p.get_future();
    s.submit(std::move(b), [&p](const CommitResult& c) { p.set_value(c); });
    return f.get();
}

WriteBatch batch(std::vector<StoredRecord> records, const std::string& audit_text, std::optional<MessageRow> message = {}) {
    WriteBatch b;
    b.records = std::move(records);
    b.audit_entries.push_back(audit_text);
    b.message = std::move(message);
    return b;
}

MessageRow message(const std::string& bericht_id, const std::string& hash = "h1") {
    return {"00000099000000000201", bericht_id, hash, R"({"berichtId":")" + bericht_id + R"("})", "2026-11-23T09:15:00.000Z"};
}

std::vector<std::string> ids(const std::vector<StoredRecord>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) out.push_back(r.id);
    return out;
}

// Every stored entry and subtree, read as audit verify reads them, against a tree computed here.
void check_log(RecordStore& s, const std::vector<std::string>& expected) {
    AuditLog& log = s.audit();
    BOOST_TEST(log.committed_size() == expected.size());
    merkle::MemoryTree tree;
    std::uint64_t n = 0;
    log.scan_entries([&](const AuditLog::StoredLeaf& l) {
        BOOST_TEST(l.index == n);
        BOOST_TEST(std::string(l.entry) == expected[n]);
        const merkle::Hash h = merkle::leaf_hash(expected[n]);
        BOOST_TEST((l.leaf && std::equal(h.begin(), h.end(), l.leaf)));
        tree.append(h);
        ++n;
        return true;
    });
    BOOST_TEST(n == expected.size());
    std::uint64_t nodes = 0;
    log.scan_nodes([&](const AuditLog::StoredNode& node) {
        const merkle::Hash h = tree.node(node.level, node.index);
        BOOST_TEST((node.hash && std::equal(h.begin(), h.end(), node.hash)));
        ++nodes;
        return true;
    });
    BOOST_TEST(nodes == 2 * expected.size() - std::bitset<64>(expected.size()).count());  // every complete subtree
    if (!expected.empty()) {
        auto source = log.nodes();
        BOOST_TEST(merkle::hex(merkle::root(*source, expected.size())) == merkle::hex(merkle::root(tree, expected.size())));
    }
}

// The rapportage counted here from the records themselves (every one of the region, read back
// with the tombstones and notices): "gemeente/type/status/detail: nieuw afgesloten actief".
std::set<std::string> counted_here(RecordStore& s, const Region& region, const ReportDetails& details, const std::string& day) {
    CaseloadQuery q;
    q.region = region.code;
    q.include_inactive = true;
    q.limit = 1000;
    std::map<std::string, std::array<std::uint64_t, 3>> cells;
    for (const auto& r : s.caseload(q).items) {
        if (!r.active && r.data == "null") continue;  // a notice a move left
        if (r.received_at.rfind(day, 0) != 0) continue;
        std::string detail;
        for (const auto& [type, field] : details)
            if (type == r.berichttype) {
                rapidjson::Document d;
                d.Parse(r.data.c_str());
                if (d.IsObject() && d.HasMember(field.c_str())) detail = d[field.c_str()].GetString();
            }
        auto& c = cells[r.gemeente + "/" + r.berichttype + "/" + r.status + "/" + detail];
        ++c[0];
        c[1] += !r.active || r.status == "afgesloten";
        c[2] += r.active;
    }
    std::set<std::string> out;
    for (const auto& [k, c] : cells) out.insert(k + ": " + std::to_string(c[0]) + " " + std::to_string(c[1]) + " " + std::to_string(c[2]));
    return out;
}

std::set<std::string> reported(RecordStore& s, const Region& region, const ReportDetails& details, const std::string& from, const std::string& to) {
    RecordStore::ReportQuery q;
    q.region = region.code;
    q.from = from;
    q.to = to;
    q.details = details;
    q.closed_statuses = {"afgesloten"};
    std::set<std::string> out;
    for (const auto& r : s.report(q))
        out.insert(r.gemeente + "/" + r.berichttype + "/" + r.status + "/" + r.detail + ": " + std::to_string(r.received) + " " +
                   std::to_string(r.closed) + " " + std::to_string(r.active));
    return out;
}

template <class Backend>
struct Fixture {
    TestStore where{Backend::kind};
    std::unique_ptr<RecordStore> store = open_store(where.url());
    std::vector<std::string> audit;  // what the log should hold

    CommitResult put(std::vector<StoredRecord> records, std::optional<MessageRow> m = {}) {
        audit.push_back(entry(tag("e", static_cast<long>(audit.size()))));
        const CommitResult r = commit(*store, batch(std::move(records), audit.back(), std::move(m)));
        if (!r.ok) audit.pop_back();
        return r;
    }
    std::vector<StoredRecord> caseload(const Region& region, std::size_t limit = 100) {
        CaseloadQuery q;
        q.region = region.code;
        q.limit = limit;
        return store->caseload(q).items;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(store_conformance)

BOOST_AUTO_TEST_CASE_TEMPLATE(committed_records_are_read_per_region_and_audited, B, Backends) {
    Fixture<B> f;
    const auto a = record(kAmsterdam, "ps:a", "M1"), b = record(kAmsterdam, "ps:b", "M2"), c = record(kRijnmond, "ps:c", "M3");
    BOOST_TEST(f.put({a, b, c}, message("B1")).ok);
    const auto ams = f.caseload(kAmsterdam);
    BOOST_TEST((ids(ams) == std::vector<std::string>{b.id, a.id}));  // newest first
    BOOST_TEST(ams[0].data == b.data);                               // stored byte for byte
    BOOST_TEST(ams[0].subject == "ps:b");
    BOOST_TEST((ids(f.caseload(kRijnmond)) == std::vector<std::string>{c.id}));
    BOOST_TEST(f.store->find_record(a.id, "90").has_value());
    BOOST_TEST(!f.store->find_record(a.id, "91").has_value());  // another region's record does not exist there
    BOOST_TEST(!f.store->find_record(c.id, "90").has_value());
    BOOST_TEST(f.store->find_by_melding_id("M3").size() == 1u);
    BOOST_TEST(ids(f.store->records_of_subject("ps:a", "90")) == std::vector<std::string>{a.id});
    BOOST_TEST(f.store->records_of_subject("ps:a", "91").empty());
    const auto m = f.store->find_message("00000099000000000201", "B1");
    BOOST_REQUIRE(m.has_value());
    BOOST_TEST(m->receipt == R"({"berichtId":"B1"})");
    const auto summary = f.store->summary("90");
    BOOST_REQUIRE(summary.size() == 1u);
    BOOST_TEST(summary[0].count == 2u);
    BOOST_TEST(summary[0].gemeente == "0363");
    check_log(*f.store, f.audit);
    BOOST_TEST(f.store->ready());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_message_id_is_stored_once, B, Backends) {
    Fixture<B> f;
    BOOST_TEST(f.put({record(kAmsterdam, "ps:a", "M1")}, message("B1")).ok);
    // Again later, and twice within one group: only the first copy is kept.
    const CommitResult again = commit(*f.store, batch({record(kAmsterdam, "ps:a", "M1")}, entry("x"), message("B1", "h2")));
    BOOST_TEST(!again.ok);
    BOOST_TEST(again.duplicate);
    std::promise<CommitResult> p1, p2;
    f.store->submit(batch({record(kAmsterdam, "ps:b", "M2")}, entry("y1"), message("B2")), [&](const CommitResult& c) { p1.set_value(c); });
    f.store->submit(batch({record(kAmsterdam, "ps:b", "M2")}, entry("y2"), message("B2")), [&](const CommitResult& c) { p2.set_value(c); });
    const auto r1 = p1.get_future().get(), r2 = p2.get_future().get();
    BOOST_TEST(r1.ok != r2.ok);
    BOOST_TEST((r1.duplicate || r2.duplicate));
    f.audit.push_back(r1.ok ? entry("y1") : entry("y2"));
    BOOST_TEST(f.caseload(kAmsterdam).size() == 2u);
    BOOST_TEST(f.store->find_message("00000099000000000201", "B1")->content_hash == "h1");
    check_log(*f.store, f.audit);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(concurrent_requests_are_group_committed_into_one_dense_log, B, Backends) {
    Fixture<B> f;
    constexpr int kThreads = 4, kEach = 60;
    std::vector<std::thread> threads;
    std::mutex mu;
    std::vector<std::string> committed, errors;  // asserted on this thread: Boost.Test is not thread-safe
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                const std::string text = entry(tag("t", t * 1000 + i));
                const auto r = commit(*f.store, batch({record(i % 2 ? kAmsterdam : kRijnmond, "ps:x", tag("T", t * 1000 + i))}, text,
                                                      message(tag("C", t * 1000 + i))));
                std::lock_guard lock(mu);
                if (r.ok) committed.push_back(text);
                else errors.push_back(r.error);
            }
        });
    for (auto& t : threads) t.join();
    BOOST_TEST(errors.empty(), (errors.empty() ? "" : errors.front()));
    BOOST_TEST(f.caseload(kAmsterdam, 500).size() + f.caseload(kRijnmond, 500).size() == std::size_t(kThreads * kEach));
    // The log's order is the store's; every committed entry is in it exactly once.
    std::vector<std::string> stored;
    f.store->audit().scan_entries([&](const AuditLog::StoredLeaf& l) {
        stored.emplace_back(l.entry);
        return true;
    });
    BOOST_TEST((std::multiset<std::string>(stored.begin(), stored.end()) == std::multiset<std::string>(committed.begin(), committed.end())));
    check_log(*f.store, stored);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(caseload_filters_and_a_cursor_that_holds_while_records_arrive, B, Backends) {
    Fixture<B> f;
    std::vector<std::string> first;
    for (int i = 0; i < 25; ++i) {
        auto r = record(kAmsterdam, tag("ps:", i), tag("P", i), i % 5 ? "verzuimmelding" : "vsv-melding");
        if (i % 3 == 0) r.gemeente = "0384";
        first.insert(first.begin(), r.id);
        BOOST_TEST(f.put({r}).ok);
    }
    CaseloadQuery q;
    q.region = "90";
    q.limit = 10;
    std::vector<std::string> seen;
    for (int page = 0; page < 10; ++page) {
        const CaseloadPage p = f.store->caseload(q);
        for (const auto& r : p.items) seen.push_back(r.id);
        BOOST_TEST(f.put({record(kAmsterdam, "ps:new", tag("N", page))}).ok);  // arrives meanwhile
        if (!p.next_before) break;
        q.before_seq = p.next_before;
    }
    BOOST_TEST(seen == first);  // no record twice, none skipped, newest first
    q = {};
    q.region = "90";
    q.berichttype = "vsv-melding";
    BOOST_TEST(f.store->caseload(q).items.size() == 5u);
    q.gemeente = "0384";
    BOOST_TEST(f.store->caseload(q).items.size() == 2u);  // i = 0 and 15
    q = {};
    q.region = "90";
    q.status = "afgesloten";
    BOOST_TEST(f.store->caseload(q).items.empty());
    q.status.clear();
    q.since = "2026-11-24T00:00:00.000Z";
    BOOST_TEST(f.store->caseload(q).items.empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_large_message_commits_all_or_nothing, B, Backends) {
    Fixture<B> f;
    std::vector<std::string> accepted;
    {
        auto bulk = f.store->begin_bulk();
        for (int chunk = 0; chunk < 5; ++chunk) {
            std::vector<StoredRecord> rows;
            for (int i = 0; i < 300; ++i) {
                rows.push_back(record(i % 2 ? kAmsterdam : kRijnmond, "ps:bulk", tag("K", chunk * 1000 + i)));
                accepted.push_back(rows.back().id);
            }
            bulk->add(std::move(rows));
        }
        std::promise<CommitResult> p;
        f.audit.push_back(entry("bulk-ok"));
        bulk->finish(true, {f.audit.back()}, message("BULK1"), [&](const CommitResult& c) { p.set_value(c); });
        BOOST_TEST(p.get_future().get().ok);
    }
    BOOST_TEST(f.caseload(kAmsterdam, 1000).size() + f.caseload(kRijnmond, 1000).size() == accepted.size());
    {
        // Refused at the end: none of its rows stay, its audit entry does.
        auto bulk = f.store->begin_bulk();
        bulk->add({record(kAmsterdam, "ps:no", "R1"), record(kRijnmond, "ps:no", "R2")});
        std::promise<CommitResult> p;
        f.audit.push_back(entry("bulk-refused"));
        bulk->finish(false, {f.audit.back()}, std::nullopt, [&](const CommitResult& c) { p.set_value(c); });
        BOOST_TEST(p.get_future().get().ok);
    }
    {
        // The same berichtId again: a duplicate, nothing written.
        auto bulk = f.store->begin_bulk();
        bulk->add({record(kAmsterdam, "ps:dup", "D1")});
        std::promise<CommitResult> p;
        bulk->finish(true, {entry("bulk-dup")}, message("BULK1", "other"), [&](const CommitResult& c) { p.set_value(c); });
        const auto r = p.get_future().get();
        BOOST_TEST(!r.ok);
        BOOST_TEST(r.duplicate);
    }
    BOOST_TEST(f.store->find_by_melding_id("R1").empty());
    BOOST_TEST(f.store->find_by_melding_id("D1").empty());
    BOOST_TEST(f.caseload(kAmsterdam, 1000).size() + f.caseload(kRijnmond, 1000).size() == accepted.size());
    check_log(*f.store, f.audit);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(status_move_and_withdrawal_keep_a_history, B, Backends) {
    Fixture<B> f;
    const auto a = record(kAmsterdam, "ps:s", "A1"), other = record(kAmsterdam, "ps:t", "A2");
    auto in_diemen = record(kAmsterdam, "ps:s", "A3");  // the same pupil, a record in another gemeente of the region
    in_diemen.gemeente = "0384";
    BOOST_TEST(f.put({a, other, in_diemen}).ok);

    StoredRecord traject = record(kAmsterdam, "ps:s", "TR1", "trajectmelding");
    traject.effect = RecordEffect::Status;
    traject.active = false;
    traject.new_status = "in-behandeling";
    BOOST_TEST(f.put({traject}).ok);
    BOOST_TEST(f.store->find_record(a.id, "90")->status == "in-behandeling");
    BOOST_TEST(f.store->find_record(other.id, "90")->status == "geregistreerd");  // another pupil

    // Only the pupil's records in the old gemeente (0363) move; 0384's stays.
    StoredRecord move = record(kRijnmond, "ps:s", "MV1", "verhuizing");
    move.effect = RecordEffect::Move;
    move.from_gemeente = "0363";
    move.new_status = "verhuisd";
    move.notice_until = "2027-11-23";
    BOOST_TEST(f.put({move}).ok);
    BOOST_TEST((ids(f.caseload(kAmsterdam)) == std::vector<std::string>{in_diemen.id, other.id}));  // the old region loses it at once
    // It keeps a notice under the id: the status given, no content, the move in its history.
    const auto notice = f.store->find_record(a.id, "90");
    BOOST_REQUIRE(notice.has_value());
    BOOST_TEST(!notice->active);
    BOOST_TEST(notice->status == "verhuisd");
    BOOST_TEST(notice->data == "null");
    BOOST_TEST(notice->retention_until == "2027-11-23");
    const auto notice_history = f.store->history(a.id, "90");
    BOOST_REQUIRE(notice_history.size() == 1u);
    BOOST_TEST(notice_history[0].event == "moved");
    BOOST_TEST((ids(f.caseload(kRijnmond)) == std::vector<std::string>{move.id, a.id}));  // the verhuizing is the newest
    const auto moved = f.store->find_record(a.id, "91");
    BOOST_REQUIRE(moved.has_value());
    BOOST_TEST(moved->gemeente == "0599");
    BOOST_TEST(moved->status == "in-behandeling");
    auto history = f.store->history(a.id, "91");
    BOOST_REQUIRE(history.size() == 2u);
    BOOST_TEST(history[0].event == "status");
    BOOST_TEST(history[0].detail == R"({"status":"in-behandeling","trajectmelding":")" + traject.id + R"("})");
    BOOST_TEST(history[1].event == "moved");
    BOOST_TEST(history[1].detail ==
               R"({"fromRegion":"90","fromGemeente":"0363","toRegion":"91","toGemeente":"0599","verhuizing":")" + move.id + R"("})");
    BOOST_TEST(f.store->history(a.id, "90").size() == 1u);  // the history went with the record; the notice has the move

    StoredRecord withdrawal = record(kRijnmond, "ps:s", "IN1", "intrekking");
    withdrawal.effect = RecordEffect::Withdraw;
    withdrawal.active = false;
    withdrawal.target_id = a.id;
    withdrawal.region = "90";  // where the sender last saw it: the store finds it where it is now
    withdrawal.retention_until = "2027-11-23";
    withdrawal.new_status = "ingetrokken";  // the tombstone's status: the policy's, set at ingest
    BOOST_TEST(f.put({withdrawal}).ok);
    BOOST_TEST((ids(f.caseload(kRijnmond)) == std::vector<std::string>{move.id}));
    const auto tombstone = f.store->find_record(a.id, "91");
    BOOST_REQUIRE(tombstone.has_value());
    BOOST_TEST(!tombstone->active);
    BOOST_TEST(tombstone->status == "ingetrokken");
    BOOST_TEST(tombstone->retention_until == "2027-11-23");
    history = f.store->history(a.id, "91");
    BOOST_REQUIRE(history.size() == 3u);
    BOOST_TEST(history[2].event == "withdrawn");
    check_log(*f.store, f.audit);
}

// The per-day counts follow every kind of change (insert, status, move and its notice, withdrawal,
// change of content, purge), agree with the records counted here, survive the upkeep, and are
// rebuilt when the store opens with other reportBy details; a query for other details than the
// store keeps counts from the records.
BOOST_AUTO_TEST_CASE_TEMPLATE(rapportage_counts_follow_every_change, B, Backends) {
    Fixture<B> f;
    const ReportDetails by_level{{"vsv-melding", "hoogsteNiveau"}};
    StoreOptions options;
    options.report_details = by_level;
    f.store.reset();
    f.store = open_store(f.where.url(), options);
    auto vsv = [](const auto& region, const std::string& subject, const std::string& id, const std::string& level) {
        StoredRecord r = record(region, subject, id, "vsv-melding");
        r.data = R"({"meldingId":")" + id + R"(","hoogsteNiveau":")" + level + R"("})";
        return r;
    };
    auto check = [&](const char* when) {
        for (const auto* region : {&kAmsterdam, &kRijnmond}) {
            const auto expected = counted_here(*f.store, *region, by_level, "2026-11-23");
            BOOST_TEST(reported(*f.store, *region, by_level, "2026-11-23", "2026-11-24") == expected, when << " region " << region->code);
            BOOST_TEST(reported(*f.store, *region, by_level, "2026-11-24", "2026-11-25").empty(), when);
        }
    };
    const auto a = vsv(kAmsterdam, "ps:a", "V1", "mbo-1"), b = vsv(kAmsterdam, "ps:b", "V2", "vmbo");
    auto c = vsv(kAmsterdam, "ps:c", "V3", "mbo-1");
    c.gemeente = "0384";
    const auto verzuim = record(kAmsterdam, "ps:a", "Z1"), elsewhere = vsv(kRijnmond, "ps:r", "V4", "havo");
    auto old = vsv(kAmsterdam, "ps:o", "V5", "vmbo");
    old.retention_until = "2020-01-01";
    BOOST_TEST(f.put({a, b, c, verzuim, elsewhere, old}).ok);
    BOOST_TEST(!reported(*f.store, kAmsterdam, by_level, "2026-11-23", "2026-11-24").empty());
    check("after the inserts");

    StoredRecord close = record(kAmsterdam, "ps:a", "OG1", "onderwijsgebeurtenis");
    close.effect = RecordEffect::Status;
    close.active = false;
    close.data = "{}";
    close.new_status = "afgesloten";
    BOOST_TEST(f.put({close}).ok);
    check("after a status");

    StoredRecord change = record(kAmsterdam, "ps:b", "W1", "wijziging");
    change.effect = RecordEffect::Change;
    change.active = false;
    change.target_id = b.id;
    change.new_data = R"({"meldingId":"V2","hoogsteNiveau":"havo"})";
    change.new_retention = "2031-11-23";
    BOOST_TEST(f.put({change}).ok);
    check("after a change of content");

    StoredRecord move = record(kRijnmond, "ps:c", "MV1", "verhuizing");
    move.effect = RecordEffect::Move;
    move.from_gemeente = "0384";
    move.new_status = "verhuisd";
    move.notice_until = "2027-11-23";
    BOOST_TEST(f.put({move}).ok);
    check("after a move");

    StoredRecord withdrawal = record(kAmsterdam, "ps:a", "IN1", "intrekking");
    withdrawal.effect = RecordEffect::Withdraw;
    withdrawal.active = false;
    withdrawal.target_id = verzuim.id;
    withdrawal.new_status = "ingetrokken";
    BOOST_TEST(f.put({withdrawal}).ok);
    check("after a withdrawal");

    WriteBatch purge;
    purge.purge.push_back({old.id, old.region});
    purge.audit_entries.push_back(entry("purge"));
    BOOST_TEST(commit(*f.store, std::move(purge)).ok);
    check("after a purge");

    f.store->maintain();
    check("after the upkeep");
    const auto before = reported(*f.store, kAmsterdam, by_level, "2026-11-23", "2026-11-24");
    BOOST_TEST(before.count("0363/vsv-melding/afgesloten/mbo-1: 1 1 1") == 1u);
    BOOST_TEST(before.count("0363/vsv-melding/geregistreerd/havo: 1 0 1") == 1u);  // b, changed from vmbo

    // Opened with no reportBy: rebuilt without the level; opened without details: the same counts.
    options.report_details = ReportDetails{};
    f.store.reset();
    f.store = open_store(f.where.url(), options);
    const auto plain = reported(*f.store, kAmsterdam, {}, "2026-11-23", "2026-11-24");
    BOOST_TEST(plain == counted_here(*f.store, kAmsterdam, {}, "2026-11-23"));
    BOOST_TEST(plain.count("0363/vsv-melding/geregistreerd/: 1 0 1") == 1u);
    f.store.reset();
    f.store = open_store(f.where.url());
    BOOST_TEST(reported(*f.store, kAmsterdam, {}, "2026-11-23", "2026-11-24") == plain);
    // Asked for other details than kept (a policy reloaded since the start): counted from the records.
    BOOST_TEST(reported(*f.store, kAmsterdam, by_level, "2026-11-23", "2026-11-24") == before);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(expired_records_are_purged_with_their_history, B, Backends) {
    Fixture<B> f;
    auto old = record(kAmsterdam, "ps:o", "OLD"), young = record(kRijnmond, "ps:y", "YOUNG");
    old.retention_until = "2020-01-01";
    BOOST_TEST(f.put({old, young}).ok);
    StoredRecord traject = record(kAmsterdam, "ps:o", "TR", "trajectmelding");
    traject.effect = RecordEffect::Status;
    traject.active = false;
    traject.new_status = "afgesloten";
    traject.retention_until = "2099-01-01";
    BOOST_TEST(f.put({traject}).ok);
    BOOST_TEST(f.store->history(old.id, "90").size() == 1u);
    const auto expired = f.store->expired("2026-11-24", 100);
    BOOST_REQUIRE(expired.size() == 1u);
    BOOST_TEST(expired[0].id == old.id);
    WriteBatch purge;
    purge.purge.push_back({old.id, old.region});
    f.audit.push_back(entry("purge"));
    purge.audit_entries.push_back(f.audit.back());
    BOOST_TEST(commit(*f.store, std::move(purge)).ok);
    BOOST_TEST(!f.store->find_record(old.id, "90").has_value());
    BOOST_TEST(f.store->history(old.id, "90").empty());
    BOOST_TEST(f.store->expired("2026-11-24", 100).empty());
    BOOST_TEST(f.store->find_record(young.id, "91").has_value());
    check_log(*f.store, f.audit);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(signed_heads_are_kept_and_a_reopened_store_continues_the_log, B, Backends) {
    Fixture<B> f;
    for (int i = 0; i < 5; ++i) BOOST_TEST(f.put({record(kAmsterdam, "ps:r", tag("R", i))}).ok);
    for (std::uint64_t size : {3u, 5u, 5u}) {  // a repeated head is kept once
        WriteBatch b;
        b.head = SignedHead{size, std::string(64, 'a'), "2026-11-23T09:16:00.000Z", "sig", "key"};
        BOOST_TEST(commit(*f.store, std::move(b)).ok);
    }
    BOOST_TEST(f.store->audit().heads().size() == 2u);
    BOOST_TEST(f.store->audit().latest_head()->size == 5u);
    f.store->close();
    f.store.reset();
    f.store = open_store(f.where.url());  // a restart
    for (int i = 5; i < 8; ++i) BOOST_TEST(f.put({record(kAmsterdam, "ps:r", tag("R", i))}).ok);
    check_log(*f.store, f.audit);
    BOOST_TEST(f.caseload(kAmsterdam).size() == 8u);
    AuditQuery q;
    q.from = 6;
    q.limit = 10;
    const auto rows = f.store->audit().entries(q);
    BOOST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[0].index == 6u);
    BOOST_TEST(rows[0].entry == f.audit[6]);
    BOOST_TEST(rows[0].leaf_hash == merkle::hex(merkle::leaf_hash(f.audit[6])));
}

// Audit retention through the store interface: a closed period, then its removal in steps. Each
// step leaves exactly the prefix's edge of what was removed (checked against a tree of every entry
// computed here), heads inside the prefix go, the log goes on across a restart, and roots from the
// cut on are those of the whole log.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_removed_audit_prefix_keeps_its_edge_and_the_log_goes_on, B, Backends) {
    Fixture<B> f;
    for (int i = 0; i < 37; ++i) BOOST_TEST(f.put({record(kAmsterdam, "ps:t", tag("T", i))}).ok);
    for (std::uint64_t size : {5u, 20u, 37u}) {
        WriteBatch b;
        b.head = SignedHead{size, std::string(64, 'a'), "2026-11-23T09:16:00.000Z", "sig", "key"};
        BOOST_TEST(commit(*f.store, std::move(b)).ok);
    }
    {
        f.audit.push_back(entry("close"));
        WriteBatch b;
        b.audit_entries.push_back(f.audit.back());
        b.close_audit_period = "2027-01-01T00:00:00.000Z";
        BOOST_TEST(commit(*f.store, std::move(b)).ok);
    }
    AuditLog& log = f.store->audit();
    BOOST_REQUIRE(log.periods().size() == 1u);
    BOOST_TEST(log.periods()[0].size == 38u);
    BOOST_TEST(log.periods()[0].closed_at == "2027-01-01T00:00:00.000Z");
    BOOST_TEST(log.removed_before() == 0u);
    merkle::MemoryTree whole;
    for (const auto& e : f.audit) whole.append(merkle::leaf_hash(e));

    const auto check = [&](std::uint64_t cut) {
        AuditLog& l = f.store->audit();
        BOOST_TEST(l.removed_before() == cut);
        BOOST_TEST(l.committed_size() == f.audit.size());
        std::uint64_t n = cut;
        l.scan_entries([&](const AuditLog::StoredLeaf& leaf) {
            BOOST_TEST(leaf.index == n);
            BOOST_TEST(std::string(leaf.entry) == f.audit[n]);
            ++n;
            return true;
        });
        BOOST_TEST(n == f.audit.size());
        const auto edge = merkle::CompactRange::edge_of(cut);
        l.scan_nodes([&](const AuditLog::StoredNode& node) {
            const bool inside = ((node.index + 1) << node.level) <= cut;
            const bool on_edge = std::any_of(edge.begin(), edge.end(), [&](const auto& r) { return r.level == node.level && r.index == node.index; });
            BOOST_TEST((!inside || on_edge), "subtree " << node.level << "/" << node.index << " inside the removed prefix " << cut);
            const merkle::Hash h = whole.node(node.level, node.index);
            BOOST_TEST((node.hash && std::equal(h.begin(), h.end(), node.hash)));
            return true;
        });
        for (const auto& h : l.heads()) BOOST_TEST(h.size >= cut);
        auto source = l.nodes();
        for (std::uint64_t size = std::max<std::uint64_t>(cut, 1); size <= f.audit.size(); ++size)
            BOOST_TEST(merkle::hex(merkle::root(*source, size)) == merkle::hex(merkle::root(whole, size)), "size " << size);
    };
    for (std::uint64_t to : {13u, 13u, 21u, 38u}) {  // a repeated step changes nothing
        WriteBatch b;
        b.remove_audit_before = to;
        BOOST_TEST(commit(*f.store, std::move(b)).ok);
        check(to);
    }
    BOOST_TEST(log.heads().size() == 0u);  // 5, 20 and 37 were all inside
    f.store->close();
    f.store.reset();
    f.store = open_store(f.where.url());  // a restart resumes from the edge
    for (int i = 37; i < 45; ++i) {
        BOOST_TEST(f.put({record(kAmsterdam, "ps:t", tag("T", i))}).ok);
        whole.append(merkle::leaf_hash(f.audit.back()));
    }
    check(38);
}

// The retention run itself on each store: the first run in a later year closes the period and
// signs its head; seven years after the close the period goes, in steps, and audit verify (the
// production verifier, over what the store holds) accepts what remains.
BOOST_AUTO_TEST_CASE_TEMPLATE(audit_retention_closes_a_period_and_removes_it_in_steps, B, Backends) {
    Fixture<B> f;
    for (int i = 0; i < 30; ++i) BOOST_TEST(f.put({record(kAmsterdam, "ps:u", tag("U", i))}).ok);
    const auto policy = PolicySet::load(test::source_dir() / "policies");
    test::TempDir keys;
    const HeadSigner signer = HeadSigner::from_key_file(keys.path / "audit.key");
    const std::map<std::string, std::string> trusted = {{signer.key_id(), signer.public_key_pem()}};
    auto r = keep_audit_retention(*f.store, *policy, signer, "2026-12-31T23:00:00.000Z", 7);
    BOOST_TEST((r.ok && !r.closed && r.removed == 0), r.error);  // the period began this year
    r = keep_audit_retention(*f.store, *policy, signer, "2027-01-01T00:10:00.000Z", 7);
    BOOST_TEST((r.ok && r.closed && r.removed == 0), r.error);
    AuditLog& log = f.store->audit();
    BOOST_REQUIRE(log.periods().size() == 1u);
    const std::uint64_t end = log.periods()[0].size;
    BOOST_TEST(end == 31u);  // 30 entries and the period-close entry
    BOOST_TEST(log.head_at(end).has_value());
    BOOST_TEST(verify_audit_log(log, trusted).ok);
    r = keep_audit_retention(*f.store, *policy, signer, "2034-01-01T00:09:59.999Z", 7);
    BOOST_TEST((r.ok && !r.closed && r.removed == 0), r.error);  // not yet seven years since the close
    r = keep_audit_retention(*f.store, *policy, signer, "2034-01-01T00:10:00.001Z", 7);
    BOOST_TEST((r.ok && !r.closed && r.removed == end && r.removed_before == end), r.error);  // nothing since 2027: no period to close
    const auto report = verify_audit_log(log, trusted);
    BOOST_TEST(report.ok, report.reason);
    BOOST_TEST(report.removed == end);
    AuditQuery q;
    q.action = "audit-purge";
    BOOST_TEST(log.entries(q).size() == 1u);  // one entry for the run, not one per step
    r = keep_audit_retention(*f.store, *policy, signer, "2034-01-01T00:20:00.000Z", 7);
    BOOST_TEST((r.ok && !r.closed && r.removed == 0), r.error);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_read_only_store_reads_and_writes_nothing, B, Backends) {
    Fixture<B> f;
    BOOST_TEST(f.put({record(kAmsterdam, "ps:r", "RO")}).ok);
    StoreOptions options;
    options.read_only = true;
    auto ro = open_store(f.where.url(), options);
    BOOST_TEST(ro->audit().committed_size() == 1u);
    BOOST_TEST(ro->find_by_melding_id("RO").size() == 1u);
    BOOST_TEST(!ro->ready());
    const auto r = commit(*ro, batch({record(kAmsterdam, "ps:r", "RO2")}, entry("no")));
    BOOST_TEST(!r.ok);
    BOOST_TEST(f.store->find_by_melding_id("RO2").empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_probe_writes_and_keeps_the_store_ready, B, Backends) {
    Fixture<B> f;
    f.store->probe();
    BOOST_TEST(f.store->ready());
    BOOST_TEST(f.store->audit().committed_size() == 0u);  // a probe is not an audit entry
}

// ---- PostgreSQL only ----

BOOST_AUTO_TEST_CASE(postgres_row_level_security_limits_every_read_to_one_region) {
    Fixture<Postgres> f;
    BOOST_TEST(f.put({record(kAmsterdam, "ps:a", "L1"), record(kAmsterdam, "ps:b", "L2"), record(kRijnmond, "ps:c", "L3")}).ok);
    PGconn* c = PQconnectdb(f.where.url().c_str());
    BOOST_REQUIRE(PQstatus(c) == CONNECTION_OK);
    auto count = [&](const char* region) {
        const std::string sql = std::string("BEGIN; SELECT set_config('dg.region', '") + region + "', true);";
        PQclear(PQexec(c, sql.c_str()));
        PGresult* r = PQexec(c, "SELECT count(*) FROM records");  // no region filter in the query
        const std::string n = PQresultStatus(r) == PGRES_TUPLES_OK ? PQgetvalue(r, 0, 0) : "error";
        PQclear(r);
        PQclear(PQexec(c, "COMMIT"));
        return n;
    };
    BOOST_TEST(count("") == "0");  // no region said: nothing
    BOOST_TEST(count("90") == "2");
    BOOST_TEST(count("91") == "1");
    PGresult* r = PQexec(c, "SELECT count(*) FROM records");
    BOOST_TEST(std::string(PQgetvalue(r, 0, 0)) == "0");
    PQclear(r);
    // A region-scoped session cannot write either.
    PQclear(PQexec(c, "SET dg.region = '90'"));
    r = PQexec(c, "UPDATE records SET status = 'x'");
    BOOST_TEST(PQresultStatus(r) == PGRES_FATAL_ERROR);
    PQclear(r);
    PQfinish(c);
}

BOOST_AUTO_TEST_CASE(postgres_refuses_a_role_that_bypasses_row_level_security) {
    Fixture<Postgres> f;
    // The cluster's superuser over its Unix socket (trust auth in the throw-away cluster).
    const std::string state = test::pg_state_dir();
    std::string dir = test::slurp(std::filesystem::path(state) / "cluster-dir"), port = test::slurp(std::filesystem::path(state) / "port");
    dir.pop_back();
    port.pop_back();
    const std::string superuser = "postgresql://postgres@/dg?host=" + dir + "&port=" + port;
    try {
        open_store(superuser);
        BOOST_FAIL("a superuser connection was accepted");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()).find("row-level security") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(postgres_two_gateways_share_one_log_one_caseload_and_one_idempotency) {
    Fixture<Postgres> f;
    auto second = open_store(f.where.url());  // another gateway process on the same database
    std::vector<RecordStore*> gateways = {f.store.get(), second.get()};
    std::vector<std::thread> threads;
    std::atomic<int> ok{0}, duplicates{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 40; ++i) {
                RecordStore& g = *gateways[(t + i) % 2];
                // Every message is sent to both gateways at once, as a retrying sender might.
                const std::string id = tag("S", t * 100 + i);
                std::promise<CommitResult> p1, p2;
                g.submit(batch({record(kAmsterdam, "ps:s", id)}, entry(id + "a"), message(id)), [&](const CommitResult& c) { p1.set_value(c); });
                gateways[(t + i + 1) % 2]->submit(batch({record(kAmsterdam, "ps:s", id)}, entry(id + "b"), message(id)),
                                                  [&](const CommitResult& c) { p2.set_value(c); });
                for (auto* p : {&p1, &p2}) {
                    const auto r = p->get_future().get();
                    if (r.ok) ++ok;
                    if (r.duplicate) ++duplicates;
                }
            }
        });
    for (auto& t : threads) t.join();
    BOOST_TEST(ok.load() == 160);
    BOOST_TEST(duplicates.load() == 160);
    // Both see the same caseload and the same log.
    CaseloadQuery q;
    q.region = "90";
    q.limit = 500;
    BOOST_TEST(ids(f.store->caseload(q).items) == ids(second->caseload(q).items));
    BOOST_TEST(f.store->caseload(q).items.size() == 160u);
    std::vector<std::string> stored;
    second->audit().scan_entries([&](const AuditLog::StoredLeaf& l) {
        stored.emplace_back(l.entry);
        return true;
    });
    BOOST_TEST(stored.size() == 160u);
    check_log(*f.store, stored);
    check_log(*second, stored);
}

// ---- SQLite only ----

BOOST_AUTO_TEST_CASE(sqlite_keeps_records_and_log_in_one_file) {
    Fixture<Sqlite> f;
    BOOST_TEST(f.put({record(kAmsterdam, "ps:a", "F1"), record(kRijnmond, "ps:b", "F2")}).ok);
    const auto dir = f.where.dir() / "store";
    auto count = [](const std::filesystem::path& file, const char* sql) {
        sqlite3* db = nullptr;
        sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
        std::string v = sqlite3_step(st) == SQLITE_ROW ? reinterpret_cast<const char*>(sqlite3_column_text(st, 0)) : "error";
        sqlite3_finalize(st);
        sqlite3_close(db);
        return v;
    };
    BOOST_TEST(count(dir / "store.db", "SELECT group_concat(melding_id) FROM records WHERE region = '90'") == "F1");
    BOOST_TEST(count(dir / "store.db", "SELECT group_concat(melding_id) FROM records WHERE region = '91'") == "F2");
    BOOST_TEST(count(dir / "store.db", "SELECT count(*) FROM audit") == "1");
    BOOST_TEST(!std::filesystem::exists(dir / "audit.db"));
}

BOOST_AUTO_TEST_CASE(sqlite_refuses_a_store_of_the_region_file_layout) {
    test::TempDir where;
    const auto dir = where.path / "old";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "audit.db") << "";  // the earlier layout's log file, without store.db
    BOOST_CHECK_EXCEPTION(open_sqlite_store(dir), std::runtime_error,
                          [](const std::runtime_error& e) { return std::string(e.what()).find("earlier layout") != std::string::npos; });
    BOOST_TEST(!std::filesystem::exists(dir / "store.db"));
}

BOOST_AUTO_TEST_SUITE_END()
