#pragma once
// The `github` and `runner` contexts of a run and the environment variables
// GitHub's runner derives from them (GITHUB_*, RUNNER_*, INPUT_*). Pure.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "drivers/github_action/action_task_spec.hpp"

namespace runner::gh {

struct run_facts {
  std::string group_id;  // github.workflow unless set
  std::string task_name;  // github.job unless set
  std::string run_id;    // the task run's id; a numeric github.run_id is derived from it
  int attempt = 1;
  std::string workspace;
  std::string event_path;  // a file holding the event payload ({})
};

// The job's github context: the spec's `github:` values over GitHub-like
// defaults. The per-action keys (action, action_path, ...) are set later.
nlohmann::json make_github_context(const action_task_spec& spec, const run_facts& facts);

nlohmann::json make_runner_context(const std::string& node_name, const std::string& temp,
                                   const std::string& tool_cache);

// GITHUB_<KEY> for the github context's string values GitHub's runner
// exports, and RUNNER_<KEY> for the runner context's.
std::map<std::string, std::string> github_variables(const nlohmann::json& github);
std::map<std::string, std::string> runner_variables(const nlohmann::json& runner);

// GitHub's name mangling: INPUT_ + name with spaces as '_', upper case ('-' stays).
std::string input_variable(const std::string& input_name);

}  // namespace runner::gh
