#pragma once
// The spawner: a small process, forked by the reactor when it starts, that is
// the parent of every task process and ends them all when the runner is gone.
//
// Why a process of its own: a SIGKILLed runner runs no code, so nothing in it
// can end its tasks; and the kernel hands orphans to init unless an ancestor
// is a child subreaper. The spawner is that ancestor. It is a subreaper, holds
// one end of a socket whose other end only the runner holds, and when that
// socket reaches its end — the runner exited, however — it ends every
// descendant (SIGTERM, 1 s, then SIGKILL to the frozen rest) and exits. One
// per runner, not one per task: a task costs a message each way, not a fork.
//
// The spawner also does all signalling and reaping of task processes, in the
// order the reactor asked, so a signal can never reach a pid that was reaped
// and reused in between. The reactor is its only client (spawner_wire.hpp).
#include <sys/types.h>

namespace runner {

struct spawner_process {
  pid_t pid = -1;
  int fd = -1;  // the reactor's end of the socket (close-on-exec)
};

// Forks the spawner (the child never returns). Best called before any thread
// exists; in a process that already has threads (a test binary, a new spawner
// after the old one died) the child relies on glibc leaving malloc and stdio
// usable after fork, and takes no other lock. pid -1 when it could not start.
spawner_process start_spawner();

}  // namespace runner
