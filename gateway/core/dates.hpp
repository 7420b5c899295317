#pragma once
// Calendar dates without time zones (ISO 8601 "YYYY-MM-DD") and RFC 3339 timestamps.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dg {

struct Date {
    int year = 0, month = 0, day = 0;
    auto operator<=>(const Date&) const = default;
    std::int64_t days() const;  // days since 1970-01-01
    std::string iso() const;
    static Date from_days(std::int64_t days);
};

// Strict "YYYY-MM-DD" that names a real calendar day.
std::optional<Date> parse_date(std::string_view text);

// RFC 3339 date-time with a mandatory offset ("Z" or "+01:00"). Returns the sender's local date.
std::optional<Date> parse_rfc3339_local_date(std::string_view text);

// Whole years completed on `on` by someone born on `birth` (29 February birthdays fall on 1 March).
int age_on(const Date& birth, const Date& on);

// The given date plus whole years, clamping 29 February to 28 February.
Date add_years(const Date& d, int years);

// Milliseconds since the Unix epoch of an RFC 3339 date-time (as parse_rfc3339_local_date accepts).
std::optional<std::int64_t> rfc3339_epoch_ms(std::string_view text);

Date today_utc();
std::string now_rfc3339_utc();  // with milliseconds, e.g. 2026-11-23T09:15:00.123Z

}  // namespace dg
