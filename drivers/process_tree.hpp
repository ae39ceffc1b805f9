#pragma once
// Finding and signalling the processes a task left behind. Every process a task
// starts stays a descendant of the spawner (spawner.hpp), because the spawner
// is a child subreaper: orphans are re-parented to it instead of init. So
// "every descendant of X" is a walk of the parent links in /proc, which also
// finds processes that left the process group with setsid().
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <vector>

namespace runner {

// Makes this process the reaper of its orphaned descendants (Linux prctl).
bool become_subreaper();

// Descendants of `root` (not `root` itself), read from /proc; children before
// grandchildren.
std::vector<pid_t> descendants_of(pid_t root);

// The process is stopped (SIGSTOP has taken effect), a zombie, or gone.
bool stopped_or_gone(pid_t pid);

// `signo` to `root`, its process group and all its descendants. SIGKILL first
// freezes the tree (SIGSTOP, read again until nothing new appears), so a
// process that forks in a loop cannot leave a child behind. `signalled`, if
// given, receives the descendants that were signalled. The caller must know
// `root` is still its process (not yet reaped).
void signal_tree(pid_t root, int signo, std::vector<pid_t>* signalled);

// Freezes (SIGSTOP) and SIGKILLs what `find` returns, round after round (a
// process may fork between a scan and its SIGSTOP), until it returns nothing
// or 5 s passed, so a process in uninterruptible sleep cannot hold the caller
// for ever. `between` runs after each round (to reap). Returns the number of
// successful kills.
size_t freeze_and_kill(const std::function<std::vector<pid_t>()>& find,
                       const std::function<void()>& between = {});

// Ends every descendant of this process: SIGTERM and SIGCONT, up to `grace`
// for them to go (reaping what are its children), then SIGKILL to the frozen
// rest; returns once none is left or after a bounded wait. For the spawner
// and its keepers, which are subreapers and so the parents of all of them.
// `reaped` (if set) hears of every child it reaps, with its wait status.
void end_descendants(std::chrono::milliseconds grace,
                     const std::function<void(pid_t, int)>& reaped = {});

}  // namespace runner
