#include <boost/test/unit_test.hpp>

#include "adapters/json_reader.hpp"
#include "adapters/xml_reader.hpp"
#include "app/service.hpp"
#include "core/json_util.hpp"
#include "schemas/schema_set.hpp"
#include "test_support.hpp"
#include "unit/adapters/collecting_sink.hpp"

using namespace dg;

namespace {

const char* const kTypes[] = {"verzuimmelding", "vsv-melding", "trajectmelding", "vrijstelling",
                              "verhuizing",     "intrekking",  "wijziging",      "onderwijsgebeurtenis"};

std::filesystem::path copy_schemas(const test::TempDir& dir) {
    const auto to = dir.path / "schemas";
    std::filesystem::copy(test::source_dir() / "schemas", to, std::filesystem::copy_options::recursive);
    return to;
}

void expect_load_error(const std::filesystem::path& dir, const std::string& fragment) {
    try {
        SchemaSet::load(dir);
        BOOST_ERROR("schemas accepted");
    } catch (const FileError& e) {
        BOOST_TEST(std::string(e.what()).find(fragment) != std::string::npos, e.what());
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(schema_set)

BOOST_AUTO_TEST_CASE(every_type_has_an_xsd_and_a_json_schema) {
    auto set = SchemaSet::load(test::source_dir() / "schemas");
    BOOST_TEST(set->xsd() != nullptr);
    for (const char* t : kTypes) {
        BOOST_TEST(set->has_type(t), t);
        BOOST_TEST(std::filesystem::exists(test::source_dir() / "schemas/xml" / (std::string(t) + ".xsd")), t);
    }
    const auto& leaves = set->leaf_paths("verzuimmelding");
    BOOST_TEST((std::find(leaves.begin(), leaves.end(), "leerling/bsn") != leaves.end()));
    BOOST_TEST((std::find(leaves.begin(), leaves.end(), "verzuim/uren") != leaves.end()));
    BOOST_TEST((std::find(leaves.begin(), leaves.end(), "meldingId") == leaves.end()));
}

BOOST_AUTO_TEST_CASE(the_examples_conform_to_the_json_schemas) {
    auto set = SchemaSet::load(test::source_dir() / "schemas");
    for (const char* t : kTypes) {
        test::CollectingSink sink;
        BOOST_REQUIRE(read_json_bericht(test::slurp(test::examples_dir() / (std::string(t) + ".json")), {}, sink).ok());
        for (const auto& m : sink.meldingen) BOOST_TEST(!set->check_record(t, melding_to_json(m)).has_value(), t);
    }
    auto p = set->check_record("verzuimmelding", R"({"meldingId":"a","leerling":{"bsn":"1"}})");
    BOOST_REQUIRE(p.has_value());
    BOOST_TEST(p->code == "message.schema");
    BOOST_TEST(p->detail.find("verzuimmelding.schema.json") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_examples_conform_to_the_xsd_and_order_matters) {
    auto set = SchemaSet::load(test::source_dir() / "schemas");
    for (const char* t : kTypes) {
        test::CollectingSink sink;
        auto r = read_xml_bericht(test::slurp(test::examples_dir() / (std::string(t) + ".xml")), {}, sink, set->xsd());
        BOOST_TEST(r.ok(), t);
        for (const auto& m : sink.meldingen) BOOST_TEST(m.structure_problems.empty(), t);
    }
    std::string swapped = test::slurp(test::examples_dir() / "vsv-melding.xml");
    const std::string school = "<school><brin>34CD</brin><vestiging>00</vestiging></school>";
    swapped.erase(swapped.find(school), school.size());
    swapped.insert(swapped.find("<leerling>"), school);
    test::CollectingSink sink;
    BOOST_TEST(read_xml_bericht(swapped, {}, sink, set->xsd()).ok());
    BOOST_REQUIRE(sink.meldingen.size() == 1u);
    BOOST_REQUIRE(!sink.meldingen[0].structure_problems.empty());
    const auto& p = sink.meldingen[0].structure_problems[0];
    BOOST_TEST(p.code == "message.schema");
    BOOST_TEST(p.detail.find("wrong order") != std::string::npos, p.detail);
    BOOST_TEST(p.melding_id == "VSV-000001");
    // A value the XSD refuses is reported without the value itself.
    std::string bad = test::slurp(test::examples_dir() / "vsv-melding.xml");
    bad.replace(bad.find("011524492"), 9, "01152449X");
    test::CollectingSink sink2;
    read_xml_bericht(bad, {}, sink2, set->xsd());
    BOOST_REQUIRE(!sink2.meldingen.at(0).structure_problems.empty());
    BOOST_TEST(sink2.meldingen[0].structure_problems[0].detail.find("01152449X") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_broken_schema_file_stops_start_up_with_file_and_reason) {
    {
        test::TempDir dir;
        const auto s = copy_schemas(dir);
        test::write(s / "xml/vsv-melding.xsd", "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"><xs:element/></xs:schema>");
        expect_load_error(s, "bericht.xsd");
    }
    {
        test::TempDir dir;
        const auto s = copy_schemas(dir);
        test::write(s / "json/vrijstelling.schema.json", "{ \"properties\": ");
        expect_load_error(s, "vrijstelling.schema.json");
    }
    {
        test::TempDir dir;
        const auto s = copy_schemas(dir);
        std::filesystem::remove(s / "xml/bericht.xsd");
        expect_load_error(s, "not found");
    }
}

BOOST_AUTO_TEST_CASE(a_policy_may_permit_fewer_fields_than_the_schema_never_more) {
    auto schemas = SchemaSet::load(test::source_dir() / "schemas");
    auto policy = PolicySet::load(test::source_dir() / "policies");
    BOOST_CHECK_NO_THROW(check_policy_within_schemas(*policy, *schemas, "sharing.json"));
    test::TempDir dir;
    std::string text = test::slurp(test::source_dir() / "policies/sharing.json");
    const std::string from = R"("startkwalificatie": "boolean")";
    text.replace(text.find(from), from.size(), from + R"(, "leerling/naam": "text")");
    test::write(dir.path / "sharing.json", text);
    auto wider = PolicySet::load(dir.path);
    try {
        check_policy_within_schemas(*wider, *schemas, dir.path / "sharing.json");
        BOOST_ERROR("a policy wider than the schema was accepted");
    } catch (const FileError& e) {
        BOOST_TEST(std::string(e.what()).find("/berichttypen/vsv-melding/fields/leerling/naam") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_SUITE_END()
