#pragma once
// The spec of a `github_action` task (SPEC.md §6): which action, its inputs,
// extra environment, the workspace and the github-context values the run
// pretends to have. One reading for validation and for the run.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "schema/model.hpp"

namespace runner::gh {

struct action_task_spec {
  std::string uses;
  std::map<std::string, std::string> with;  // values as written; may hold `${{ }}`
  std::map<std::string, std::string> env;   // likewise
  std::string workspace;                    // empty: the runner's working directory
  bool inherit_env = false;                 // the runner's whole environment, not just PATH/HOME/LANG
  std::map<std::string, std::string> github;  // github-context keys the user set
};

// The github-context keys a spec may set (`github: {repository: o/r}`), each
// also exported as GITHUB_<KEY>.
const std::vector<std::string>& settable_github_keys();

// For a spec that passed check_action_task_spec.
action_task_spec read_action_task_spec(const json& spec);

void check_action_task_spec(const task_decl& task, const std::string& file, diagnostics& out);

}  // namespace runner::gh
