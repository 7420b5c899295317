#include <boost/test/unit_test.hpp>

#include "adapters/json_reader.hpp"
#include "collecting_sink.hpp"
#include "test_support.hpp"

using namespace dg;
using test::CollectingSink;
using test::has_code;

BOOST_AUTO_TEST_SUITE(json_reader)

BOOST_AUTO_TEST_CASE(reads_the_catalogue_example) {
    CollectingSink sink;
    auto r = read_json_bericht(test::slurp(test::examples_dir() / "verzuimmelding.json"), {}, sink);
    BOOST_TEST(r.ok());
    BOOST_TEST(sink.envelopes == 1);
    BOOST_TEST(sink.envelope.berichttype == "verzuimmelding");
    BOOST_TEST(sink.envelope.bericht_id == "12AB-20261123-0001");
    BOOST_REQUIRE(sink.meldingen.size() == 2u);
    const Melding& m = sink.meldingen[0];
    BOOST_TEST(m.melding_id == "VZ-2026-0001");
    BOOST_TEST(m.find("leerling/bsn")->text == "291417772");
    BOOST_TEST((m.find("verzuim/uren")->kind == ValueKind::Number));
    BOOST_TEST(m.find("verzuim/uren")->text == "18");
    BOOST_TEST(sink.meldingen[1].index == 1u);
    BOOST_TEST(sink.meldingen[1].find("leerling/onderwijsnummer")->text == "101222331");
}

BOOST_AUTO_TEST_CASE(envelope_comes_first_whatever_the_key_order) {
    CollectingSink sink;
    auto r =
        read_json_bericht(R"({"meldingen":[{"meldingId":"A"},{"meldingId":"B"}],"berichttype":"x","verzondenOp":"t","berichtId":"b"})", {}, sink);
    BOOST_TEST(r.ok());
    BOOST_TEST(!sink.record_before_envelope);
    BOOST_TEST(sink.meldingen.size() == 2u);
    BOOST_TEST(sink.envelope.berichttype == "x");
}

BOOST_AUTO_TEST_CASE(not_well_formed_is_malformed) {
    for (const char* body : {"", "{", "{\"a\":}", "{\"a\":[1,2", "{\"berichtId\":\"x\"} trailing", "nul"}) {
        CollectingSink sink;
        auto r = read_json_bericht(body, {}, sink);
        BOOST_TEST(r.malformed, body);
        BOOST_TEST(has_code(r.problems, "message.malformed"), body);
    }
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_malformed) {
    CollectingSink sink;
    auto r = read_json_bericht("{\"berichtId\":\"\xC3\x28\"}", {}, sink);
    BOOST_TEST(r.malformed);
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_without_recursion) {
    std::string deep = "{\"a\":" + std::string(100000, '[');
    CollectingSink sink;
    auto r = read_json_bericht(deep, {}, sink);
    BOOST_TEST(r.malformed);
    std::string nested = R"({"meldingen":[{"a":)";
    for (int i = 0; i < 50; ++i) nested += "{\"a\":";
    CollectingSink sink2;
    auto r2 = read_json_bericht(nested, {}, sink2);
    BOOST_TEST(r2.malformed);
    BOOST_TEST(r2.problems.front().detail.find("nesting") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_bericht_is_an_object) {
    CollectingSink sink;
    auto r = read_json_bericht("[1,2]", {}, sink);
    BOOST_TEST(!r.ok());
    BOOST_TEST(has_code(r.problems, "message.schema"));
}

BOOST_AUTO_TEST_CASE(envelope_problems_are_all_reported) {
    CollectingSink sink;
    auto r = read_json_bericht(R"({"berichtId":1,"extra":true,"meldingen":{},"berichttype":"x"})", {}, sink);
    BOOST_TEST(!r.malformed);
    BOOST_TEST(r.problems.size() == 3u);
    BOOST_TEST(has_code(r.problems, "field.not-permitted"));
    BOOST_TEST(has_code(r.problems, "message.schema"));
}

BOOST_AUTO_TEST_CASE(missing_meldingen_is_a_schema_problem) {
    CollectingSink sink;
    auto r = read_json_bericht(R"({"berichtId":"a","berichttype":"x","verzondenOp":"t"})", {}, sink);
    BOOST_TEST(has_code(r.problems, "message.schema"));
    BOOST_TEST(sink.envelopes == 1);
}

BOOST_AUTO_TEST_CASE(record_count_and_value_size_limits) {
    ParseLimits limits;
    limits.max_meldingen = 2;
    CollectingSink sink;
    auto r = read_json_bericht(R"({"meldingen":[{},{},{}]})", limits, sink);
    BOOST_TEST(r.too_many);
    BOOST_TEST(has_code(r.problems, "message.too-large"));
    CollectingSink sink2;
    auto r2 = read_json_bericht("{\"meldingen\":[{\"toelichting\":\"" + std::string(5000, 'x') + "\"}]}", {}, sink2);
    BOOST_TEST(!r2.ok());
    BOOST_TEST(r2.problems.front().path == "/meldingen/0/toelichting");
}

BOOST_AUTO_TEST_CASE(unknown_and_nested_record_keys_become_fields) {
    CollectingSink sink;
    auto r = read_json_bericht(R"({"meldingen":[{"meldingId":"A","leerling":{"naam":"x","adres":{"straat":"y"}},"lijst":[1,"a"]}]})", {}, sink);
    BOOST_TEST(r.ok());
    const Melding& m = sink.meldingen.at(0);
    BOOST_TEST(m.find("leerling/naam")->text == "x");
    BOOST_TEST(m.find("leerling/adres/straat")->text == "y");
    BOOST_TEST(m.find("lijst/0")->text == "1");
    BOOST_TEST(m.find("lijst/1")->text == "a");
}

BOOST_AUTO_TEST_CASE(canonical_json_is_sorted_and_nested) {
    Melding m;
    m.melding_id = "A";
    m.has_melding_id = true;
    m.fields = {{"verzuim/van", {ValueKind::String, "2026-01-01"}},
                {"leerling/bsn", {ValueKind::String, "291417772"}},
                {"verzuim/uren", {ValueKind::Number, "18"}},
                {"startkwalificatie", {ValueKind::Bool, "false"}},
                {"leerling/geboortedatum", {ValueKind::String, "2012-04-01"}}};
    BOOST_TEST(melding_to_json(m) == R"({"leerling":{"bsn":"291417772","geboortedatum":"2012-04-01"},"meldingId":"A","startkwalificatie":false,)"
                                     R"("verzuim":{"uren":18,"van":"2026-01-01"}})");
}

BOOST_AUTO_TEST_SUITE_END()
