#pragma once
// The observer of a group or task that runs here (or that this node relays)
// for a remote submitter: it passes progress to the submitter's endpoint
// instead of printing it. Log lines go in batches, at most two of them
// unanswered (wire.hpp, log_batch): a line's ticket (drivers/output_flow.hpp)
// is held until the submitter answered its batch, so a task that prints
// faster than the submitter shows it is slowed, and the node holds at most
// its output window per task. Everything else waits behind the lines before
// it, so the submitter sees progress in order. Task reports of work run here
// go out with confidential export values replaced by `***` — a forwarded
// group's secrets stay on the node that ran it.
#include "net/wire.hpp"

namespace runner {

enum class relay_reports {
  none,      // the outcome says it all (a single forwarded task)
  masked,    // a group run here: its secrets stay here
  verbatim,  // passed on from the next node, which masked them already
};

observer_actor spawn_progress_relay(caf::actor_system& sys, progress_actor endpoint,
                                    relay_reports reports);

// A copy of `r` fit to leave this node.
task_report masked_report(task_report r);

}  // namespace runner
