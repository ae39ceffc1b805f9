#pragma once
// Shows a running group to a person. On a terminal: task logs scroll while a
// footer shows the running tasks with their durations and the counts so far.
// Elsewhere: plain prefixed lines, one per log line and per finished task.
// It is a detached actor because writing to a terminal or pipe may block.
#include <cstdio>
#include <memory>

#include "actors/messages.hpp"

namespace runner {

struct console_options {
  bool live = false;    // footer with running tasks (needs a terminal)
  bool color = false;
  bool summary = true;  // print the human summary at the end
  FILE* out = stdout;   // where logs and status lines go
  size_t task_count = 0;
};

observer_actor spawn_console_observer(caf::actor_system& sys, console_options opts);

}  // namespace runner
