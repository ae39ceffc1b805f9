#pragma once
// The observer of a group or task that runs here for a remote submitter: it
// passes progress to the submitter's endpoint instead of printing it. Task
// reports go out with confidential export values replaced by `***` — a
// forwarded group's secrets stay on the node that ran it.
#include "net/wire.hpp"

namespace runner {

observer_actor spawn_progress_relay(caf::actor_system& sys, progress_actor endpoint,
                                    bool send_reports);

// A copy of `r` fit to leave this node.
task_report masked_report(task_report r);

}  // namespace runner
