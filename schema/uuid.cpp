#include "schema/uuid.hpp"

#include <random>

namespace runner {

std::string make_uuid() {
  // Seeded once per thread from the OS; ids need to be unique, not secret.
  thread_local std::mt19937_64 gen{(static_cast<uint64_t>(std::random_device{}()) << 32) ^
                                   std::random_device{}()};
  uint64_t a = gen(), b = gen();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  // By hand: snprintf cost more than the rest of a task's bookkeeping (one
  // id per task run).
  static const char hex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t pos = 0;
  auto put = [&](uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; --i)
      out[pos++] = hex[(v >> (4 * i)) & 0xf];
  };
  put(a >> 32, 8);
  ++pos;
  put(a >> 16, 4);
  ++pos;
  put(a, 4);
  ++pos;
  put(b >> 48, 4);
  ++pos;
  put(b, 12);
  return out;
}

}  // namespace runner
