#pragma once
// Size limits of SPEC.md §4. Configurable per run; exceeding one is a clear task error.
#include <cstddef>

namespace runner {

struct output_limits {
  size_t value_bytes = 1u << 20;   // one output value
  size_t total_bytes = 16u << 20;  // all outputs of one task
  size_t line_bytes = 64u << 10;   // one log line; longer lines are split, never dropped
};

}  // namespace runner
