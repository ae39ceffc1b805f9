#include "schema/duration.hpp"

#include <gtest/gtest.h>

namespace runner {
namespace {

using std::chrono::milliseconds;

TEST(Duration, Parses) {
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("30s"), milliseconds(30000));
  EXPECT_EQ(parse_duration("5m"), milliseconds(300000));
  EXPECT_EQ(parse_duration("2h"), milliseconds(7200000));
  EXPECT_EQ(parse_duration("1h30m"), milliseconds(5400000));
  EXPECT_EQ(parse_duration("1m30s"), milliseconds(90000));
  EXPECT_EQ(parse_duration("1h2m3s4ms"), milliseconds(3723004));
  EXPECT_EQ(parse_duration("0s"), milliseconds(0));
  EXPECT_EQ(parse_duration("45"), milliseconds(45000));  // bare number: seconds
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
}

TEST(Duration, Rejects) {
  for (const char* bad : {"", "-1s", "-5", "+5s", "abc", "s", "1.5s", "5 s", " 5s", "5s ",
                          "1d", "30sec", "1m1m", "30s1h", "5ms3s", "h", "1h30", "99999999999999999999",
                          "9223372036854775807s", "9223372036854775807"})
    EXPECT_FALSE(parse_duration(bad)) << '"' << bad << '"';
}

TEST(Duration, LargestValues) {
  EXPECT_TRUE(parse_duration("2562047788015h"));
  EXPECT_FALSE(parse_duration("2562047788016h"));
}

TEST(Duration, Formats) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(5400000)), "1h30m");
  EXPECT_EQ(format_duration(milliseconds(90000)), "1m30s");
  EXPECT_EQ(format_duration(milliseconds(3723004)), "1h2m3s4ms");
  EXPECT_EQ(format_duration(milliseconds(-1500)), "-1s500ms");
}

TEST(Duration, RoundTrips) {
  for (long long ms : {1LL, 999LL, 1000LL, 61001LL, 3600000LL, 86400000LL, 123456789LL})
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))), milliseconds(ms)) << ms;
}

}  // namespace
}  // namespace runner
