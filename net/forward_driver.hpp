#pragma once
// The driver behind `forward.to` on a task: the task actor starts it like any
// other driver, and it runs the task on another node through a remote call.
// Timeouts and retries stay with the task actor on the submitting node (one
// remote run per attempt); log lines come back masked and are masked again
// here; the outputs that come back are the task's exports.
#include <memory>

#include "drivers/driver.hpp"
#include "net/remote_call.hpp"

namespace runner {

std::shared_ptr<driver> make_forward_driver(caf::actor_system& sys,
                                            std::shared_ptr<const call_env> env);

}  // namespace runner
