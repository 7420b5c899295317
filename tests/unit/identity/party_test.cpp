#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "core/json_util.hpp"
#include "identity/party.hpp"
#include "test_support.hpp"

using namespace dg;

BOOST_AUTO_TEST_SUITE(party_registry)

BOOST_AUTO_TEST_CASE(dev_registry_has_every_registered_dev_party) {
    auto reg = PartyRegistry::load(test::source_dir() / "policies/parties-dev.json");
    BOOST_TEST(reg->size() == 11u);  // interface.md, dev parties (stranger and the others without OIN excluded)
    BOOST_TEST(reg->find_by_name("las-leverancier")->role == "intermediary");
    BOOST_TEST(reg->find_by_name("rbl-amsterdam")->role == "intermediary");
    const Party* school = reg->find("00000099000000000201");
    BOOST_REQUIRE(school);
    BOOST_TEST(school->name == "school-12AB");
    BOOST_TEST(school->role == "school");
    BOOST_TEST(school->brin == "12AB");
    BOOST_TEST(reg->find("00000099000000000901")->role == "coordinator");
    BOOST_TEST(reg->find("00000099000000000901")->gemeente == "0363");
    BOOST_TEST(!reg->find("00000099000000000999"));  // stranger
    BOOST_TEST(!reg->find(""));
    // The name people know, where the registry gives one; the handle otherwise.
    BOOST_TEST(school->shown_name() == "Het Amstel College (test)");
    Party bare{"00000099000000000300", "school-56EF", "school", "56EF", ""};
    BOOST_TEST(bare.shown_name() == "school-56EF");
    const auto all = reg->all();
    BOOST_TEST(all.size() == 11u);
    BOOST_TEST(std::is_sorted(all.begin(), all.end(), [](const Party* a, const Party* b) { return a->oin < b->oin; }));
}

void expect_error(const std::string& json, const std::string& fragment) {
    test::TempDir dir;
    const auto file = dir.path / "parties.json";
    test::write(file, json);
    try {
        PartyRegistry::load(file);
        BOOST_ERROR("no error for " + json);
    } catch (const FileError& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find(fragment) != std::string::npos, what);
        BOOST_TEST(what.find(file.string()) != std::string::npos, what);
    }
}

BOOST_AUTO_TEST_CASE(invalid_registries_are_refused_with_file_path_and_reason) {
    expect_error("{", "byte");
    expect_error(R"({"parties": {}})", "/parties");
    expect_error(R"({"parties": [{"oin": "123", "name": "x", "role": "duo"}]})", "/parties/0/oin");
    expect_error(R"({"parties": [{"oin": "00000099000000000100", "name": "x", "role": "king"}]})", "unknown role");
    expect_error(R"({"parties": [{"oin": "00000099000000000100", "name": "x", "role": "school"}]})", "/parties/0/brin");
    expect_error(R"({"parties": [{"oin": "00000099000000000100", "name": "x", "role": "coordinator"}]})", "/parties/0/gemeente");
    expect_error(R"({"parties": [{"oin": "00000099000000000100", "name": "a", "role": "duo"},
                                 {"oin": "00000099000000000100", "name": "b", "role": "duo"}]})",
                 "twice");
    // Keys the loader does not know are refused, naming them: "gemeete" would silently drop a scope.
    expect_error(R"({"parties": [{"oin": "00000099000000000901", "name": "c", "role": "coordinator", "gemeente": "0363", "gemeete": "0599"}]})",
                 "/parties/0/gemeete: unknown key");
    expect_error(R"({"partijen": []})", "/partijen: unknown key");
    expect_error(R"({"parties": [{"oin": "00000099000000000100", "name": "x", "role": "duo", "displayname": "DUO"}]})",
                 "/parties/0/displayname: unknown key");
}

BOOST_AUTO_TEST_SUITE_END()
