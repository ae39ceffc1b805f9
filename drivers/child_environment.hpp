#pragma once
// The environment a task's child process starts from, before its type adds
// its own variables: the runner's whole environment when the task says
// `inherit_env: true`, else only PATH, HOME and LANG; either way those three
// are set (from defaults when the runner has none). One rule for os_exec and
// github_action.
#include <map>
#include <string>
#include <vector>

namespace runner {

std::map<std::string, std::string> base_child_environment(bool inherit);

// "NAME=value" entries, as process_spec::env takes them.
std::vector<std::string> environment_entries(const std::map<std::string, std::string>& env);

}  // namespace runner
