#pragma once
// Helpers shared by the cache tests: a temporary directory removed at the end,
// whole-file reads and writes, and a start barrier for forked children.
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace runner::cache::testing {

using runner::test::temp_dir;

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// Children block reading the pipe until the parent closes its write end, so
// they all start at once (a real race) without sleeping.
class start_barrier {
 public:
  start_barrier() {
    if (pipe(fds_) != 0) throw std::runtime_error("pipe failed");
  }
  ~start_barrier() {
    for (int fd : fds_)
      if (fd >= 0) close(fd);
  }
  void wait_in_child() {
    close(fds_[1]);
    fds_[1] = -1;
    char c;
    while (read(fds_[0], &c, 1) < 0 && errno == EINTR) {
    }
  }
  void release() {
    if (fds_[1] >= 0) close(fds_[1]);
    fds_[1] = -1;
  }

 private:
  int fds_[2] = {-1, -1};
};

// Waits for a child; returns its exit status, or -1 when it did not exit normally.
inline int wait_child(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace runner::cache::testing
