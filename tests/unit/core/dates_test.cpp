#include <boost/test/unit_test.hpp>

#include "core/dates.hpp"

using namespace dg;

BOOST_AUTO_TEST_SUITE(dates)

BOOST_AUTO_TEST_CASE(real_calendar_dates_only) {
    BOOST_TEST(parse_date("2024-02-29").has_value());
    BOOST_TEST(!parse_date("2026-02-29").has_value());
    BOOST_TEST(!parse_date("1900-02-29").has_value());
    BOOST_TEST(parse_date("2000-02-29").has_value());
    BOOST_TEST(!parse_date("2026-13-01").has_value());
    BOOST_TEST(!parse_date("2026-04-31").has_value());
    BOOST_TEST(!parse_date("2026-4-01").has_value());
    BOOST_TEST(!parse_date("2026-04-01T00:00").has_value());
    BOOST_TEST(!parse_date("").has_value());
}

BOOST_AUTO_TEST_CASE(day_numbers_round_trip) {
    BOOST_TEST((Date{1970, 1, 1}.days() == 0));
    BOOST_TEST((Date{2000, 3, 1}.days() - Date{2000, 2, 28}.days() == 2));
    for (std::int64_t d = -1000; d < 40000; d += 37) BOOST_TEST(Date::from_days(d).days() == d);
    BOOST_TEST((Date::from_days(Date{2026, 11, 23}.days()).iso() == "2026-11-23"));
}

BOOST_AUTO_TEST_CASE(rfc3339_needs_an_offset) {
    BOOST_TEST(parse_rfc3339_local_date("2026-11-23T09:15:00+01:00").value().iso() == "2026-11-23");
    BOOST_TEST(parse_rfc3339_local_date("2026-11-23T09:15:00.123Z").has_value());
    BOOST_TEST(!parse_rfc3339_local_date("2026-11-23T09:15:00").has_value());
    BOOST_TEST(!parse_rfc3339_local_date("2026-11-23 09:15:00Z").has_value());
    BOOST_TEST(!parse_rfc3339_local_date("2026-11-23T25:15:00Z").has_value());
    BOOST_TEST(!parse_rfc3339_local_date("2026-11-23T09:15:00+0100").has_value());
}

BOOST_AUTO_TEST_CASE(age_changes_on_the_birthday) {
    const Date birth{2012, 4, 1};
    BOOST_TEST((age_on(birth, {2030, 3, 31}) == 17));
    BOOST_TEST((age_on(birth, {2030, 4, 1}) == 18));
    BOOST_TEST((age_on(birth, {2030, 4, 2}) == 18));
    BOOST_TEST((age_on(birth, {2012, 4, 1}) == 0));
    const Date leapling{2008, 2, 29};
    BOOST_TEST((age_on(leapling, {2026, 2, 28}) == 17));
    BOOST_TEST((age_on(leapling, {2026, 3, 1}) == 18));
    BOOST_TEST((age_on(leapling, {2028, 2, 29}) == 20));
    BOOST_TEST(add_years(leapling, 1).iso() == "2009-02-28");
}

BOOST_AUTO_TEST_SUITE_END()
