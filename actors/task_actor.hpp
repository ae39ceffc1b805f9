#pragma once
// The actor of one task. The supervisor spawns it once every task it depends
// on has succeeded and forwards their dep_done messages, which carry the
// variables it imports. It starts its driver, masks and forwards what the task
// prints, retries and times out as the task says, and reports to the supervisor.
#include <memory>
#include <vector>

#include "actors/messages.hpp"
#include "actors/run_context.hpp"

namespace runner {

struct task_actor_args {
  std::shared_ptr<const run_context> ctx;
  size_t index = 0;            // into ctx->group->tasks
  size_t waits_for = 0;        // dep_done messages to expect before it starts
  bool has_slot = false;       // born holding a run slot (process-backed types)
  supervisor_actor supervisor;
};

// Spawned by `parent` (the supervisor), so that the new actor is scheduled
// on the parent's worker instead of waking another thread.
task_actor spawn_task_actor(caf::local_actor* parent, task_actor_args args);

}  // namespace runner
