#pragma once
// GitHub Actions file commands: what a step wrote to GITHUB_OUTPUT,
// GITHUB_ENV, GITHUB_STATE and GITHUB_PATH, read after the step the way
// GitHub's runner reads them (FileCommandManager.cs), with the runner's
// messages. Pure: the caller creates the files empty before the step (the
// toolkit throws if one is missing), reads them afterwards and passes their
// content here, also when the step failed.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/limits.hpp"

namespace runner::gh {

enum class file_command : uint8_t { output, env, state, path };

struct file_command_result {
  std::map<std::string, std::string> values;  // output, env, state; a later one wins
  std::vector<std::string> paths;             // path: its non-empty lines, in order
  std::vector<std::string> log;               // "##[error]..." lines as GitHub prints them
  std::string failure;                        // not empty: the step fails with this message
};

// Values before a malformed line are kept, as GitHub applies them before it
// fails the step. `limits` bounds each value and each file (ours; GitHub has
// no such limit on these files).
file_command_result read_file_command(file_command which, std::string_view content,
                                      const output_limits& limits);

// The runner's list of GITHUB_PATH additions across steps: a path added
// again moves to the end, the latest addition wins.
void add_paths(std::vector<std::string>& prepended, const std::vector<std::string>& added);

// PATH for a later step: the latest addition first, then `path`.
std::string prepend_paths(const std::vector<std::string>& prepended, std::string_view path);

}  // namespace runner::gh
