#pragma once
// The OUTPUT_FILE format (GitHub Actions' GITHUB_OUTPUT): `name=value` lines and
// `name<<DELIM` ... `DELIM` blocks for multi-line values.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "drivers/limits.hpp"

namespace runner {

struct output_file_result {
  std::map<std::string, std::string> values;  // a later assignment wins
  std::optional<std::string> error;           // "OUTPUT_FILE line 3: ..." with what to do
};

// `complete` = the task has ended. While it runs, a block that is not closed yet
// is just not returned; once it has ended, it is an error.
output_file_result parse_output_file(std::string_view content, const output_limits& limits,
                                     bool complete);

}  // namespace runner
