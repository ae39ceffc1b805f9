#pragma once
// The files a step's file commands go to (GITHUB_OUTPUT, GITHUB_ENV,
// GITHUB_STATE, GITHUB_PATH, GITHUB_STEP_SUMMARY): fresh and empty before
// each step, as GitHub's runner makes them (the toolkit refuses to write to a
// file that does not exist), read and removed after it.
#include <map>
#include <string>

#include "drivers/github_action/file_commands.hpp"
#include "drivers/limits.hpp"

namespace runner::gh {

struct step_files {
  std::string output, env, state, path, step_summary;
  bool ok = false;
  std::string error;  // when !ok

  // GITHUB_OUTPUT=... and the other four, for the step's environment.
  std::map<std::string, std::string> variables() const;
};

// Creates the five files in `dir` (made if missing), named <prefix><uuid>.
step_files create_step_files(const std::string& dir);

// What the step wrote to one of them; a file over `limit` bytes is refused.
std::string read_step_file(const std::string& path, size_t limit, std::string& error);

void remove_step_files(const step_files& f);

}  // namespace runner::gh
