#include "drivers/incarnation.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cctype>
#include <fstream>
#include <sstream>

#include "drivers/process_tree.hpp"
#include "drivers/state_dir.hpp"

namespace runner {

namespace {

// An environment is at most the kernel's ARG_MAX-bound area; read no more.
constexpr size_t kMaxEnviron = size_t(4) << 20;

bool environ_holds(pid_t pid, const std::string& mark) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/environ", static_cast<int>(pid));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  std::string env;
  char buf[65536];
  ssize_t n;
  while (env.size() < kMaxEnviron && (n = read(fd, buf, sizeof buf)) > 0)
    env.append(buf, static_cast<size_t>(n));
  close(fd);
  // Entries are NUL-terminated; the mark must be a whole entry.
  for (size_t at = 0; at < env.size();) {
    size_t end = env.find('\0', at);
    if (end == std::string::npos)
      end = env.size();
    if (env.compare(at, end - at, mark) == 0)
      return true;
    at = end + 1;
  }
  return false;
}

std::string random_id() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += static_cast<size_t>(n);
  }
  if (got < sizeof bytes) {  // no getrandom: unique enough for a mark
    auto t = std::chrono::steady_clock::now().time_since_epoch().count();
    std::snprintf(reinterpret_cast<char*>(bytes), sizeof bytes, "%lx%x",
                  static_cast<unsigned long>(t), static_cast<unsigned>(getpid()));
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

}  // namespace

std::vector<pid_t> processes_marked(const std::string& mark) {
  std::vector<pid_t> out;
  pid_t self = getpid();
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      char* end = nullptr;
      long pid = std::strtol(e->d_name, &end, 10);
      if (end == e->d_name || *end != '\0' || pid == self)
        continue;
      if (environ_holds(static_cast<pid_t>(pid), mark))
        out.push_back(static_cast<pid_t>(pid));
    }
    closedir(d);
  }
  return out;
}

namespace {

// Field 22 of /proc/PID/stat: when the process started, in clock ticks since
// boot. With the pid it names one process, never a later one with the pid.
std::string start_time_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat))
    return "";
  size_t close = stat.rfind(')');
  if (close == std::string::npos)
    return "";
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  for (int i = 3; i <= 22 && fields >> f; ++i)
    if (i == 22)
      return f;
  return "";
}

}  // namespace

incarnation begin_incarnation(const std::string& state_dir, const std::string& node_name) {
  incarnation inc;
  std::string name;
  for (char c : node_name)  // a file name, whatever the node is called
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  std::string path = state_dir + "/incarnation" + (name.empty() ? "" : "-" + name);
  {
    // "<id> <pid> <start time>". Only a well-formed id is trusted as a mark
    // (an empty or odd file must not make serve kill processes that merely
    // lack it), and only when the serve that wrote it is gone: another serve
    // of the same name and state_dir may still run.
    std::ifstream in(path);
    std::string old, start;
    long pid = 0;
    if (in >> old >> pid >> start && old.size() == 32 &&
        old.find_first_not_of("0123456789abcdef") == std::string::npos &&
        !(pid > 0 && start_time_of(static_cast<pid_t>(pid)) == start))
      inc.ended_from_before = freeze_and_kill(
          [mark = std::string(kIncarnationVariable) + "=" + old] { return processes_marked(mark); });
  }
  std::string id = random_id();
  inc.mark = std::string(kIncarnationVariable) + "=" + id;
  if (std::string e = make_state_dir(state_dir); !e.empty()) {
    inc.error = e + " (a restart will not find processes left by a spawner that died with it)";
    return inc;
  }
  // Written whole or not at all: a crash mid-write leaves the old record.
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  std::string line = id + " " + std::to_string(getpid()) + " " + start_time_of(getpid()) + "\n";
  bool ok = fd >= 0 && write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            fsync(fd) == 0;
  int err = errno;
  if (fd >= 0)
    close(fd);
  if (ok && rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    unlink(tmp.c_str());
    inc.error = "cannot record this serve's incarnation in " + path + ": " + std::strerror(err) +
                " (a restart will not find processes left by a spawner that died with it)";
  }
  return inc;
}

}  // namespace runner
