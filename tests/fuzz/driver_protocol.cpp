// The external-driver protocol decoder (drivers/external/driver_protocol.hpp):
// any line a driver writes gives a message or an error, never both, never a
// crash, and an error never quotes the line (it may hold a secret). A string
// of the line that the decoder's own texts could not contain — 8 bytes or
// more, with a byte other than letters, digits and ` .,;()_-` — must not show
// up in the error.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "drivers/external/driver_protocol.hpp"

namespace {

bool could_be_ours(const std::string& s) {
  for (unsigned char c : s)
    if (!std::isalnum(c) && std::string_view(" .,;()`_-").find(c) == std::string_view::npos)
      return false;
  return true;
}

void check_not_quoted(const nlohmann::json& j, const std::string& error) {
  auto check = [&](const std::string& s) {
    if (s.size() >= 8 && !could_be_ours(s) && error.find(s) != std::string::npos)
      std::abort();
  };
  if (j.is_string())
    check(j.get_ref<const std::string&>());
  if (j.is_object())
    for (const auto& [k, v] : j.items()) {
      check(k);
      check_not_quoted(v, error);
    }
  if (j.is_array())
    for (const auto& v : j)
      check_not_quoted(v, error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  for (size_t max_bytes : {size_t{8} << 20, size_t{64}}) {
    runner::ext::decoded_message d = runner::ext::decode_driver_line(line, max_bytes);
    if (d.message.has_value() == !d.error.empty())
      std::abort();
    if (d.message)
      continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded())
      check_not_quoted(j, d.error);
  }
  return 0;
}
