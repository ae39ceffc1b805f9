#include "drivers/reactor.hpp"
#include "drivers/program_path.hpp"

#include <algorithm>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "drivers/process_tree.hpp"

namespace runner {

namespace {

constexpr auto sweep_poll = std::chrono::milliseconds(10);
constexpr auto kill_wait_limit = std::chrono::seconds(5);

sigset_t taken_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);  // the terminal went away: cancel like Ctrl-C
  return set;
}

std::string errno_text(int err) {
  return std::strerror(err);
}

// PATH lookup with the child's PATH, not the runner's: a task's `envs` may set it.
std::string resolve_program(const std::string& prog, const std::vector<std::string>& env) {
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (auto& kv : env)
    if (kv.rfind("PATH=", 0) == 0)
      path = kv.substr(5);
  return find_program(prog, path);
}

}  // namespace

namespace wire = spawner_wire;

struct reactor::process {
  std::string name;  // argv[0], for a start that failed
  std::shared_ptr<process_listener> listener;
  int out_fd = -1;  // stdout and stderr share one pipe
  int err_fd = -1;  // stderr's own pipe, with process_spec::separate_stdout
  int in_fd = -1;   // stdin's write end, with process_spec::stdin_pipe
  std::string in_queue;       // written to in_fd as the pipe takes it
  bool close_in_when_done = false;
  bool reaped = false;
  bool output_paused = false;
  std::shared_ptr<output_flow> flow;
  process_exit how;
};

void reactor::block_signals() {
  sigset_t set = taken_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // An inherited SIG_IGN for SIGCHLD would make the kernel reap our children
  // itself, and every exit status would be lost.
  signal(SIGCHLD, SIG_DFL);
}

reactor::reactor() {
  poster_->r = this;
  self_ = getpid();
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  sigset_t set = taken_signals();
  signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0 || signal_fd_ < 0)
    throw std::runtime_error("reactor: cannot create epoll/eventfd/signalfd: " +
                             errno_text(errno));
  for (int fd : {wake_fd_, signal_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
  start_spawner_process();
  if (spawner_.fd < 0)
    throw std::runtime_error("reactor: cannot start the spawner process: " + errno_text(errno));
  thread_ = std::thread([this] { loop(); });
}

reactor::~reactor() {
  {
    std::lock_guard<std::mutex> guard(poster_->mtx);
    poster_->r = nullptr;
  }
  post([this] { stopping_ = true; });
  if (thread_.joinable())
    thread_.join();
  for (auto& kv : pipes_)
    close(kv.first);
  for (auto& kv : stdin_pipes_)
    close(kv.first);
  close(signal_fd_);
  close(wake_fd_);
  close(epoll_fd_);
  // Its end of the socket closes: it ends what is left and exits.
  if (spawner_.fd >= 0) {
    close(spawner_.fd);
    int status;
    while (waitpid(spawner_.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void reactor::start_spawner_process() {
  spawner_ = start_spawner();
  spawner_in_ = std::make_unique<wire::inbox>();
  if (spawner_.fd < 0)
    return;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = spawner_.fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, spawner_.fd, &ev);
}

bool reactor::tell_spawner(const std::string& frame, const std::vector<int>& fds) {
  // Blocking, but on a process that always reads: it never blocks writing
  // back to us (it queues), so this cannot deadlock.
  if (spawner_.fd >= 0 && wire::send_frame(spawner_.fd, frame, fds))
    return true;
  spawner_lost();
  return false;
}

void reactor::read_spawner() {
  for (;;) {
    auto st = spawner_in_->read_some(spawner_.fd);
    if (st == wire::inbox::status::again)
      break;
    if (st != wire::inbox::status::ok) {
      spawner_lost();
      return;
    }
    wire::op o;
    std::string body;
    while (spawner_in_->next(o, body)) {
      wire::reader rd(body);
      uint64_t id = 0;
      uint32_t pid = 0, status = 0, err = 0;
      if (o == wire::op::failed && rd.u64(id) && rd.u32(err))
        on_failed(id, static_cast<int>(err));
      else if (o == wire::op::exited && rd.u64(id) && rd.u32(pid) && rd.u32(status))
        on_exited(id, static_cast<pid_t>(pid), static_cast<int>(status));
      if (spawner_.fd < 0)
        return;  // a listener's spawn found the spawner gone
    }
  }
}

void reactor::on_failed(process_id id, int error) {
  auto i = procs_.find(id);
  if (i == procs_.end())
    return;
  process& p = *i->second;
  // It never ran: nothing will write to its pipes.
  p.how.spawn_error = p.name + ": " + errno_text(error);
  p.reaped = true;
  for (int fd : {p.out_fd, p.err_fd})
    if (fd >= 0)
      close_pipe(fd);
  finish_if_done(id);
}

void reactor::on_exited(process_id id, pid_t pid, int status) {
  auto i = procs_.find(id);
  if (i == procs_.end())
    return;
  auto& p = *i->second;
  p.reaped = true;
  p.how.pid = pid;
  if (WIFEXITED(status))
    p.how.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    p.how.signal = WTERMSIG(status);
  // What the process wrote before it exited is in the pipe now: read it,
  // then stop listening, even if a background child still holds it open.
  // read_pipe() may finish the process and free `p` (at EOF), so only the
  // fd numbers are used from here on. Its on_exit may spawn the next
  // process, whose pipe can get a number just freed: a pipe is closed
  // here only while it still belongs to this process.
  int fds[2] = {p.out_fd, p.err_fd};
  for (int fd : fds) {
    if (fd >= 0) {
      read_pipe(fd, true);
      auto still = pipes_.find(fd);
      if (still != pipes_.end() && still->second == id)
        close_pipe(fd);
    }
  }
  finish_if_done(id);
}

void reactor::spawner_lost() {
  if (spawner_.fd < 0)
    return;
  spdlog::error("the runner's process spawner (pid {}) is gone: killing every task process",
                spawner_.pid);
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, spawner_.fd, nullptr);
  close(spawner_.fd);
  // Its children are ours now (the runner is a subreaper): none may run on
  // unwatched.
  for (pid_t p : descendants_of(self_))
    kill(p, SIGKILL);
  spawner_ = {};
  spawner_in_ = std::make_unique<wire::inbox>();
  std::vector<process_id> running;
  for (auto& [id, p] : procs_)
    if (!p->reaped)
      running.push_back(id);
  for (auto id : running)
    on_exited(id, 0, SIGKILL);  // a wait status of "killed by SIGKILL"
}

std::vector<pid_t> reactor::task_processes() const {
  auto all = descendants_of(self_);
  all.erase(std::remove(all.begin(), all.end(), spawner_.pid), all.end());
  return all;
}

void reactor::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> guard(mtx_);
    posted_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
}

void reactor::on_signal(std::function<void(int, int)> handler) {
  std::vector<int> early;
  {
    std::lock_guard<std::mutex> guard(mtx_);
    signal_handler_ = handler;
    early.swap(unhandled_signals_);
  }
  // A Ctrl-C during validation must still cancel the run that follows.
  if (!early.empty())
    post([this, handler, early] {
      for (int signo : early) {
        int count;
        {
          std::lock_guard<std::mutex> guard(mtx_);
          count = ++signal_count_;
        }
        handler(signo, count);
      }
    });
}

void reactor::at(clock::time_point when, std::function<void()> fn) {
  timers_.emplace(when, std::move(fn));
}

reactor::process_id reactor::spawn(const process_spec& spec,
                                   std::shared_ptr<process_listener> listener) {
  auto id = next_id_++;
  auto p = std::make_unique<process>();
  p->listener = std::move(listener);
  auto fail = [&](std::string why) {
    p->how.spawn_error = std::move(why);
    p->reaped = true;
    procs_.emplace(id, std::move(p));
    failed_spawns_.push_back(id);
    return id;
  };
  if (spec.argv.empty() || spec.argv[0].empty())
    return fail("empty command");
  if (!spec.working_dir.empty()) {
    struct stat st;
    if (stat(spec.working_dir.c_str(), &st) != 0)
      return fail("working_dir " + spec.working_dir + ": " + errno_text(errno));
    if (!S_ISDIR(st.st_mode))
      return fail("working_dir " + spec.working_dir + ": not a directory");
  }
  std::string program = resolve_program(spec.argv[0], spec.env);
  if (program.empty())
    return fail(spec.argv[0] + ": command not found in PATH");

  // One pipe for stdout and stderr, as a terminal would show them: the
  // order of lines between the two is kept, and it is one pipe less per task.
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0)
    return fail("cannot create pipe: " + errno_text(errno));
  int err[2] = {-1, -1};
  if (spec.separate_stdout && pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    close(out[0]);
    close(out[1]);
    return fail("cannot create pipe: " + errno_text(e));
  }

  int in[2] = {-1, -1};
  if (spec.stdin_pipe && pipe2(in, O_CLOEXEC) != 0) {
    int e = errno;
    for (int fd : {out[0], out[1], err[0], err[1]})
      if (fd >= 0)
        close(fd);
    return fail("cannot create pipe: " + errno_text(e));
  }

  if (spawner_.fd < 0)
    start_spawner_process();
  wire::spawn_request req;
  req.id = id;
  req.contain = spec.contain;
  req.program = program;
  req.working_dir = spec.working_dir;
  req.argv = spec.argv;
  req.env = spec.env;
  if (!mark_.empty()) {
    std::string name = mark_.substr(0, mark_.find('=') + 1);
    req.env.erase(std::remove_if(req.env.begin(), req.env.end(),
                                 [&](const std::string& e) { return e.rfind(name, 0) == 0; }),
                  req.env.end());
    req.env.push_back(mark_);
  }
  std::vector<int> fds;
  if (spec.stdin_pipe || spec.stdin_fd >= 0) {
    req.has_stdin = true;
    fds.push_back(spec.stdin_pipe ? in[0] : spec.stdin_fd);
  }
  fds.push_back(out[1]);
  if (spec.separate_stdout) {
    req.separate_err = true;
    fds.push_back(err[1]);
  }
  bool sent = spawner_.fd >= 0 && tell_spawner(wire::encode_spawn(req), fds);
  // The spawner holds its own copies now (the kernel took them with the message).
  close(out[1]);
  if (err[1] >= 0)
    close(err[1]);
  if (in[0] >= 0)
    close(in[0]);
  if (!sent) {
    close(out[0]);
    if (err[0] >= 0)
      close(err[0]);
    if (in[1] >= 0)
      close(in[1]);
    return fail(spec.argv[0] + ": the runner's process spawner is not running");
  }
  p->name = spec.argv[0];
  p->flow = std::make_shared<output_flow>(kOutputWindow, [post = std::weak_ptr<poster>(poster_), id] {
    if (auto ps = post.lock()) {
      std::lock_guard<std::mutex> guard(ps->mtx);
      if (ps->r)
        ps->r->post([r = ps->r, id] { r->resume_output(id); });
    }
  });
  p->out_fd = out[0];
  p->err_fd = err[0];
  if (in[1] >= 0) {
    fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
    p->in_fd = in[1];
    // Registered for EPOLLOUT only while something waits to be written.
    epoll_event ev{};
    ev.events = 0;
    ev.data.fd = in[1];
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, in[1], &ev);
    stdin_pipes_.emplace(in[1], id);
  }
  for (int fd : {out[0], err[0]}) {
    if (fd < 0)
      continue;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    pipes_.emplace(fd, id);
  }
  procs_.emplace(id, std::move(p));
  return id;
}

void reactor::suspend(process_id id, bool stop) {
  post([this, id, stop] {
    auto i = procs_.find(id);
    if (i != procs_.end() && !i->second->reaped)
      tell_spawner(wire::writer(wire::op::signal)
                       .u64(id)
                       .u32(static_cast<uint32_t>(stop ? SIGSTOP : SIGCONT))
                       .frame());
  });
}

void reactor::terminate(process_id id, std::chrono::milliseconds grace) {
  post([this, id, grace] {
    auto i = procs_.find(id);
    if (i == procs_.end() || i->second->reaped)
      return;
    // The spawner signals, in order with its reaping, so no signal reaches a
    // pid reused in between; `kill` also reaches what `terminate` signalled
    // and has left the tree since.
    if (!tell_spawner(wire::writer(wire::op::terminate).u64(id).frame()))
      return;
    at(clock::now() + grace, [this, id] {
      if (spawner_.fd >= 0)
        tell_spawner(wire::writer(wire::op::kill).u64(id).frame());
    });
  });
}

void reactor::loop() {
  epoll_event events[64];
  while (!stopping_) {
    int n = epoll_wait(epoll_fd_, events, 64, next_timeout_ms());
    if (n < 0 && errno != EINTR)
      break;
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        uint64_t v;
        [[maybe_unused]] auto r = read(wake_fd_, &v, sizeof v);
        std::vector<std::function<void()>> work;
        {
          std::lock_guard<std::mutex> guard(mtx_);
          work.swap(posted_);
        }
        for (auto& fn : work)
          fn();
      } else if (fd == signal_fd_) {
        handle_signals();
      } else if (fd == spawner_.fd && fd >= 0) {
        read_spawner();
      } else if (pipes_.count(fd)) {
        read_pipe(fd, false);
      } else if (auto in = stdin_pipes_.find(fd); in != stdin_pipes_.end()) {
        // The reader went away: reported even while no EPOLLOUT is asked
        // for, and again every round until the pipe is closed.
        // The event may be stale (its fd closed and reused by a process
        // spawned earlier in this round), so the pipe is asked again.
        pollfd now{fd, POLLOUT, 0};
        if ((events[i].events & (EPOLLERR | EPOLLHUP)) && poll(&now, 1, 0) == 1 &&
            (now.revents & (POLLERR | POLLHUP)))
          drop_stdin(*procs_.at(in->second));
        else
          flush_stdin(in->second);
      }
    }
    // Spawn failures are reported from here, not from inside spawn(), so a
    // listener never runs re-entrantly inside the caller.
    auto failed = std::move(failed_spawns_);
    failed_spawns_.clear();
    for (auto id : failed)
      finish_if_done(id);
    run_due_timers();
  }
}

void reactor::handle_signals() {
  signalfd_siginfo info;
  bool child = false;
  while (read(signal_fd_, &info, sizeof info) == sizeof info) {
    if (info.ssi_signo == SIGCHLD) {
      child = true;
    } else {
      stop_seen_ = true;
      std::function<void(int, int)> handler;
      int count = 0;
      {
        std::lock_guard<std::mutex> guard(mtx_);
        handler = signal_handler_;
        if (handler)
          count = ++signal_count_;
        else
          unhandled_signals_.push_back(static_cast<int>(info.ssi_signo));
      }
      if (handler)
        handler(static_cast<int>(info.ssi_signo), count);
    }
  }
  if (child)
    reap();
}

void reactor::reap() {
  // Task processes are the spawner's children; ours are the spawner and,
  // after it died, the orphans it left to us.
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0)
      break;
    if (pid == spawner_.pid)
      spawner_lost();
  }
}

void reactor::read_pipe(int fd, bool drain) {
  auto it = pipes_.find(fd);
  if (it == pipes_.end())
    return;
  auto owner = it->second;
  auto& p = *procs_.at(owner);
  // A shared stdout+stderr pipe reports as stdout.
  auto stream = fd == p.err_fd ? stream_kind::err : stream_kind::out;
  char buf[65536];
  for (int reads = 0; drain || reads < 16; ++reads) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      flow_ticket ticket = p.flow->take(static_cast<size_t>(n));
      p.listener->on_output(stream, std::string_view(buf, static_cast<size_t>(n)), ticket);
      // After the exit, what is left in the pipe is read whatever the flow
      // says (it is at most a pipe's capacity): the exit waits for it.
      if (!drain && !p.flow->open() && p.flow->try_pause()) {
        pause_output(p);
        break;
      }
      continue;
    }
    if (n == 0) {
      auto listener = p.listener;
      close_pipe(fd);
      listener->on_closed(stream);
      finish_if_done(owner);
    }
    break;  // EAGAIN or error: wait for the next event
  }
}

void reactor::pause_output(process& p) {
  p.output_paused = true;
  for (int fd : {p.out_fd, p.err_fd}) {
    if (fd < 0)
      continue;
    epoll_event ev{};
    ev.events = 0;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
  }
}

void reactor::resume_output(process_id id) {
  auto i = procs_.find(id);
  if (i == procs_.end() || !i->second->output_paused)
    return;
  process& p = *i->second;
  p.output_paused = false;
  int fds[2] = {p.out_fd, p.err_fd};
  for (int fd : fds) {
    if (fd < 0)
      continue;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
  }
}

void reactor::close_pipe(int fd) {
  auto it = pipes_.find(fd);
  if (it == pipes_.end())
    return;
  auto& p = *procs_.at(it->second);
  if (p.out_fd == fd)
    p.out_fd = -1;
  if (p.err_fd == fd)
    p.err_fd = -1;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  pipes_.erase(it);
}

bool reactor::write_stdin(process_id id, std::string data) {
  auto i = procs_.find(id);
  if (i == procs_.end() || i->second->in_fd < 0 || i->second->close_in_when_done)
    return false;
  i->second->in_queue += data;
  flush_stdin(id);
  return procs_.count(id) && i->second->in_fd >= 0;
}

void reactor::close_stdin(process_id id) {
  auto i = procs_.find(id);
  if (i == procs_.end() || i->second->in_fd < 0)
    return;
  i->second->close_in_when_done = true;
  flush_stdin(id);
}

void reactor::flush_stdin(process_id id) {
  auto i = procs_.find(id);
  if (i == procs_.end() || i->second->in_fd < 0)
    return;
  process& p = *i->second;
  while (!p.in_queue.empty()) {
    ssize_t n = write(p.in_fd, p.in_queue.data(), p.in_queue.size());
    if (n > 0) {
      p.in_queue.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      break;
    drop_stdin(p);  // EPIPE: the child closed its stdin or ended
    return;
  }
  if (p.in_queue.empty() && p.close_in_when_done) {
    drop_stdin(p);
    return;
  }
  epoll_event ev{};
  ev.events = p.in_queue.empty() ? 0u : static_cast<uint32_t>(EPOLLOUT);
  ev.data.fd = p.in_fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, p.in_fd, &ev);
}

void reactor::drop_stdin(process& p) {
  if (p.in_fd < 0)
    return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, p.in_fd, nullptr);
  close(p.in_fd);
  stdin_pipes_.erase(p.in_fd);
  p.in_fd = -1;
  p.in_queue.clear();
}

void reactor::finish_if_done(process_id id) {
  auto i = procs_.find(id);
  if (i == procs_.end())
    return;
  auto& p = *i->second;
  if (!p.reaped || p.out_fd >= 0 || p.err_fd >= 0)
    return;
  drop_stdin(p);
  auto listener = std::move(p.listener);
  auto how = p.how;
  procs_.erase(i);
  listener->on_exit(how);
}

void reactor::run_due_timers() {
  auto now = clock::now();
  while (!timers_.empty() && timers_.begin()->first <= now) {
    auto fn = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    fn();
  }
}

int reactor::next_timeout_ms() const {
  if (timers_.empty())
    return -1;
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
      timers_.begin()->first - clock::now());
  return wait.count() < 0 ? 0 : static_cast<int>(wait.count()) + 1;
}

// Polls /proc until no descendant is left: processes that are not our own
// children die without telling us, so there is no event to wait for. After
// the grace period every poll sends SIGKILL, which also catches a process
// forked in the meantime.
void reactor::sweep_step(clock::time_point kill_at) {
  reap();
  auto left = task_processes();
  auto now = clock::now();
  if (left.empty() || now >= kill_at + kill_wait_limit) {
    std::lock_guard<std::mutex> guard(done_mtx_);
    sweep_done_ = true;
    done_cv_.notify_all();
    return;
  }
  if (now >= kill_at)
    for (pid_t p : left)
      kill(p, SIGKILL);
  at(now + sweep_poll, [this, kill_at] { sweep_step(kill_at); });
}

void reactor::kill_all() {
  if (spawner_.fd >= 0 && tell_spawner(wire::writer(wire::op::kill_all).frame()))
    return;
  for (pid_t p : task_processes())
    kill(p, SIGKILL);
}

size_t reactor::shutdown(std::chrono::milliseconds grace) {
  {
    std::lock_guard<std::mutex> guard(done_mtx_);
    sweep_done_ = false;
  }
  post([this, grace] {
    auto left = task_processes();
    sweep_count_ = left.size();
    for (pid_t p : left)
      kill(p, SIGTERM);
    sweep_step(clock::now() + grace);
  });
  std::unique_lock<std::mutex> lock(done_mtx_);
  done_cv_.wait(lock, [this] { return sweep_done_; });
  return sweep_count_;
}

}  // namespace runner
