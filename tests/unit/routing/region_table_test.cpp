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
    auto r = RegionTable::parse("\xEF\xBB\xBF\"RMC-REGIO NAAM\",\"GEMEENTENUMMER\",\"RMC-REGIO CODE\"\r\n"
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
    BOOST_TEST(again.table->version() != r.table->version());  // content differs from the school-location layout
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
