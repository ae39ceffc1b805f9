#pragma once
// The actor of one task: waits for a dep_done from every task it depends on,
// collects the variables it imports from them, takes a run slot, starts its
// driver, masks and forwards what the task prints, retries and times out as
// the task says, and finally reports to the supervisor and tells its dependents.
#include <memory>
#include <vector>

#include "actors/messages.hpp"
#include "actors/run_context.hpp"

namespace runner {

struct task_actor_args {
  std::shared_ptr<const run_context> ctx;
  size_t index = 0;            // into ctx->group->tasks
  size_t waits_for = 0;        // number of distinct tasks it depends on
  std::vector<task_actor> dependents;
  supervisor_actor supervisor;
};

task_actor spawn_task_actor(caf::actor_system& sys, task_actor_args args);

}  // namespace runner
