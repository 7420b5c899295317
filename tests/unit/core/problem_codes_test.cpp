// The gateway's code table is the catalogue's: tests/vectors/catalogue-codes.txt is the code column
// of messages.md's "Checks and their codes", written by tests/vectors/make_vectors.py from the spec.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "core/problem.hpp"

BOOST_AUTO_TEST_CASE(the_code_table_is_the_catalogues) {
    std::ifstream in(std::string(DG_SOURCE_DIR) + "/tests/vectors/catalogue-codes.txt");
    BOOST_REQUIRE(in);
    std::vector<std::string> spec;
    for (std::string line; std::getline(in, line);) spec.push_back(line);
    BOOST_REQUIRE(spec.size() >= 30u);
    const std::vector<std::string> table(std::begin(dg::problem_code::kCatalogue), std::end(dg::problem_code::kCatalogue));
    BOOST_TEST(table == spec, boost::test_tools::per_element());
    for (const char* own : dg::problem_code::kGatewayOwn) {
        BOOST_TEST(!dg::problem_code::in_catalogue(own), own);
        BOOST_TEST(std::set<std::string>(spec.begin(), spec.end()).count(own) == 0u, own);
    }
    BOOST_TEST(dg::problem_code::in_catalogue("bsn.checksum"));
    BOOST_TEST(!dg::problem_code::in_catalogue("bsn.chekcsum"));
}
