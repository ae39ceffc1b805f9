#include "net/peer_address.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace runner {
namespace {

sockaddr_storage v4(const char* host, uint16_t port) {
  sockaddr_storage s{};
  auto* a = reinterpret_cast<sockaddr_in*>(&s);
  a->sin_family = AF_INET;
  a->sin_port = htons(port);
  inet_pton(AF_INET, host, &a->sin_addr);
  return s;
}

sockaddr_storage v6(const char* host, uint16_t port) {
  sockaddr_storage s{};
  auto* a = reinterpret_cast<sockaddr_in6*>(&s);
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(port);
  inet_pton(AF_INET6, host, &a->sin6_addr);
  return s;
}

TEST(PeerAddress, Text) {
  EXPECT_EQ(address_text(v4("10.1.2.3", 7702)), "10.1.2.3:7702");
  EXPECT_EQ(address_text(v6("::1", 7702)), "[::1]:7702");
  EXPECT_EQ(host_of("[::1]:7702"), "[::1]");
}

TEST(PeerAddress, IPv4CountsPerAddress) {
  EXPECT_EQ(address_key(v4("10.1.2.3", 1)), "10.1.2.3");
  EXPECT_NE(address_key(v4("10.1.2.3", 1)), address_key(v4("10.1.2.4", 1)));
  EXPECT_EQ(address_key(v4("10.1.2.3", 1)), address_key(v4("10.1.2.3", 2)));
}

TEST(PeerAddress, IPv6CountsPerSlash64) {
  // One host picks any of 2^64 addresses of its /64: all count as one.
  EXPECT_EQ(address_key(v6("2001:db8:1:2::1", 1)), "2001:db8:1:2::/64");
  EXPECT_EQ(address_key(v6("2001:db8:1:2:ffff:1234:5678:9abc", 1)), "2001:db8:1:2::/64");
  EXPECT_NE(address_key(v6("2001:db8:1:3::1", 1)), address_key(v6("2001:db8:1:2::1", 1)));
  EXPECT_EQ(address_key(v6("::ffff:10.1.2.3", 1)), "10.1.2.3");
}

}  // namespace
}  // namespace runner
