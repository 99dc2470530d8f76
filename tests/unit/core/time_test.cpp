#include <boost/test/unit_test.hpp>

#include <creodias/error.hpp>
#include <creodias/time.hpp>

#include <ctime>
#include <random>

using namespace creodias;

BOOST_AUTO_TEST_SUITE(time_parsing)

// libc's timegm is the independent oracle for calendar arithmetic.
BOOST_AUTO_TEST_CASE(random_dates_match_timegm) {
    std::mt19937 rng(7);
    for (int i = 0; i < 20000; ++i) {
        std::tm tm{};
        tm.tm_year = static_cast<int>(rng() % 300) + 1850 - 1900;
        tm.tm_mon = static_cast<int>(rng() % 12);
        tm.tm_mday = 1 + static_cast<int>(rng() % 28);
        tm.tm_hour = static_cast<int>(rng() % 24);
        tm.tm_min = static_cast<int>(rng() % 60);
        tm.tm_sec = static_cast<int>(rng() % 60);
        std::int64_t expect = static_cast<std::int64_t>(timegm(&tm)) * 1000000;
        char buf[64];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
        Timestamp t = parse_datetime(buf);
        BOOST_REQUIRE_EQUAL(t.us, expect);
        BOOST_REQUIRE_EQUAL(format_datetime(t), buf);
    }
}

BOOST_AUTO_TEST_CASE(forms_and_offsets) {
    auto ref = parse_datetime("2021-04-06T10:20:30Z").us;
    BOOST_CHECK_EQUAL(parse_datetime("2021-04-06T10:20:30").us, ref);  // naive = UTC
    BOOST_CHECK_EQUAL(parse_datetime("2021-04-06 12:20:30+02:00").us, ref);
    BOOST_CHECK_EQUAL(parse_datetime("2021-04-06T05:20:30-0500").us, ref);
    BOOST_CHECK_EQUAL(parse_datetime("20210406T102030").us, ref);
    BOOST_CHECK_EQUAL(parse_datetime("2021-04-06T10:20:30.123456789Z").us, ref + 123456);
    BOOST_CHECK_EQUAL(parse_datetime("2021-04-06T10:20:30.5Z").us, ref + 500000);
    BOOST_CHECK_EQUAL(parse_datetime_end("2021-04-06").us, parse_datetime("2021-04-07").us - 1);
    BOOST_CHECK_EQUAL(format_datetime(Timestamp{ref + 123000}), "2021-04-06T10:20:30.123Z");
    BOOST_CHECK_EQUAL(format_datetime(Timestamp{ref + 123456}), "2021-04-06T10:20:30.123456Z");
    BOOST_CHECK_EQUAL(format_datetime(parse_datetime("1969-12-31T23:59:59.5Z")), "1969-12-31T23:59:59.500Z");
    BOOST_CHECK_EQUAL(parse_datetime("2024-02-29").us, Timestamp::from_civil(2024, 2, 29).us);
}

BOOST_AUTO_TEST_CASE(bad_dates_are_rejected) {
    for (const char* bad : {"", "2021", "2021-13-01", "2021-02-29", "2021-04-31", "2021-04-06T25:00:00",
                            "2021-04-06T10:61:00", "2021-04-06T10:20:30+25:00", "2021-04-06X", "06/04/2021",
                            "2021-04-06T10:20:30.Z", "2021-04-06T10:20:30Zjunk", "' OR 1=1 --"})
        BOOST_CHECK_THROW(parse_datetime(bad), InvalidArgument);
}

BOOST_AUTO_TEST_SUITE_END()
