#include "drivers/process_tree.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

namespace runner {

bool become_subreaper() {
  return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
}

namespace {

// State and ppid from /proc/PID/stat; the command name field may hold spaces
// and parentheses, so parse after the last ')'.
pid_t read_stat(pid_t pid, char* state_out) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  FILE* f = std::fopen(path, "re");
  if (!f)
    return -1;
  char buf[1024];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char* close = std::strrchr(buf, ')');
  if (!close)
    return -1;
  char state = 0;
  int ppid = -1;
  if (std::sscanf(close + 1, " %c %d", &state, &ppid) != 2)
    return -1;
  if (state_out)
    *state_out = state;
  return ppid;
}

pid_t parent_of(pid_t pid) { return read_stat(pid, nullptr); }

}  // namespace

bool stopped_or_gone(pid_t pid) {
  char state = 0;
  if (read_stat(pid, &state) < 0)
    return true;
  return state == 'T' || state == 't' || state == 'Z' || state == 'X';
}

std::vector<pid_t> descendants_of(pid_t root) {
  std::multimap<pid_t, pid_t> children;
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      char* end = nullptr;
      long pid = std::strtol(e->d_name, &end, 10);
      if (end == e->d_name || *end != '\0')
        continue;
      pid_t ppid = parent_of(static_cast<pid_t>(pid));
      if (ppid > 0)
        children.emplace(ppid, static_cast<pid_t>(pid));
    }
    closedir(d);
  }
  std::vector<pid_t> out;
  std::vector<pid_t> frontier{root};
  while (!frontier.empty()) {
    std::vector<pid_t> next;
    for (pid_t p : frontier) {
      auto range = children.equal_range(p);
      for (auto i = range.first; i != range.second; ++i) {
        out.push_back(i->second);
        next.push_back(i->second);
      }
    }
    frontier.swap(next);
  }
  return out;
}

void signal_tree(pid_t root, int signo, std::vector<pid_t>* signalled) {
  // The tree is read before anything is signalled, because dying parents hand
  // their children to us and the parent links change. A process that left the
  // group with setsid() is only reachable through those links.
  auto tree = descendants_of(root);
  if (signo == SIGKILL) {
    // A process may fork between the scan and the kill, and its child would
    // escape. So the tree is frozen first (stopped processes cannot fork) and
    // read again until no process is new. SIGSTOP takes effect only when the
    // target next runs — a fork under way still completes — so each round
    // waits (briefly, bounded) until the signalled processes have stopped.
    kill(root, SIGSTOP);
    kill(-root, SIGSTOP);
    std::set<pid_t> known(tree.begin(), tree.end());
    for (int round = 0; round < 32; ++round) {
      for (pid_t d : tree)
        kill(d, SIGSTOP);
      // Bounded: a process that never stops (in uninterruptible sleep) must
      // not hold the caller (the spawner); it is killed with the rest after the wait.
      bool all_stopped = false;
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
      while (!all_stopped && std::chrono::steady_clock::now() < until) {
        all_stopped = stopped_or_gone(root);
        for (pid_t d : tree)
          all_stopped = all_stopped && stopped_or_gone(d);
        if (!all_stopped)
          usleep(200);
      }
      auto again = descendants_of(root);
      bool grew = false;
      for (pid_t d : again)
        grew |= known.insert(d).second;
      tree = std::move(again);
      if (!grew && all_stopped)
        break;
    }
  }
  // The root goes first, so its own end is by this signal and not a reaction
  // to its children's.
  kill(root, signo);
  kill(-root, signo);
  for (pid_t d : tree) {
    kill(d, signo);
    if (signalled)
      signalled->push_back(d);
  }
}


void end_descendants(std::chrono::milliseconds grace,
                     const std::function<void(pid_t, int)>& reaped) {
  pid_t self = getpid();
  auto reap_some = [&reaped] {
    int status = 0;
    pid_t p;
    while ((p = waitpid(-1, &status, WNOHANG)) > 0)
      if (reaped)
        reaped(p, status);
  };
  for (pid_t p : descendants_of(self)) {
    kill(p, SIGTERM);
    kill(p, SIGCONT);
  }
  auto until = std::chrono::steady_clock::now() + grace;
  while (grace.count() > 0 && std::chrono::steady_clock::now() < until) {
    reap_some();
    if (descendants_of(self).empty())
      return;
    usleep(10000);
  }
  // What is left ignores SIGTERM (or forks on).
  freeze_and_kill([self] { return descendants_of(self); }, reap_some);
  reap_some();
}

size_t freeze_and_kill(const std::function<std::vector<pid_t>()>& find,
                       const std::function<void()>& between) {
  size_t killed = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < until) {
    auto left = find();
    if (left.empty())
      break;
    for (pid_t p : left)
      kill(p, SIGSTOP);
    for (pid_t p : left)
      if (kill(p, SIGKILL) == 0)
        ++killed;
    if (between)
      between();
    usleep(1000);
  }
  return killed;
}

}  // namespace runner
