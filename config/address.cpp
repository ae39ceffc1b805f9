#include "config/address.hpp"

#include <cctype>

namespace runner {

namespace {

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool valid_ipv4(const std::string& s) {
  size_t start = 0;
  for (int part = 0; part < 4; ++part) {
    size_t dot = s.find('.', start);
    if ((part < 3) != (dot != std::string::npos)) return false;
    std::string octet = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!all_digits(octet) || octet.size() > 3 || std::stoi(octet) > 255) return false;
    start = dot + 1;
  }
  return true;
}

// Letters, digits and '-' in dot-separated labels, as DNS allows.
bool valid_hostname(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string label = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// Loose on purpose: the resolver has the last word; this catches typos.
bool valid_ipv6(const std::string& s) {
  if (s.find(':') == std::string::npos) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
  return true;
}

// A dotted name made only of digits is an IPv4 address with a typo, not a host.
bool looks_numeric(const std::string& s) {
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return false;
  return true;
}

}  // namespace

address_check parse_address(const std::string& text, bool allow_port_zero) {
  address_check r;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos) {
      r.problem = "the `[` of an IPv6 address is not closed";
      return r;
    }
    r.host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      r.problem = "the port is missing after `]`";
      return r;
    }
    port_text = text.substr(close + 2);
    if (!valid_ipv6(r.host)) {
      r.problem = "`" + r.host + "` is not an IPv6 address";
      return r;
    }
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) {
      r.problem = "it has no port";
      return r;
    }
    r.host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (r.host.find(':') != std::string::npos) {
      r.problem = "an IPv6 address must be in brackets";
      return r;
    }
    if (r.host.empty()) {
      r.problem = "it has no host";
      return r;
    }
    if (looks_numeric(r.host) ? !valid_ipv4(r.host) : !valid_hostname(r.host)) {
      r.problem = "`" + r.host + "` is not an IPv4 address or host name";
      return r;
    }
  }
  if (!all_digits(port_text) || port_text.size() > 5 || std::stoi(port_text) > 65535) {
    r.problem = "the port `" + port_text + "` is not a number from 1 to 65535";
    return r;
  }
  int port = std::stoi(port_text);
  if (port == 0 && !allow_port_zero) {
    r.problem = "port 0 is not a port a peer can listen on";
    return r;
  }
  r.port = static_cast<uint16_t>(port);
  r.ok = true;
  return r;
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  return valid_ipv4(host) && host.compare(0, 4, "127.") == 0;
}

}  // namespace runner
