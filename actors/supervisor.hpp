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

// Ready tasks whose driver finishes them inside start() (driver.hpp) are
// spawned at most this many at a time; the others wait as `queued`. They wait
// for nothing once spawned, so holding the rest back costs no parallelism,
// while a fan-out of 100,000 of them no longer makes 100,000 actors at once
// (peak RSS 3.3 KB a task instead of 1.6 KB, and slower for the cache misses).
constexpr size_t at_once_window = 256;

// Exit code of `runner run` for a finished group (SPEC.md §5).
int exit_code_of(const group_report& report);

}  // namespace runner
