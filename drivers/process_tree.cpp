#include "drivers/process_tree.hpp"

#include <dirent.h>
#include <sys/prctl.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

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

}  // namespace runner
