#pragma once
// Durations as users write them: "500ms", "30s", "5m", "1h30m", "2h", or a bare
// number of seconds.
#include <chrono>
#include <optional>
#include <string>

namespace runner {

std::optional<std::chrono::milliseconds> parse_duration(const std::string& text);
std::string format_duration(std::chrono::milliseconds d);  // "1h30m", "250ms", "0s"

}  // namespace runner
