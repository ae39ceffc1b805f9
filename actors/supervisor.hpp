#pragma once
// The supervisor of one task group. It spawns a task's actor only once every
// task it depends on has succeeded — and, for process-backed types, once a run
// slot is free — then forwards the dep_done messages that carry the imported
// variables. So only ready and running tasks cost an actor, which keeps a
// 10,000-task group small. A failed, skipped or cancelled task makes its
// dependents `skipped` without ever spawning them. It answers `run` with the
// group report once every task has a result.
#include <memory>

#include "actors/messages.hpp"
#include "actors/run_context.hpp"

namespace runner {

supervisor_actor spawn_supervisor(caf::actor_system& sys, std::shared_ptr<const run_context> ctx);

// Exit code of `runner run` for a finished group (SPEC.md §5).
int exit_code_of(const group_report& report);

}  // namespace runner
