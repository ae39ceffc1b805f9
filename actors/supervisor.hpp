#pragma once
// The supervisor of one task group: spawns one actor per task, wired so that
// each knows the tasks waiting for it, bounds how many process-backed tasks run
// at once, relays cancellation, and answers `run` with the group report once
// every task has reported.
#include <memory>

#include "actors/messages.hpp"
#include "actors/run_context.hpp"

namespace runner {

supervisor_actor spawn_supervisor(caf::actor_system& sys, std::shared_ptr<const run_context> ctx);

// Exit code of `runner run` for a finished group (SPEC.md §5).
int exit_code_of(const group_report& report);

}  // namespace runner
