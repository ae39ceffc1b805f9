#pragma once
// host:port as written in a node config: IPv4, a host name, or [IPv6].
#include <cstdint>
#include <string>

namespace runner {

struct address_check {
  bool ok = false;
  std::string host;  // without the brackets of an IPv6 address
  uint16_t port = 0;
  std::string problem;  // completes "`x` is not a valid address: ..."
};

// Port 0 ("any free port") makes sense only where we listen.
address_check parse_address(const std::string& text, bool allow_port_zero);

// 127.0.0.0/8, ::1 and localhost: the only hosts that may go without TLS.
bool is_loopback_host(const std::string& host);

}  // namespace runner
