#pragma once
// How the gate writes a peer's socket address in its logs, and what it counts
// connections by for `max_connections_per_address`.
#include <sys/socket.h>

#include <string>

namespace runner {

// "1.2.3.4:5678" or "[::1]:5678".
std::string address_text(const sockaddr_storage& a);
// "1.2.3.4:5678" -> "1.2.3.4"; "[::1]:5678" -> "[::1]".
std::string host_of(const std::string& address);

// What max_connections_per_address counts by: an IPv4 address, or the /64 an
// IPv6 address lies in — one host is usually given a whole /64, so counting
// single IPv6 addresses would bound nothing. IPv4-mapped IPv6 counts as IPv4.
std::string address_key(const sockaddr_storage& a);

}  // namespace runner
