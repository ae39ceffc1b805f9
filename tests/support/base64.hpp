#pragma once
// Standard base64 with padding, as coreutils' `base64` writes it (unwrapped),
// written independently of the masker so that tests check it against a
// second implementation.
#include <string>
#include <string_view>

namespace runner::test {

inline std::string base64(std::string_view in) {
  static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (unsigned char c : in) {
    v = (v << 8) | c;
    for (bits += 8; bits >= 6; bits -= 6)
      out += a[(v >> (bits - 6)) & 63];
  }
  if (bits > 0)
    out += a[(v << (6 - bits)) & 63];
  while (out.size() % 4)
    out += '=';
  return out;
}

}  // namespace runner::test
