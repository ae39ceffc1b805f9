#include "drivers/spawner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "drivers/process_tree.hpp"
#include "drivers/spawner_wire.hpp"

namespace runner {

namespace {

namespace wire = spawner_wire;

constexpr auto kEndGrace = std::chrono::milliseconds(1000);
constexpr int kSocketFd = 3;

sigset_t held_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGCHLD, SIGINT, SIGTERM, SIGHUP})
    sigaddset(&set, s);
  return set;
}

// posix_spawn with the descriptors of `r`: stdin (or /dev/null), stdout and
// stderr; nothing else reaches the child. `own_group`: the child leads a new
// process group, so the reactor can signal all of it.
int spawn_child(const wire::spawn_request& r, int in, int out, int err, bool own_group,
                pid_t& pid) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (in >= 0)
    posix_spawn_file_actions_adddup2(&fa, in, 0);
  else
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out, 1);
  posix_spawn_file_actions_adddup2(&fa, err >= 0 ? err : out, 2);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  if (!r.working_dir.empty())
    posix_spawn_file_actions_addchdir_np(&fa, r.working_dir.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Default dispositions and an empty mask, so the child is not deaf to what
  // the runner and the spawner hold.
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (own_group)
    flags |= POSIX_SPAWN_SETPGROUP;
  posix_spawnattr_setflags(&attr, flags);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults = held_signals();
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  std::vector<char*> argv;
  for (auto& a : r.argv)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : r.env)
    envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int rc = posix_spawn(&pid, r.program.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return rc;
}

// The exit status a keeper passes on: its root's, so the reactor cannot tell
// the keeper from the root.
[[noreturn]] void exit_like(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    rlimit none{0, 0};
    setrlimit(RLIMIT_CORE, &none);  // the root may have dumped; the keeper does not
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
    kill(getpid(), sig);
  }
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128);
}

// A keeper: forked from the spawner for a contained root. It leads the
// root's process group, is a subreaper (what the root leaves is re-parented
// here, not to the spawner), reaps as it goes and, once the root has ended,
// ends everything the root left and exits with the root's status. Signals the
// reactor sends to the tree reach the keeper too; it holds SIGTERM, SIGINT
// and SIGHUP (the mask it inherited), so it lives until its root is gone.
// Reports the root's spawn result on `report` (an errno, 0 = started).
[[noreturn]] void keep(const wire::spawn_request& r, int in, int out, int err, int report) {
  setpgid(0, 0);
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  prctl(PR_SET_NAME, "runner-keeper", 0, 0, 0);
  pid_t root = -1;
  int rc = spawn_child(r, in, out, err, false, root);
  [[maybe_unused]] auto n = write(report, &rc, sizeof rc);
  // Holds no descriptor of the task: the reactor sees the pipes end when the
  // root and what it started close them, as without a keeper.
  close_range(0, ~0U, 0);
  if (rc != 0)
    _exit(127);
  int status = 0;
  for (;;) {
    int st = 0;
    pid_t p = waitpid(-1, &st, 0);
    if (p == root) {
      status = st;
      break;
    }
    if (p < 0 && errno != EINTR)
      break;
  }
  end_descendants(kEndGrace);
  exit_like(status);
}

struct child {
  pid_t pid = -1;
  bool alive = false;
  std::vector<int> remembered;  // pidfds of what `terminate` signalled
};

class spawner_loop {
 public:
  explicit spawner_loop(int fd) : fd_(fd) {}

  [[noreturn]] void run() {
    sigset_t set = held_signals();
    int sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
    for (;;) {
      pollfd fds[2] = {{fd_, static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT)), 0},
                       {sfd, POLLIN, 0}};
      if (poll(fds, 2, -1) < 0 && errno != EINTR)
        break;
      if (fds[1].revents) {
        signalfd_siginfo info;
        while (read(sfd, &info, sizeof info) == sizeof info) {
        }
        reap();
      }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        auto st = in_.read_some(fd_);
        if (st == wire::inbox::status::closed || st == wire::inbox::status::broken)
          break;  // the runner is gone (or talks nonsense): end everything
        wire::op o;
        std::string body;
        bool sane = true;
        while (sane && in_.next(o, body))
          sane = handle(o, body);
        if (!sane)
          break;
      }
      // What this wake produced goes out in one write: exits come in bursts.
      flush();
    }
    end_descendants(kEndGrace);
    _exit(0);
  }

 private:
  // False when the stream cannot be followed any more (a spawn that does not
  // decode leaves its descriptors unaccounted for).
  bool handle(wire::op o, const std::string& body) {
    if (o == wire::op::spawn)
      return spawn(body);
    if (o == wire::op::kill_all) {
      end_descendants(std::chrono::milliseconds(0), [this](pid_t p, int st) { reaped(p, st); });
      return true;
    }
    wire::reader rd(body);
    uint64_t id = 0;
    uint32_t signo = 0;
    if (!rd.u64(id))
      return false;
    auto i = children_.find(id);
    if (i == children_.end())
      return true;
    child& c = i->second;
    switch (o) {
      case wire::op::signal:
        if (rd.u32(signo) && c.alive)
          signal_tree(c.pid, static_cast<int>(signo), nullptr);
        break;
      case wire::op::terminate:
        if (c.alive) {
          std::vector<pid_t> signalled;
          signal_tree(c.pid, SIGTERM, &signalled);
          // A stopped (paused) process would hold SIGTERM until SIGKILL.
          signal_tree(c.pid, SIGCONT, nullptr);
          // Held as pidfds: by the time of `kill` a pid may be another's.
          for (pid_t p : signalled) {
            int pfd = static_cast<int>(syscall(SYS_pidfd_open, p, 0));
            if (pfd >= 0)
              c.remembered.push_back(pfd);
          }
        }
        break;
      case wire::op::kill:
        if (c.alive)
          signal_tree(c.pid, SIGKILL, nullptr);
        for (int pfd : c.remembered) {
          syscall(SYS_pidfd_send_signal, pfd, SIGKILL, nullptr, 0);
          close(pfd);
        }
        c.remembered.clear();
        if (!c.alive)
          forget(i);
        break;
      default:
        break;
    }
    return true;
  }

  bool spawn(const std::string& body) {
    wire::spawn_request r;
    if (!wire::decode_spawn(body, r))
      return false;
    int in = r.has_stdin ? in_.take_fd() : -1;
    int out = in_.take_fd();
    int err = r.separate_err ? in_.take_fd() : -1;
    pid_t pid = -1;
    int rc = out >= 0 ? 0 : EINVAL;
    if (rc == 0 && r.contain)
      rc = spawn_kept(r, in, out, err, pid);
    else if (rc == 0)
      rc = spawn_child(r, in, out, err, true, pid);
    for (int fd : {in, out, err})
      if (fd >= 0)
        close(fd);
    if (rc == 0) {
      children_[r.id] = child{pid, true, {}};
      by_pid_[pid] = r.id;
      return true;  // `exited` names the pid: a message less per task
    }
    wire::writer w(wire::op::failed);
    w.u64(r.id).u32(static_cast<uint32_t>(rc));
    queue(w.frame());
    return true;
  }

  int spawn_kept(const wire::spawn_request& r, int in, int out, int err, pid_t& pid) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0)
      return errno;
    pid = fork();
    if (pid < 0) {
      int e = errno;
      close(report[0]);
      close(report[1]);
      return e;
    }
    if (pid == 0) {
      close(report[0]);
      close(fd_);
      keep(r, in, out, err, report[1]);
    }
    // The keeper leads its group from here on, also for a signal that comes
    // before it got there itself.
    setpgid(pid, pid);
    close(report[1]);
    int rc = EIO;
    ssize_t n;
    do
      n = read(report[0], &rc, sizeof rc);
    while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n != sizeof rc)
      rc = EIO;
    if (rc != 0)
      waitpid(pid, nullptr, 0);
    return rc;
  }

  void reap() {
    for (;;) {
      int status = 0;
      pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid <= 0)
        return;
      reaped(pid, status);
    }
  }

  void reaped(pid_t pid, int status) {
    auto i = by_pid_.find(pid);
    if (i == by_pid_.end())
      return;  // an orphan re-parented here: nothing to report
    uint64_t id = i->second;
    by_pid_.erase(i);
    auto c = children_.find(id);
    c->second.alive = false;
    if (c->second.remembered.empty())
      forget(c);
    wire::writer w(wire::op::exited);
    w.u64(id).u32(static_cast<uint32_t>(pid)).u32(static_cast<uint32_t>(status));
    queue(w.frame());
  }

  void forget(std::map<uint64_t, child>::iterator i) { children_.erase(i); }

  // Sent by flush() at the end of the wake that queued it.
  void queue(const std::string& frame) { out_ += frame; }

  // Never blocks on the reactor: it may itself be blocked writing to us.
  void flush() {
    while (!out_.empty()) {
      ssize_t n = send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        out_.erase(0, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      return;  // EAGAIN: on the next POLLOUT; EPIPE: the read side ends us
    }
  }

  int fd_;
  wire::inbox in_;
  std::string out_;
  std::map<uint64_t, child> children_;
  std::map<pid_t, uint64_t> by_pid_;
};

}  // namespace

spawner_process start_spawner() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return {};
  pid_t pid = fork();
  if (pid < 0) {
    close(sv[0]);
    close(sv[1]);
    return {};
  }
  if (pid == 0) {
    // Only its socket: a copy of anything else (another reactor's socket, a
    // CI system's pipe) would keep that open after the runner is gone.
    if (dup2(sv[1], kSocketFd) < 0)
      _exit(1);
    close_range(kSocketFd + 1, ~0U, 0);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      close(null);
    }
    // Its own process group: a Ctrl-C to the runner's group, or a kill of
    // that group, must not take the spawner with it before it has ended the
    // tasks.
    setpgid(0, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    prctl(PR_SET_NAME, "runner-spawner", 0, 0, 0);
    sigset_t set = held_signals();
    sigprocmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
    spawner_loop(kSocketFd).run();
  }
  close(sv[1]);
  return {pid, sv[0]};
}

}  // namespace runner
