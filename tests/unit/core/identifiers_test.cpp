#include <boost/test/unit_test.hpp>

#include "core/identifiers.hpp"

using namespace dg;

BOOST_AUTO_TEST_SUITE(identifiers)

// Valid BSNs from the catalogue's examples.
const char* const kValidBsns[] = {"291417772", "398259793", "011524492", "111222333"};

BOOST_AUTO_TEST_CASE(bsn_examples_pass_the_11_proef) {
    for (const char* b : kValidBsns) BOOST_TEST(bsn_valid(b), b);
}

BOOST_AUTO_TEST_CASE(bsn_any_single_digit_change_fails) {
    // The weights 9..2 and -1 are non-zero mod 11 (a prime), so changing one digit always breaks the sum.
    for (const char* b : kValidBsns) {
        for (int pos = 0; pos < 9; ++pos) {
            for (char d = '0'; d <= '9'; ++d) {
                std::string s = b;
                if (s[pos] == d) continue;
                s[pos] = d;
                BOOST_TEST(!bsn_valid(s), s);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(bsn_adjacent_transposition_fails) {
    for (const char* b : kValidBsns) {
        for (int pos = 0; pos < 8; ++pos) {
            std::string s = b;
            if (s[pos] == s[pos + 1]) continue;
            std::swap(s[pos], s[pos + 1]);
            BOOST_TEST(!bsn_valid(s), s);
        }
    }
}

BOOST_AUTO_TEST_CASE(bsn_format) {
    BOOST_TEST(!bsn_valid("000000000"));  // sum 0 is divisible by 11 but not a BSN
    BOOST_TEST(!bsn_valid("29141777"));
    BOOST_TEST(!bsn_valid("2914177720"));
    BOOST_TEST(!bsn_valid("29141777a"));
    BOOST_TEST(!bsn_valid(""));
    BOOST_TEST(!bsn_valid("-91417772"));
}

BOOST_AUTO_TEST_CASE(onderwijsnummer_check) {
    BOOST_TEST(onderwijsnummer_valid("101222331"));  // catalogue example: sum 60 = 5 mod 11
    BOOST_TEST(!onderwijsnummer_valid("101222332"));
    BOOST_TEST(!onderwijsnummer_valid("291417772"));  // a valid BSN is not an onderwijsnummer
    // Same weighted sum rule but not starting with 10.
    BOOST_TEST(!onderwijsnummer_valid("111222327"));  // sum = 5 mod 11, prefix 11
    BOOST_TEST(!onderwijsnummer_valid("10122233"));
}

BOOST_AUTO_TEST_CASE(brin_vestiging_gemeente_ids) {
    BOOST_TEST(brin_valid("12AB"));
    BOOST_TEST(!brin_valid("12ab"));
    BOOST_TEST(!brin_valid("1AB2"));
    BOOST_TEST(!brin_valid("12ABC"));
    BOOST_TEST(vestiging_valid("00"));
    BOOST_TEST(!vestiging_valid("0"));
    BOOST_TEST(gemeentecode_format_valid("0363"));
    BOOST_TEST(!gemeentecode_format_valid("363"));
    BOOST_TEST(message_id_valid("12AB-2026-11-23-0001"));
    BOOST_TEST(message_id_valid("a.b_c:d-e"));
    BOOST_TEST(!message_id_valid(""));
    BOOST_TEST(!message_id_valid(std::string(65, 'a')));
    BOOST_TEST(message_id_valid(std::string(64, 'a')));
    BOOST_TEST(!message_id_valid("id with space"));
    BOOST_TEST(!message_id_valid("id/slash"));
    BOOST_TEST(oin_format_valid("00000099000000000201"));
    BOOST_TEST(!oin_format_valid("0000009900000000020"));
    BOOST_TEST(!oin_format_valid("0000009900000000020x"));
}

BOOST_AUTO_TEST_SUITE_END()
