#include <boost/test/unit_test.hpp>

#include "adapters/json_reader.hpp"
#include "adapters/xml_reader.hpp"
#include "api/ingest.hpp"
#include "test_support.hpp"

using namespace dg;

namespace {

struct Fixture {
    Snapshot snapshot{PolicySet::load(test::source_dir() / "policies"), PartyRegistry::load(test::source_dir() / "policies/parties-dev.json"),
                      RegionTable::load(test::source_dir() / "gateway/config/regions-dev.csv").table,
                      SchemaSet::load(test::source_dir() / "schemas")};
    Pseudonymizer pseudonymize{std::string(40, 'k')};

    IngestResult run(const std::string& body, WireFormat f, const char* oin) {
        IngestContext ctx{snapshot, pseudonymize, {},     oin ? snapshot.parties->find(oin) : nullptr, "2026-11-23T10:00:00.000Z", nullptr,
                          {},       false,        nullptr};
        return ingest(body, f, ctx);
    }
};

const char* const kTypes[] = {"verzuimmelding", "vsv-melding", "trajectmelding", "vrijstelling",
                              "verhuizing",     "intrekking",  "wijziging",      "onderwijsgebeurtenis"};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(ingest_pipeline, Fixture)

BOOST_AUTO_TEST_CASE(json_and_xml_of_the_same_content_give_identical_canonical_records) {
    for (const char* type : kTypes) {
        BOOST_TEST_CONTEXT(type) {
            auto json = run(test::slurp(test::examples_dir() / (std::string(type) + ".json")), WireFormat::Json, nullptr);
            auto xml = run(test::slurp(test::examples_dir() / (std::string(type) + ".xml")), WireFormat::Xml, nullptr);
            BOOST_TEST((json.outcome == IngestOutcome::Accepted));
            BOOST_TEST((xml.outcome == IngestOutcome::Accepted));
            BOOST_REQUIRE(json.accepted.size() == xml.accepted.size());
            BOOST_TEST(json.accepted.size() >= 1u);
            for (std::size_t i = 0; i < json.accepted.size(); ++i) {
                BOOST_TEST(json.accepted[i].data == xml.accepted[i].data);
                BOOST_TEST(json.accepted[i].region == xml.accepted[i].region);
                BOOST_TEST(json.accepted[i].subject == xml.accepted[i].subject);
            }
            BOOST_TEST(json.envelope.bericht_id == xml.envelope.bericht_id);
        }
    }
}

BOOST_AUTO_TEST_CASE(school_push_is_routed_to_the_woongemeente_region) {
    auto r = run(test::slurp(test::examples_dir() / "verzuimmelding.json"), WireFormat::Json, "00000099000000000201");
    BOOST_TEST((r.outcome == IngestOutcome::Accepted));
    BOOST_REQUIRE(r.accepted.size() == 2u);
    BOOST_TEST(r.accepted[0].region == "90");
    BOOST_TEST(r.accepted[0].gemeente == "0363");
    BOOST_TEST(r.accepted[1].gemeente == "0384");
    BOOST_TEST(r.accepted[0].subject.rfind("ps:", 0) == 0u);
    BOOST_TEST(r.accepted[0].id != r.accepted[1].id);
    BOOST_TEST(r.accepted[0].policy_version == snapshot.policy->version());
    BOOST_TEST(r.accepted[0].legal_basis == snapshot.policy->type("verzuimmelding")->legal_basis);
}

// Record ids come from the caller's source when it gives one (the pipeline has no randomness of
// its own then); without one they are 32 random hex digits.
BOOST_AUTO_TEST_CASE(record_ids_come_from_an_injected_source) {
    int next = 0;
    IngestContext ctx{snapshot, pseudonymize, {},     snapshot.parties->find("00000099000000000201"), "2026-11-23T10:00:00.000Z", nullptr,
                      {},       false,        nullptr};
    ctx.new_id = [&next] { return "id-" + std::to_string(next++); };
    const auto r = ingest(test::slurp(test::examples_dir() / "verzuimmelding.json"), WireFormat::Json, ctx);
    BOOST_REQUIRE(r.accepted.size() == 2u);
    BOOST_TEST(r.accepted[0].id == "id-0");
    BOOST_TEST(r.accepted[1].id == "id-1");
    BOOST_TEST(r.records[1].id == "id-1");
    const auto random = run(test::slurp(test::examples_dir() / "verzuimmelding.json"), WireFormat::Json, "00000099000000000201");
    BOOST_TEST(random.accepted[0].id.size() == 32u);
    // The outcome is the pipeline's; the HTTP status is the contract's mapping of it.
    BOOST_TEST(http_status(r.outcome) == 202);
    BOOST_TEST(http_status(IngestOutcome::Forbidden) == 403);
    BOOST_TEST(http_status(IngestOutcome::TooLarge) == 413);
    BOOST_TEST(http_status(IngestOutcome::Refused) == 400);
}

BOOST_AUTO_TEST_CASE(record_faults_reject_only_that_record) {
    std::string body = test::slurp(test::examples_dir() / "verzuimmelding.json");
    body.replace(body.find("291417772"), 9, "291417773");
    auto r = run(body, WireFormat::Json, "00000099000000000201");
    BOOST_TEST((r.outcome == IngestOutcome::Accepted));
    BOOST_TEST(r.accepted.size() == 1u);
    BOOST_REQUIRE(r.rejected.size() == 1u);
    BOOST_TEST(r.rejected[0].melding_id == "VZ-2026-0001");
    BOOST_TEST(r.rejected[0].problems[0].code == "bsn.checksum");
    BOOST_TEST(r.subjects.size() == 2u);  // refused records are still audited, by pseudonym
}

BOOST_AUTO_TEST_CASE(no_acceptable_record_is_400) {
    std::string body = test::slurp(test::examples_dir() / "verzuimmelding.json");
    auto r = run(body, WireFormat::Json, "00000099000000000202");  // school-34CD reports about 12AB
    BOOST_TEST((r.outcome == IngestOutcome::Refused));
    BOOST_TEST(r.accepted.empty());
    BOOST_TEST(r.rejected.size() == 2u);
    BOOST_TEST(r.rejected[0].problems[0].code == "scope.not-own-brin");
}

BOOST_AUTO_TEST_CASE(message_faults_reject_the_whole_message) {
    auto role = run(test::slurp(test::examples_dir() / "verzuimmelding.json"), WireFormat::Json, "00000099000000000363");
    BOOST_TEST((role.outcome == IngestOutcome::Forbidden));
    BOOST_TEST(role.message_problems.at(0).code == "sender.role-not-permitted");
    BOOST_TEST(role.accepted.empty());
    auto malformed = run("{\"berichtId\":", WireFormat::Json, "00000099000000000201");
    BOOST_TEST((malformed.outcome == IngestOutcome::Refused));
    std::string unknown = test::slurp(test::examples_dir() / "verzuimmelding.json");
    unknown.replace(unknown.find("\"verzuimmelding\""), 16, "\"verzuimbrief\"");
    auto type = run(unknown, WireFormat::Json, "00000099000000000201");
    BOOST_TEST((type.outcome == IngestOutcome::Refused));
    BOOST_TEST(type.message_problems.at(0).code == "message.type-unknown");
    BOOST_TEST(type.accepted.empty());
    auto empty = run(R"({"berichtId":"a","berichttype":"verzuimmelding","verzondenOp":"2026-11-23T09:15:00+01:00","meldingen":[]})", WireFormat::Json,
                     "00000099000000000201");
    BOOST_TEST((empty.outcome == IngestOutcome::Refused));
}

BOOST_AUTO_TEST_SUITE_END()

#include "api/explain.hpp"

BOOST_FIXTURE_TEST_SUITE(policy_explain, Fixture)

BOOST_AUTO_TEST_CASE(explains_each_rule_and_outcome_per_record) {
    bool ok = false;
    const std::string body = test::slurp(test::examples_dir() / "verzuimmelding.xml");
    const std::string own = explain_bericht(body, WireFormat::Xml, snapshot, *snapshot.parties->find_by_name("school-12AB"), ok);
    BOOST_TEST(ok);
    BOOST_TEST(own.find(snapshot.policy->version()) != std::string::npos);
    BOOST_TEST(own.find("legal basis: Leerplichtwet") != std::string::npos);
    BOOST_TEST(own.find("age 5 <= a < 18 on verzuim/van: ok") != std::string::npos);
    BOOST_TEST(own.find("scope school -> own-brin on school/brin: ok") != std::string::npos);
    BOOST_TEST(own.find("=> ALLOWED, region 90") != std::string::npos);

    const std::string other = explain_bericht(body, WireFormat::Xml, snapshot, *snapshot.parties->find_by_name("school-34CD"), ok);
    BOOST_TEST(!ok);
    BOOST_TEST(other.find("scope school -> own-brin on school/brin: refused: scope.not-own-brin") != std::string::npos);
    BOOST_TEST(other.find("=> REFUSED") != std::string::npos);

    const std::string role = explain_bericht(body, WireFormat::Xml, snapshot, *snapshot.parties->find_by_name("gemeente-0363"), ok);
    BOOST_TEST(!ok);
    BOOST_TEST(role.find("403 sender.role-not-permitted") != std::string::npos);
    BOOST_TEST(role.find("melding 0") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_meldingid_used_twice_in_one_message_as_serve_does) {
    // messages.md: a meldingId is unique per sender, within a message too (melding.duplicate-id).
    std::string body = test::slurp(test::examples_dir() / "verzuimmelding.json");
    const auto second = body.find("\"VZ-2026-0002\"");
    BOOST_REQUIRE(second != std::string::npos);
    body.replace(second, 14, "\"VZ-2026-0001\"");
    bool ok = true;
    const std::string out = explain_bericht(body, WireFormat::Json, snapshot, *snapshot.parties->find_by_name("school-12AB"), ok);
    BOOST_TEST(!ok);
    BOOST_TEST(out.find("melding.duplicate-id at /meldingen/1/meldingId") != std::string::npos);
    BOOST_TEST(out.find("=> ALLOWED") < out.find("=> REFUSED"));
    const auto r = run(body, WireFormat::Json, "00000099000000000201");
    BOOST_TEST(r.rejected_total == 1u);
    BOOST_REQUIRE(r.rejected.size() == 1u);
    BOOST_TEST(r.rejected[0].problems[0].code == "melding.duplicate-id");
}

BOOST_AUTO_TEST_CASE(names_an_envelope_refusal_once_under_the_message_it_read) {
    std::string body = test::slurp(test::examples_dir() / "verzuimmelding.json");
    body.replace(body.find("\"verzuimmelding\""), 16, "\"verzuimmeldingx\"");
    bool ok = true;
    const std::string out = explain_bericht(body, WireFormat::Json, snapshot, *snapshot.parties->find_by_name("school-12AB"), ok);
    BOOST_TEST(!ok);
    BOOST_TEST(out.find("berichttype verzuimmeldingx") != std::string::npos);
    const auto first = out.find("message.type-unknown");  // messages.md: a berichttype not in the catalogue
    BOOST_TEST(first != std::string::npos);
    BOOST_TEST(out.find("message.type-unknown", first + 1) == std::string::npos);
    BOOST_TEST(out.find("melding 0") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(says_allowed_exactly_where_the_pipeline_accepts) {
    // For every example in both formats and every dev party as sender: explain's verdicts per
    // record are the pipeline's (records accepted, refused, or the message refused as a whole).
    std::size_t allowed_somewhere = 0, refused_somewhere = 0;
    for (const auto& entry : std::filesystem::directory_iterator(test::examples_dir())) {
        const auto ext = entry.path().extension();
        if (ext != ".json" && ext != ".xml") continue;
        const WireFormat f = ext == ".xml" ? WireFormat::Xml : WireFormat::Json;
        const std::string body = test::slurp(entry.path());
        for (const Party* p : snapshot.parties->all()) {
            const Party& party = *p;
            BOOST_TEST_CONTEXT(entry.path().filename().string() << " as " << party.name) {
                bool ok = false;
                const std::string out = explain_bericht(body, f, snapshot, party, ok, nullptr, Date{2026, 11, 23});
                IngestContext ctx{snapshot, pseudonymize, {}, &party, "2026-11-23T10:00:00.000Z", nullptr, {}, false, nullptr, Date{2026, 11, 23}};
                const auto r = ingest(body, f, ctx);
                std::size_t allowed = 0, refused = 0;
                for (auto at = out.find("=> ALLOWED"); at != std::string::npos; at = out.find("=> ALLOWED", at + 1)) ++allowed;
                for (auto at = out.find("=> REFUSED"); at != std::string::npos; at = out.find("=> REFUSED", at + 1)) ++refused;
                BOOST_TEST(ok == (r.outcome == IngestOutcome::Accepted && r.rejected_total == 0));
                if (r.outcome == IngestOutcome::Accepted || (r.outcome == IngestOutcome::Refused && r.message_problems.empty())) {
                    BOOST_TEST(allowed == r.accepted.size());
                    BOOST_TEST(refused == r.rejected_total);
                } else {
                    BOOST_TEST(allowed == 0u);
                    for (const auto& p : r.message_problems) BOOST_TEST(out.find(p.code) != std::string::npos);
                }
                allowed_somewhere += allowed;
                refused_somewhere += refused + (r.message_problems.empty() ? 0 : 1);
            }
        }
    }
    BOOST_TEST(allowed_somewhere > 0u);
    BOOST_TEST(refused_somewhere > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
