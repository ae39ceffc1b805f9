#include "schema/duration.hpp"

#include <cstdint>
#include <limits>

namespace runner {

namespace {

struct unit {
  const char* suffix;
  int64_t ms;
};

// Longest suffix first so "ms" is not read as "m" followed by garbage.
const unit kUnits[] = {{"ms", 1}, {"h", 3600000}, {"m", 60000}, {"s", 1000}};

int rank(int64_t ms) {  // units must come largest first: "1h30m", not "30m1h"
  return ms == 3600000 ? 0 : ms == 60000 ? 1 : ms == 1000 ? 2 : 3;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  if (text.empty())
    return std::nullopt;

  // A bare integer is a number of seconds: `timeout: 30`.
  bool all_digits = text.find_first_not_of("0123456789") == std::string::npos;
  if (all_digits) {
    int64_t seconds = 0;
    for (char c : text) {
      if (seconds > (max - (c - '0')) / 10)
        return std::nullopt;
      seconds = seconds * 10 + (c - '0');
    }
    if (seconds > max / 1000)
      return std::nullopt;
    return std::chrono::milliseconds(seconds * 1000);
  }

  int64_t total = 0;
  int last_rank = -1;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] < '0' || text[i] > '9')
      return std::nullopt;  // also rejects a sign: durations are never negative
    int64_t n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (n > (max - (text[i] - '0')) / 10)
        return std::nullopt;
      n = n * 10 + (text[i] - '0');
      ++i;
    }
    const unit* u = nullptr;
    for (const unit& candidate : kUnits) {
      if (text.compare(i, std::char_traits<char>::length(candidate.suffix), candidate.suffix) == 0) {
        u = &candidate;
        break;
      }
    }
    if (!u || rank(u->ms) <= last_rank)
      return std::nullopt;
    last_rank = rank(u->ms);
    i += std::char_traits<char>::length(u->suffix);
    if (n > max / u->ms || total > max - n * u->ms)
      return std::nullopt;
    total += n * u->ms;
  }
  return std::chrono::milliseconds(total);
}

std::string format_duration(std::chrono::milliseconds d) {
  // Unsigned magnitude so that the most negative value does not overflow.
  int64_t count = d.count();
  uint64_t ms = count < 0 ? 0 - static_cast<uint64_t>(count) : static_cast<uint64_t>(count);
  if (ms == 0)
    return "0s";
  std::string out = count < 0 ? "-" : "";
  const uint64_t parts[] = {3600000, 60000, 1000, 1};
  const char* names[] = {"h", "m", "s", "ms"};
  for (int i = 0; i < 4; ++i) {
    if (ms >= parts[i]) {
      out += std::to_string(ms / parts[i]) + names[i];
      ms %= parts[i];
    }
  }
  return out;
}

}  // namespace runner
