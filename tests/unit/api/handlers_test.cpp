// The API's handlers without a socket: Api::handle with a real SQLite store in a temporary
// directory, a request built in memory and the answer taken from the reply callback. Expected
// statuses and codes are the contract's (interface.md, messages.md).
#include <boost/test/unit_test.hpp>

#include <future>

#include "api/api.hpp"
#include "test_support.hpp"

using namespace dg;

namespace {

constexpr const char* kSchool = "00000099000000000201";       // school-12AB
constexpr const char* kGemeente = "00000099000000000363";     // gemeente-0363
constexpr const char* kCoordinator = "00000099000000000901";  // coordinator-amsterdam (region 90)
constexpr const char* kRijnmond = "00000099000000000902";     // coordinator-rijnmond (region 91)

std::shared_ptr<const Snapshot> dev_snapshot() {
    auto s = std::make_shared<Snapshot>();
    s->policy = PolicySet::load(test::source_dir() / "policies");
    s->parties = PartyRegistry::load(test::source_dir() / "policies/parties-dev.json");
    s->regions = RegionTable::load(test::source_dir() / "gateway/config/regions-dev.csv").table;
    s->schemas = SchemaSet::load(test::source_dir() / "schemas");
    s->mandates = MandateRegistry::load(test::source_dir() / "policies/mandates-dev.json", *s->parties, *s->policy);
    return s;
}

struct Handlers {
    test::TempDir dir;
    SnapshotHolder snapshots{dev_snapshot()};
    std::unique_ptr<RecordStore> store = open_store("sqlite:" + (dir.path / "store").string());
    Metrics metrics;
    Api api{snapshots, *store, Pseudonymizer(std::string(32, 'p')), HeadSigner::from_key_file(dir.path / "head.key"), metrics};

    ~Handlers() { store->close(); }

    // One request through the handlers; waits for the reply (it comes once the store committed).
    Response call(const char* oin, http::verb method, const std::string& target, const std::string& body = {},
                  const char* content_type = "application/json", std::vector<std::pair<std::string, std::string>> headers = {}) {
        auto req = std::make_shared<Request>(method, target, 11);
        req->set(http::field::host, "gateway.test");
        if (!body.empty()) req->set(http::field::content_type, content_type);
        for (const auto& [k, v] : headers) req->set(k, v);
        req->body() = body;
        req->prepare_payload();
        std::promise<Response> answered;
        api.handle(req, Caller{oin, std::string(64, 'f')}, [&](Response&& r) { answered.set_value(std::move(r)); });
        return answered.get_future().get();
    }

    std::uint64_t audited() { return store->audit().committed_size(); }
    std::string last_entry() {
        AuditQuery q;
        q.newest_first = true;
        q.limit = 1;
        const auto rows = store->audit().entries(q);
        return rows.empty() ? std::string() : rows.front().entry;
    }
};

std::string example(const char* name) { return test::slurp(test::examples_dir() / name); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(api_handlers, Handlers)

BOOST_AUTO_TEST_CASE(an_accepted_message_is_stored_audited_and_read_back_by_its_region_only) {
    const Response accepted = call(kSchool, http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    BOOST_TEST(accepted.result_int() == 202u);
    BOOST_TEST(accepted.body().find("\"accepted\":2") != std::string::npos);
    BOOST_TEST(accepted.body().find("\"signature\"") != std::string::npos);  // sealed in the commit
    BOOST_TEST(audited() == 1u);

    const Response own = call(kCoordinator, http::verb::get, "/v1/caseload");
    BOOST_TEST(own.result_int() == 200u);
    BOOST_TEST(own.body().find("VZ-2026-0001") != std::string::npos);
    BOOST_TEST(own.body().find("VZ-2026-0002") != std::string::npos);
    const Response other = call(kRijnmond, http::verb::get, "/v1/caseload");
    BOOST_TEST(other.result_int() == 200u);
    BOOST_TEST(other.body().find("VZ-2026-") == std::string::npos);
    BOOST_TEST(audited() == 3u);  // every request, reads too

    // The same message again: the same receipt, nothing stored twice.
    const Response again = call(kSchool, http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    BOOST_TEST(again.result_int() == 202u);
    BOOST_TEST(again.body() == accepted.body());
    BOOST_TEST(last_entry().find("\"outcome\":\"replayed\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refusals_change_nothing_but_the_audit_log) {
    const Response unknown = call("00000099000000009999", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    BOOST_TEST(unknown.result_int() == 403u);
    BOOST_TEST(unknown.body().find("sender.unknown") != std::string::npos);

    const Response role = call(kGemeente, http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    BOOST_TEST(role.result_int() == 403u);
    BOOST_TEST(role.body().find("sender.role-not-permitted") != std::string::npos);

    const Response transaction = call(kSchool, http::verb::get, "/v1/meldingen", {}, "", {{"Fsc-Transaction-Id", "not-a-uuid"}});
    BOOST_TEST(transaction.result_int() == 400u);

    const Response media = call(kSchool, http::verb::post, "/v1/berichten", example("verzuimmelding.json"), "text/plain");
    BOOST_TEST(media.result_int() == 415u);

    const Response method = call(kSchool, http::verb::delete_, "/v1/berichten");
    BOOST_TEST(method.result_int() == 405u);

    BOOST_TEST(audited() == 5u);
    BOOST_TEST(last_entry().find("\"outcome\":\"refused\"") != std::string::npos);
    const Response caseload = call(kCoordinator, http::verb::get, "/v1/caseload");
    BOOST_TEST(caseload.body().find("VZ-2026-") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_refused_record_is_listed_and_its_sibling_stored) {
    std::string body = example("verzuimmelding.json");
    const auto bsn = body.find("291417772");
    BOOST_REQUIRE(bsn != std::string::npos);
    body.replace(bsn, 9, "291417773");  // fails the elfproef (messages.md: bsn.checksum)
    const Response r = call(kSchool, http::verb::post, "/v1/berichten", body);
    BOOST_TEST(r.result_int() == 202u);
    BOOST_TEST(r.body().find("bsn.checksum") != std::string::npos);
    BOOST_TEST(r.body().find("291417773") == std::string::npos);  // no BSN in an answer
    BOOST_TEST(r.body().find("\"accepted\":1") != std::string::npos);
    const Response meldingen = call(kSchool, http::verb::get, "/v1/meldingen");
    BOOST_TEST(meldingen.result_int() == 200u);
    BOOST_TEST(meldingen.body().find("VZ-2026-0002") != std::string::npos);
    BOOST_TEST(meldingen.body().find("VZ-2026-0001") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_handler_answers_with_its_response_and_writes_before_anything_is_written) {
    auto request = [](const char* target, std::string body) {
        auto req = std::make_shared<Request>(http::verb::post, target, 11);
        req->set(http::field::content_type, "application/json");
        req->body() = std::move(body);
        req->prepare_payload();
        return req;
    };
    Api::Answer a = api.answer(request("/v1/berichten", example("verzuimmelding.json")), Caller{kSchool, std::string(64, 'f')});
    BOOST_TEST(a.response.result_int() == 202u);
    BOOST_TEST(!a.bulk);
    BOOST_REQUIRE(a.writes.records.size() == 2u);
    for (const auto& r : a.writes.records) {
        BOOST_TEST(r.region == "90");                 // both pupils live in region 90's gemeenten (0363, 0384)
        BOOST_TEST(r.subject.rfind("ps:", 0) == 0u);  // a pseudonym (ps:bsn: or ps:onr:), never the number
    }
    BOOST_REQUIRE(a.writes.message.has_value());
    BOOST_REQUIRE(a.writes.audit_entries.size() == 1u);
    BOOST_TEST(a.writes.audit_entries[0].find("\"status\":202") != std::string::npos);
    BOOST_TEST(audited() == 0u);  // nothing written yet
    BOOST_TEST(call(kCoordinator, http::verb::get, "/v1/caseload").body().find("VZ-2026-") == std::string::npos);

    std::promise<CommitResult> committed;
    store->submit(std::move(a.writes), [&](const CommitResult& c) { committed.set_value(c); });
    BOOST_TEST(committed.get_future().get().ok);
    BOOST_TEST(call(kCoordinator, http::verb::get, "/v1/caseload").body().find("VZ-2026-0002") != std::string::npos);

    // A refusal writes its audit entry and nothing else.
    Api::Answer refused = api.answer(request("/v1/berichten", example("verzuimmelding.json")), Caller{kGemeente, std::string(64, 'f')});
    BOOST_TEST(refused.response.result_int() == 403u);
    BOOST_TEST(refused.writes.records.empty());
    BOOST_TEST(!refused.writes.message.has_value());
    BOOST_REQUIRE(refused.writes.audit_entries.size() == 1u);
    BOOST_TEST(refused.writes.audit_entries[0].find("\"outcome\":\"refused\"") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
