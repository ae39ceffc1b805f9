#pragma once
// The OUTPUT_FILE format (GitHub Actions' GITHUB_OUTPUT): `name=value` lines and
// `name<<DELIM` ... `DELIM` blocks for multi-line values.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "drivers/limits.hpp"

namespace runner {

struct output_file_result {
  std::map<std::string, std::string> values;  // a later assignment wins
  // os_exec: "OUTPUT_FILE line 3: ..." with what to do. github: the runner's
  // own text ("Invalid format '...'"). Values before the error are kept, as
  // GitHub applies them.
  std::optional<std::string> error;
};

// Same grammar, two dialects. os_exec's is forgiving where GitHub's runner is
// not and strict where it is lax: CRLF and blank lines are fine, names must be
// identifiers, and errors say what to do. github is GitHub's runner on Linux
// (EnvFileKeyValuePairs) for GITHUB_OUTPUT/ENV/STATE: only "\n" ends a line
// (a "\r" stays in the value), only empty lines are skipped, any non-empty
// name goes, a block's last value line needs its newline, a UTF-8 BOM is
// dropped, and the messages are the runner's.
enum class output_file_rules : uint8_t { os_exec, github };

// `complete` = the task has ended. While it runs, a block that is not closed yet
// is just not returned; once it has ended, it is an error.
output_file_result parse_output_file(std::string_view content, const output_limits& limits,
                                     bool complete,
                                     output_file_rules rules = output_file_rules::os_exec);

}  // namespace runner
