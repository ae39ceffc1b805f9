#pragma once
// The runner's state directory (the task cache, the serve incarnation record):
// created on first use, private to its owner, because cache keys and plain
// outputs live there unencrypted.
#include <string>

namespace runner {

// Creates `dir` (and its parents) unless it exists; "" when it is there,
// else what went wrong.
std::string make_state_dir(const std::string& dir);

}  // namespace runner
