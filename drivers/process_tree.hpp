#pragma once
// Finding the processes a task left behind. Every process a task starts stays a
// descendant of the runner, because the runner is a child subreaper: orphans are
// re-parented to it instead of init. So "every descendant of X" is a walk of the
// parent links in /proc, which also finds processes that left the process group
// with setsid().
#include <sys/types.h>

#include <vector>

namespace runner {

// Makes this process the reaper of its orphaned descendants (Linux prctl).
bool become_subreaper();

// Descendants of `root` (not `root` itself), read from /proc; children before
// grandchildren.
std::vector<pid_t> descendants_of(pid_t root);

// The process is stopped (SIGSTOP has taken effect), a zombie, or gone.
bool stopped_or_gone(pid_t pid);

}  // namespace runner
