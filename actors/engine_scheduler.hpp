#pragma once
// The scheduler of every runner process: CAF's coordinator with the
// local-first policy (local_first_policy.hpp) and a clock that ending actors do
// not wake (quiet_clock.hpp). With one short-lived actor per task, CAF's own
// work sharing spent most of a 100,000-task run waking threads
// (bench/README.md, "In-process engine throughput").
#include <caf/all.hpp>

namespace runner {

// Loads the scheduler into `cfg`, in place of `scheduler.policy`; the other
// scheduler options (`scheduler.max-threads`, ...) still apply.
void use_engine_scheduler(caf::actor_system_config& cfg);

}  // namespace runner
