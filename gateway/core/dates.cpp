#include "core/dates.hpp"

#include <chrono>
#include <cstdio>

namespace dg {
namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
    static constexpr int table[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : table[m - 1];
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

std::optional<Date> date_prefix(std::string_view t) {
    Date d;
    if (t.size() < 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
    if (!digits(t, 0, 4, d.year) || !digits(t, 5, 2, d.month) || !digits(t, 8, 2, d.day)) return std::nullopt;
    if (d.year < 1900 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month)) return std::nullopt;
    return d;
}

}  // namespace

// Howard Hinnant's days_from_civil, in the proleptic Gregorian calendar.
std::int64_t Date::days() const {
    const int y = year - (month <= 2);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned mp = static_cast<unsigned>(month + (month > 2 ? -3 : 9));
    const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(day) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Date Date::from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    Date d;
    d.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    d.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    d.year = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (d.month <= 2));
    return d;
}

std::string Date::iso() const {
    if (year < 0 || year > 9999 || month < 0 || month > 99 || day < 0 || day > 99) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
        return buf;
    }
    // The common case without printf: it runs for every record kept (retention dates).
    std::string s = "0000-00-00";
    auto put = [&](std::size_t at, int v, int width) {
        for (int k = width - 1; k >= 0; --k, v /= 10) s[at + static_cast<std::size_t>(k)] = static_cast<char>('0' + v % 10);
    };
    put(0, year, 4);
    put(5, month, 2);
    put(8, day, 2);
    return s;
}

std::optional<Date> parse_date(std::string_view text) {
    if (text.size() != 10) return std::nullopt;
    return date_prefix(text);
}

std::optional<Date> parse_rfc3339_local_date(std::string_view t) {
    // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
    auto d = date_prefix(t);
    if (!d || t.size() < 20 || (t[10] != 'T' && t[10] != 't') || t[13] != ':' || t[16] != ':') return std::nullopt;
    int hh, mm, ss;
    if (!digits(t, 11, 2, hh) || !digits(t, 14, 2, mm) || !digits(t, 17, 2, ss) || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
    std::size_t pos = 19;
    if (pos < t.size() && t[pos] == '.') {
        std::size_t start = ++pos;
        while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
        if (pos == start || pos - start > 9) return std::nullopt;
    }
    std::string_view zone = t.substr(pos);
    if (zone == "Z" || zone == "z") return d;
    int oh, om;
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || !digits(zone, 1, 2, oh) || !digits(zone, 4, 2, om) || oh > 23 ||
        om > 59)
        return std::nullopt;
    return d;
}

std::optional<std::int64_t> rfc3339_epoch_ms(std::string_view t) {
    if (!parse_rfc3339_local_date(t)) return std::nullopt;
    const Date d = *date_prefix(t);
    int hh = 0, mm = 0, ss = 0;
    digits(t, 11, 2, hh);
    digits(t, 14, 2, mm);
    digits(t, 17, 2, ss);
    std::int64_t ms = ((d.days() * 24 + hh) * 60 + mm) * 60 * 1000 + std::int64_t(std::min(ss, 59)) * 1000;
    std::size_t pos = 19;
    if (t[pos] == '.') {
        int scale = 100;
        for (++pos; pos < t.size() && t[pos] >= '0' && t[pos] <= '9'; ++pos, scale /= 10) ms += (t[pos] - '0') * scale;
    }
    const std::string_view zone = t.substr(pos);
    if (zone.size() == 6) {
        int oh = 0, om = 0;
        digits(zone, 1, 2, oh);
        digits(zone, 4, 2, om);
        const std::int64_t offset = (std::int64_t(oh) * 60 + om) * 60 * 1000;
        ms += zone[0] == '+' ? -offset : offset;
    }
    return ms;
}

int age_on(const Date& birth, const Date& on) {
    int age = on.year - birth.year;
    // A 29 February birthday is reached on 1 March in common years.
    int bm = birth.month, bd = birth.day;
    if (bm == 2 && bd == 29 && !leap(on.year)) {
        bm = 3;
        bd = 1;
    }
    if (on.month < bm || (on.month == bm && on.day < bd)) --age;
    return age;
}

Date add_years(const Date& d, int years) {
    Date r{d.year + years, d.month, d.day};
    if (r.month == 2 && r.day == 29 && !leap(r.year)) r.day = 28;
    return r;
}

Date today_utc() {
    using namespace std::chrono;
    return Date::from_days(duration_cast<days>(system_clock::now().time_since_epoch()).count());
}

std::string now_rfc3339_utc() {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
    const std::int64_t secs = ms / 1000;
    const Date d = Date::from_days(secs / 86400);
    const std::int64_t sod = secs % 86400;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month, d.day, static_cast<int>(sod / 3600),
                  static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60), static_cast<int>(ms % 1000));
    return buf;
}

}  // namespace dg
