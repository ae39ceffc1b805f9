#include "config/address.hpp"

#include <gtest/gtest.h>

namespace runner {
namespace {

TEST(Address, AcceptsIpv4HostnameAndBracketedIpv6) {
  auto a = parse_address("10.0.0.5:7700", false);
  ASSERT_TRUE(a.ok) << a.problem;
  EXPECT_EQ(a.host, "10.0.0.5");
  EXPECT_EQ(a.port, 7700);
  auto h = parse_address("node-b.example.com:1", false);
  ASSERT_TRUE(h.ok) << h.problem;
  EXPECT_EQ(h.host, "node-b.example.com");
  auto v6 = parse_address("[::1]:65535", false);
  ASSERT_TRUE(v6.ok) << v6.problem;
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 65535);
}

TEST(Address, PortZeroOnlyWhereAllowed) {
  EXPECT_TRUE(parse_address("127.0.0.1:0", true).ok);
  EXPECT_FALSE(parse_address("127.0.0.1:0", false).ok);
}

TEST(Address, RejectsMalformed) {
  for (const char* bad :
       {"7700", ":7700", "host:", "host:65536", "host:-1", "host:77a", "256.1.1.1:80", "1.2.3:80",
        "::1:80", "[::1]80", "[::1:80", "[zz]:80", "bad_host:80", "-host:80", "a..b:80"})
    EXPECT_FALSE(parse_address(bad, true).ok) << bad;
}

TEST(Address, Loopback) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.255.3.4"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(is_loopback_host("127.example.com"));
  EXPECT_FALSE(is_loopback_host("::"));
}

}  // namespace
}  // namespace runner
