#pragma once
// Shows a running group to a person. On a terminal: task logs scroll while a
// footer shows the running tasks with their durations and the counts so far.
// Elsewhere: plain prefixed lines, one per log line and per finished task.
// Writing to a terminal or pipe may block, so a detached writer does that
// (console_writer.hpp); the observer itself runs on the scheduler.
#include <cstdio>
#include <memory>

#include "actors/messages.hpp"

namespace runner {

struct console_options {
  bool live = false;    // footer with running tasks (needs a terminal)
  bool color = false;
  bool summary = true;  // print the human summary at the end
  // A line per started and finished task and per log line. Off: only the
  // counts for the summary (bench/engine_throughput measures the engine, not
  // the formatting of 100,000 lines).
  bool task_lines = true;
  FILE* out = stdout;   // where logs and status lines go
  size_t task_count = 0;
};

observer_actor spawn_console_observer(caf::actor_system& sys, console_options opts);

}  // namespace runner
