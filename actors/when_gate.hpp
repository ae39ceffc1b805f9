#pragma once
// Decides a task's `when:` once everything it waits for has ended: the
// condition sees the task's imports, the statuses of those tasks and the
// spec's `envs` (with their templates resolved).
#include <map>
#include <string>

#include "schema/model.hpp"

namespace runner {

struct when_decision {
  bool run = true;
  std::string error;  // the condition could not be evaluated: the task fails
};

when_decision decide_when(const task_decl& task, const json& rendered_spec,
                          const std::map<std::string, std::string>& imports,
                          const std::map<std::string, std::string>& statuses);

}  // namespace runner
