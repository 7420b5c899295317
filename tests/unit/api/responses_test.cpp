#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include "api/responses.hpp"

using namespace dg;

BOOST_AUTO_TEST_SUITE(responses)

BOOST_AUTO_TEST_CASE(problem_json_follows_rfc9457_with_codes) {
    Response r = problem_response(400, "Nothing acceptable", "fix these",
                                  {{"bsn.checksum", "/meldingen/0/leerling/bsn", "BSN fails the 11-proef", "VZ-1"},
                                   {"message.schema", "/berichtId", "required", ""}});
    BOOST_TEST(r.result_int() == 400u);
    BOOST_TEST(std::string(r[http::field::content_type]) == "application/problem+json");
    BOOST_TEST(std::string(r["API-Version"]) == kApiVersion);
    rapidjson::Document d;
    d.Parse(r.body().c_str());
    BOOST_REQUIRE(d.IsObject());
    BOOST_TEST(std::string(d["type"].GetString()) == "urn:x-doorstroom-gateway:problem:bsn.checksum");
    BOOST_TEST(std::string(d["title"].GetString()) == "Nothing acceptable");
    BOOST_TEST(d["status"].GetInt() == 400);
    BOOST_TEST(std::string(d["detail"].GetString()) == "fix these");
    BOOST_REQUIRE(d["errors"].Size() == 2u);
    BOOST_TEST(std::string(d["errors"][0]["meldingId"].GetString()) == "VZ-1");
    BOOST_TEST(std::string(d["errors"][0]["path"].GetString()) == "/meldingen/0/leerling/bsn");
    BOOST_TEST(!d["errors"][1].HasMember("meldingId"));
}

BOOST_AUTO_TEST_CASE(receipt_lists_accepted_and_rejected_records) {
    IngestResult r;
    r.envelope.bericht_id = "B-1";
    r.records.push_back({"M-1", std::string(32, 'a'), "90"});
    r.rejected.push_back({"M-2", {{"bsn.checksum", "/meldingen/1/leerling/bsn", "x", "M-2"}}});
    rapidjson::Document d;
    d.Parse(receipt_json(r).c_str());
    BOOST_REQUIRE(d.IsObject());
    BOOST_TEST(std::string(d["berichtId"].GetString()) == "B-1");
    BOOST_TEST(d["accepted"].GetInt() == 1);
    BOOST_TEST(std::string(d["records"][0]["id"].GetString()) == std::string(32, 'a'));
    BOOST_TEST(std::string(d["records"][0]["region"].GetString()) == "90");
    BOOST_TEST(std::string(d["rejected"][0]["meldingId"].GetString()) == "M-2");
    BOOST_TEST(std::string(d["rejected"][0]["errors"][0]["code"].GetString()) == "bsn.checksum");
}

BOOST_AUTO_TEST_SUITE_END()
