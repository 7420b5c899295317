#include <boost/test/unit_test.hpp>

#include "core/json_util.hpp"
#include "routing/region_table.hpp"
#include "test_support.hpp"

using namespace dg;

BOOST_AUTO_TEST_SUITE(region_table)

BOOST_AUTO_TEST_CASE(dev_table_routes_by_woongemeente) {
    auto r = RegionTable::load(test::source_dir() / "gateway/config/regions-dev.csv");
    BOOST_TEST(r.conflicts.empty());
    BOOST_TEST(r.table->gemeente_count() == 7u);
    BOOST_TEST(r.table->region_of("0363")->code == "90");
    BOOST_TEST(r.table->region_of("0384")->code == "90");
    BOOST_TEST(r.table->region_of("0599")->code == "91");
    BOOST_TEST(r.table->region_of("0599")->name == "Rijnmond (test)");
    BOOST_TEST(!r.table->region_of("9999"));
    BOOST_TEST((r.table->gemeenten_of("90") == std::vector<std::string>{"0363", "0384"}));
}

BOOST_AUTO_TEST_CASE(comma_separated_quoted_and_reordered_columns) {
    auto r = RegionTable::parse(
        "\xEF\xBB\xBF\"RMC-REGIO NAAM\",\"GEMEENTENUMMER\",\"RMC-REGIO CODE\"\r\n"
        "\"Noord\",\"14\",\"7\"\r\n\r\n");
    BOOST_TEST(r.table->region_of("0014")->code == "7");  // leading zeros restored
    BOOST_TEST(r.table->region_of("0014")->name == "Noord");
}

BOOST_AUTO_TEST_CASE(a_gemeente_in_two_regions_is_reported) {
    auto r = RegionTable::parse("GEMEENTENUMMER;RMC-REGIO CODE;RMC-REGIO NAAM\n0363;90;A\n0363;90;A\n0363;91;B\n");
    BOOST_TEST(r.conflicts.size() == 1u);
    BOOST_TEST(r.conflicts[0].find("0363") != std::string::npos);
    BOOST_TEST(r.table->region_of("0363")->code == "90");
}

BOOST_AUTO_TEST_CASE(the_imported_form_reads_back_to_the_same_table) {
    auto r = RegionTable::load(test::source_dir() / "gateway/config/regions-dev.csv");
    const std::string csv = r.table->to_csv();
    auto again = RegionTable::parse(csv);
    BOOST_TEST(again.table->to_csv() == csv);
    BOOST_TEST(again.table->gemeente_count() == 7u);
    BOOST_TEST(again.table->region_count() == 5u);
    BOOST_TEST(again.table->region_of("0599")->name == "Rijnmond (test)");
}

// The names people know (GEMEENTENAAM, VESTIGINGSNAAM) come with the table, from the dev table
// that ../shared/data/regions-sample.csv gave them, and survive an import's round trip.
BOOST_AUTO_TEST_CASE(gemeente_and_school_names) {
    auto r = RegionTable::load(test::source_dir() / "gateway/config/regions-dev.csv");
    BOOST_TEST(r.table->gemeente_name("0363") == "AMSTERDAM");
    BOOST_TEST(r.table->gemeente_name("0518") == "'S-GRAVENHAGE");
    BOOST_TEST(r.table->gemeente_name("9999") == "");
    BOOST_TEST(r.table->schools().size() == 7u);
    BOOST_TEST(r.table->schools().at("12AB01").name == "Het Amstel College, locatie Diemen (test)");
    BOOST_TEST(r.table->schools().at("12AB01").gemeente == "0384");
    auto again = RegionTable::parse(r.table->to_csv());
    BOOST_TEST(again.table->to_csv() == r.table->to_csv());
    BOOST_TEST(again.table->schools().at("34CD00").name == "Maaslyceum (test)");
    BOOST_TEST(again.table->gemeente_name("0606") == "SCHIEDAM");
    // A gemeente without a school location keeps its row; a table without names has none.
    auto bare = RegionTable::parse("GEMEENTENUMMER;GEMEENTENAAM;RMC-REGIO CODE;RMC-REGIO NAAM\n0014;GRONINGEN;94;G\n0015;;94;G\n");
    BOOST_TEST(bare.table->schools().empty());
    auto bare_again = RegionTable::parse(bare.table->to_csv());
    BOOST_TEST(bare_again.table->gemeente_count() == 2u);
    BOOST_TEST(bare_again.table->gemeente_name("0014") == "GRONINGEN");
    BOOST_TEST(bare_again.table->gemeente_name("0015") == "");
    // A row may end before the optional name columns.
    auto short_row = RegionTable::parse(
        "BRIN NUMMER;VESTIGINGSNUMMER;GEMEENTENUMMER;GEMEENTENAAM;RMC-REGIO CODE;RMC-REGIO NAAM;VESTIGINGSNAAM\n"
        "99XX;00;0034;ALMERE;95;Flevoland\n");
    BOOST_TEST(short_row.table->region_of("0034")->code == "95");
    BOOST_TEST(short_row.table->gemeente_name("0034") == "ALMERE");
    BOOST_TEST(short_row.table->schools().empty());
    BOOST_CHECK_THROW(RegionTable::parse("BRIN NUMMER;VESTIGINGSNUMMER;GEMEENTENUMMER;RMC-REGIO CODE;RMC-REGIO NAAM;VESTIGINGSNAAM\n"
                                         "12ab;00;0363;90;A;School\n"),
                      FileError);
}

BOOST_AUTO_TEST_CASE(bad_layouts_are_refused) {
    BOOST_CHECK_THROW(RegionTable::parse("GEMEENTE;CODE\n0363;90\n"), FileError);
    BOOST_CHECK_THROW(RegionTable::parse("GEMEENTENUMMER;RMC-REGIO CODE;RMC-REGIO NAAM\n0363;90\n"), FileError);
    BOOST_CHECK_THROW(RegionTable::parse("GEMEENTENUMMER;RMC-REGIO CODE;RMC-REGIO NAAM\nabc;90;A\n"), FileError);
    BOOST_CHECK_THROW(RegionTable::parse(""), FileError);
    // Region codes name store files: nothing that could leave the data dir.
    const std::vector<std::string> unsafe = {"../x", "a/b", "", "9 1", std::string(33, '9')};
    for (const auto& code : unsafe)
        BOOST_CHECK_THROW(RegionTable::parse("GEMEENTENUMMER;RMC-REGIO CODE;RMC-REGIO NAAM\n0363;" + code + ";A\n"), FileError);
    BOOST_CHECK_NO_THROW(RegionTable::parse("GEMEENTENUMMER;RMC-REGIO CODE;RMC-REGIO NAAM\n0363;rmc_26-a;A\n"));
}

BOOST_AUTO_TEST_SUITE_END()
