#include <boost/test/unit_test.hpp>

#include "adapters/xml_reader.hpp"
#include "collecting_sink.hpp"
#include "test_support.hpp"

using namespace dg;
using test::CollectingSink;
using test::has_code;

namespace {

const std::string kOpen =
    R"(<bericht xmlns="urn:x-doorstroom-gateway:gegevensdeling:v1" berichtId="b" berichttype="verzuimmelding" verzondenOp="2026-11-23T09:15:00+01:00">)";

ParseResult read(const std::string& xml, CollectingSink& sink, ParseLimits limits = {}) { return read_xml_bericht(xml, limits, sink); }

}  // namespace

BOOST_AUTO_TEST_SUITE(xml_reader)

BOOST_AUTO_TEST_CASE(reads_the_catalogue_example) {
    CollectingSink sink;
    auto r = read(test::slurp(test::examples_dir() / "verzuimmelding.xml"), sink);
    BOOST_TEST(r.ok());
    BOOST_TEST(sink.envelope.berichttype == "verzuimmelding");
    BOOST_TEST(sink.envelope.verzonden_op == "2026-11-23T09:15:00+01:00");
    BOOST_REQUIRE(sink.meldingen.size() == 2u);
    BOOST_TEST(sink.meldingen[0].melding_id == "VZ-2026-0001");
    BOOST_TEST(sink.meldingen[0].find("leerling/bsn")->text == "291417772");
    BOOST_TEST(sink.meldingen[0].find("verzuim/uren")->text == "18");
    BOOST_TEST(sink.meldingen[0].find("toelichting")->text == "Ouders niet bereikbaar na twee pogingen.");
}

// Judging stops at the first fault of the envelope, but the rest must still be XML.
BOOST_AUTO_TEST_CASE(malformed_wins_over_whatever_else_is_wrong) {
    const std::string wrong_root = R"(<brief xmlns="urn:x-doorstroom-gateway:gegevensdeling:v1"><a></brief>)";
    CollectingSink s1;
    auto r1 = read(wrong_root, s1);
    BOOST_TEST(r1.malformed);
    BOOST_REQUIRE(r1.problems.size() == 1u);
    BOOST_TEST(r1.problems[0].code == "message.malformed");
    // Too many records, then a DOCTYPE-free but broken tail: malformed, not 413.
    ParseLimits one;
    one.max_meldingen = 1;
    const std::string rec = R"(<verzuimmelding meldingId="a"><toelichting>x</toelichting></verzuimmelding>)";
    CollectingSink s2;
    auto r2 = read(kOpen + rec + rec + "<verzuimmelding>", s2, one);
    BOOST_TEST(r2.malformed);
    BOOST_TEST(!r2.too_many);
    BOOST_TEST(r2.problems[0].code == "message.malformed");
    // The same, well-formed: the schema fault and the limit are what is reported.
    CollectingSink s3;
    BOOST_TEST(!read(R"(<brief xmlns="urn:x-doorstroom-gateway:gegevensdeling:v1"/>)", s3).malformed);
    CollectingSink s4;
    auto r4 = read(kOpen + rec + rec + "</bericht>", s4, one);
    BOOST_TEST(!r4.malformed);
    BOOST_TEST(r4.too_many);
}

BOOST_AUTO_TEST_CASE(doctype_and_entities_are_refused) {
    const std::string xxe = R"(<?xml version="1.0"?><!DOCTYPE bericht [<!ENTITY x SYSTEM "file:///etc/passwd">]>)" + kOpen +
                            "<verzuimmelding meldingId=\"a\"><toelichting>&x;</toelichting></verzuimmelding></bericht>";
    CollectingSink s1;
    auto r1 = read(xxe, s1);
    BOOST_TEST(r1.malformed);
    BOOST_TEST(r1.problems.front().detail.find("DOCTYPE") != std::string::npos);
    BOOST_TEST(s1.meldingen.empty());

    std::string laughs = R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">)";
    for (int i = 1; i < 10; ++i) {
        laughs += "<!ENTITY lol" + std::to_string(i) + " \"";
        for (int j = 0; j < 10; ++j) laughs += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
        laughs += "\">";
    }
    laughs += "]>" + kOpen + "<verzuimmelding meldingId=\"a\"><toelichting>&lol9;</toelichting></verzuimmelding></bericht>";
    CollectingSink s2;
    auto r2 = read(laughs, s2);
    BOOST_TEST(r2.malformed);
    BOOST_TEST(s2.meldingen.empty());  // refused at the DOCTYPE, before any expansion

    // An undeclared entity reference without a DOCTYPE is not well-formed.
    CollectingSink s3;
    auto r3 = read(kOpen + "<verzuimmelding meldingId=\"a\"><toelichting>&x;</toelichting></verzuimmelding></bericht>", s3);
    BOOST_TEST(r3.malformed);
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused) {
    std::string deep = kOpen + "<verzuimmelding meldingId=\"a\">";
    for (int i = 0; i < 100000; ++i) deep += "<a>";
    CollectingSink sink;
    auto r = read(deep, sink);
    BOOST_TEST(r.malformed);
}

BOOST_AUTO_TEST_CASE(huge_values_are_refused) {
    CollectingSink sink;
    auto r =
        read(kOpen + "<verzuimmelding meldingId=\"a\"><toelichting>" + std::string(100000, 'x') + "</toelichting></verzuimmelding></bericht>", sink);
    BOOST_TEST(!r.ok());
}

BOOST_AUTO_TEST_CASE(not_well_formed_and_bad_encoding) {
    for (const std::string& body : {kOpen + "<verzuimmelding meldingId=\"a\">", std::string("not xml"), std::string(""),
                                    kOpen + "<verzuimmelding meldingId=\"a\"><toelichting>\xC3\x28</toelichting></verzuimmelding></bericht>"}) {
        CollectingSink sink;
        auto r = read(body, sink);
        BOOST_TEST(r.malformed, body.substr(0, 40));
    }
}

BOOST_AUTO_TEST_CASE(wrong_root_namespace_and_unknown_attributes) {
    CollectingSink s1;
    auto r1 = read(R"(<bericht berichtId="b" berichttype="x" verzondenOp="t"><x/></bericht>)", s1);
    BOOST_TEST(has_code(r1.problems, "message.schema"));
    // The envelope takes the catalogue's three attributes in no namespace, and nothing else.
    const std::string rec = "<verzuimmelding meldingId=\"a\"><toelichting>x</toelichting></verzuimmelding></bericht>";
    CollectingSink s2;
    auto r2 = read(kOpen.substr(0, kOpen.size() - 1) + R"( extra="1">)" + rec, s2);
    BOOST_TEST(has_code(r2.problems, "message.schema"));
    BOOST_TEST(!r2.malformed);
    const std::string ns = R"(<bericht xmlns="urn:x-doorstroom-gateway:gegevensdeling:v1" xmlns:x="urn:other" berichtId="b" )";
    CollectingSink s3;  // x:berichttype may not stand in for berichttype
    auto r3 = read(ns + R"(x:berichttype="verzuimmelding" verzondenOp="2026-11-23T09:15:00+01:00">)" + rec, s3);
    BOOST_TEST(has_code(r3.problems, "message.schema"));
    BOOST_TEST(s3.envelope.berichttype.empty());
    CollectingSink s4;  // nor shadow it
    auto r4 = read(ns + R"(berichttype="vsv-melding" x:berichttype="verzuimmelding" verzondenOp="2026-11-23T09:15:00+01:00">)" + rec, s4);
    BOOST_TEST(has_code(r4.problems, "message.schema"));
    // Attributes of records and their elements are fields (and so refused by the policy).
    CollectingSink s5;
    auto r5 = read(kOpen + "<verzuimmelding meldingId=\"a\" naam=\"x\"><leerling kind=\"y\"><bsn>1</bsn></leerling></verzuimmelding></bericht>", s5);
    BOOST_TEST(r5.ok());
    BOOST_REQUIRE(s5.meldingen.size() == 1u);
    BOOST_TEST(s5.meldingen[0].find("@naam"));
    BOOST_TEST(s5.meldingen[0].find("leerling/@kind"));
}

// Attributes count against the fields of a record; shapes that would cost libxml2 more than
// linear time or memory are refused before it parses them.
BOOST_AUTO_TEST_CASE(attributes_and_descendants_are_bounded) {
    ParseLimits limits;
    limits.max_fields = 8;
    auto attrs = [](std::size_t n) {
        std::string a;
        for (std::size_t i = 0; i < n; ++i) a += " a" + std::to_string(i) + "=\"v\"";
        return a;
    };
    CollectingSink s1;  // 9 attributes on a record: over its 8 fields
    auto r1 = read(kOpen + "<verzuimmelding meldingId=\"m\"" + attrs(9) + "/></bericht>", s1, limits);
    BOOST_TEST(has_code(r1.problems, "message.schema"));
    BOOST_TEST(!r1.malformed);
    CollectingSink s2;  // 100 attributes on one element: not parsed at all
    auto r2 = read(kOpen + "<verzuimmelding meldingId=\"m\"><toelichting" + attrs(100) + ">x</toelichting></verzuimmelding></bericht>", s2, limits);
    BOOST_TEST(r2.malformed);
    BOOST_TEST(s2.meldingen.empty());
    std::string many = kOpen + "<verzuimmelding meldingId=\"m\">";
    for (int i = 0; i < 1000; ++i) many += "<toelichting>x</toelichting>";
    CollectingSink s3;  // 1000 elements in a record: refused before it is expanded
    auto r3 = read(many + "</verzuimmelding></bericht>", s3, limits);
    BOOST_TEST(has_code(r3.problems, "message.schema"));
    BOOST_TEST(!r3.malformed);
    BOOST_TEST(s3.meldingen.empty());
    CollectingSink s4;  // the same but broken: malformed first
    BOOST_TEST(read(many + "</verzuimmelding>", s4, limits).malformed);
    // '>' and '=' inside quoted values, comments and CDATA do not count.
    CollectingSink s5;
    auto r5 = read(kOpen +
                       "<!-- a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9 j=10 --><verzuimmelding meldingId=\"m=>\">"
                       "<toelichting><![CDATA[<x a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9>]]></toelichting></verzuimmelding></bericht>",
                   s5, limits);
    BOOST_TEST(r5.ok());
    BOOST_TEST(s5.meldingen.size() == 1u);
}

BOOST_AUTO_TEST_CASE(record_elements_must_be_named_after_the_type) {
    CollectingSink sink;
    auto r = read(kOpen + "<vsv-melding meldingId=\"a\"/></bericht>", sink);
    BOOST_TEST(r.ok());
    BOOST_REQUIRE(sink.meldingen.size() == 1u);
    BOOST_TEST(sink.meldingen[0].find("@element")->text == "vsv-melding");
}

BOOST_AUTO_TEST_SUITE_END()
