#pragma once
// A restarted `runner serve` ends what its previous incarnation left running.
//
// Normally nothing is left: the spawner (spawner.hpp) ends every task process
// when the runner is gone. This is for when the spawner went too (a SIGKILL
// to both, the OOM killer): the tasks are then init's, no parent link leads to
// them, and only a mark finds them. Every task process gets
// RUNNER_INCARNATION=<random id> in its environment (inherited by what it
// starts); the id is kept in <state_dir>/incarnation-<node name> with the
// serve's pid and start time; at start, serve freezes and SIGKILLs every
// process of its user whose environment holds the previous id — unless the
// serve that recorded it still runs — then writes a new one. A process that
// clears its environment escapes this (docs/security.md says so).
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace runner {

inline constexpr const char* kIncarnationVariable = "RUNNER_INCARNATION";

struct incarnation {
  std::string mark;            // "RUNNER_INCARNATION=<id>", for every task's environment
  size_t ended_from_before = 0;
  std::string error;           // the record could not be written; mark is still set
};

// Ends what the incarnation of `node_name` recorded in `state_dir` left,
// records a new one.
incarnation begin_incarnation(const std::string& state_dir, const std::string& node_name);

// Processes (of any user whose /proc/PID/environ we may read) whose
// environment holds `mark`, exactly.
std::vector<pid_t> processes_marked(const std::string& mark);

}  // namespace runner
