#pragma once
// The runner's own log (not task output): spdlog to stderr, as text or as one
// JSON object per line for log collectors.
#include <string>

namespace runner {

// format: "text" | "json"; level: trace|debug|info|warn|error|off.
// Returns an error message, or "" on success.
std::string setup_logging(const std::string& format, const std::string& level);

}  // namespace runner
