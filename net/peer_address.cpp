#include "net/peer_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>

namespace runner {

std::string address_text(const sockaddr_storage& a) {
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (a.ss_family == AF_INET) {
    auto* v4 = reinterpret_cast<const sockaddr_in*>(&a);
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    port = ntohs(v4->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (a.ss_family == AF_INET6) {
    auto* v6 = reinterpret_cast<const sockaddr_in6*>(&a);
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    port = ntohs(v6->sin6_port);
    return "[" + std::string(host) + "]:" + std::to_string(port);
  }
  return "?";
}

std::string host_of(const std::string& address) {
  auto colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

std::string address_key(const sockaddr_storage& a) {
  if (a.ss_family != AF_INET6)
    return host_of(address_text(a));
  in6_addr prefix = reinterpret_cast<const sockaddr_in6*>(&a)->sin6_addr;
  char host[INET6_ADDRSTRLEN] = "?";
  if (IN6_IS_ADDR_V4MAPPED(&prefix)) {
    inet_ntop(AF_INET, &prefix.s6_addr[12], host, sizeof host);
    return host;
  }
  std::fill(prefix.s6_addr + 8, prefix.s6_addr + 16, 0);
  inet_ntop(AF_INET6, &prefix, host, sizeof host);
  return std::string(host) + "/64";
}

}  // namespace runner
