#pragma once
// The one thread that touches child processes, their pipes and signals, so that
// no CAF scheduler thread ever blocks on them. It multiplexes everything with
// epoll: a signalfd (SIGCHLD, SIGINT, SIGTERM, SIGHUP), the children's output
// pipes (stdout and stderr share one, so their lines stay in order, unless the
// caller asks for them apart), the socket to the spawner process, an eventfd
// for work posted from other threads, and a timer list.
// The processes themselves are started, signalled and reaped by the spawner
// (spawner.hpp), so that none outlives a runner that was SIGKILLed.
// Listeners are called on this thread and must only hand data on (e.g. send an
// actor message), never wait.
#include <sys/types.h>

#include <chrono>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "drivers/driver.hpp"
#include "drivers/output_flow.hpp"
#include "drivers/spawner.hpp"
#include "drivers/spawner_wire.hpp"

namespace runner {

struct process_spec {
  std::vector<std::string> argv;  // argv[0] without '/' is looked up in the env's PATH
  std::vector<std::string> env;   // "NAME=value"
  std::string working_dir;        // empty: the runner's
  // The child's stdin: a descriptor the caller owns (and may close once spawn()
  // returned), dup'd onto fd 0; -1 = /dev/null. The child shares its file
  // offset, so a file written by the caller must be rewound first.
  int stdin_fd = -1;
  // stdout gets a pipe of its own, reported as stream_kind::out, and stderr's
  // pipe reports as stream_kind::err (for a child whose stdout is data, not a
  // log). Default: one pipe for both, reported as out.
  bool separate_stdout = false;
  // The child's stdin is a pipe the reactor writes to (write_stdin), for a
  // child that is spoken to while it runs (an external driver). Overrides
  // stdin_fd.
  bool stdin_pipe = false;
  // For a long-lived helper that starts processes of its own (an external
  // driver): when it ends, however, what it leaves behind is ended too.
  bool contain = false;
};

struct process_exit {
  std::optional<int> exit_code;  // set when it exited
  std::optional<int> signal;     // set when a signal ended it
  std::string spawn_error;       // set when it never started
  pid_t pid = 0;                 // the process (and its group's id), once it ran
};

class process_listener {
 public:
  virtual ~process_listener() = default;
  // `ticket` stands for `data` until it is delivered: a listener that hands
  // the data on (to an actor) hands a copy of the ticket with it; one that
  // is done with the data when it returns drops it (output_flow.hpp).
  virtual void on_output(stream_kind stream, std::string_view data, const flow_ticket& ticket) = 0;
  // A pipe reached its end, which may come long before the exit (a child that
  // closed its stdout but runs on).
  virtual void on_closed(stream_kind stream) { (void)stream; }
  // After the process was reaped and what it wrote before exiting was read.
  virtual void on_exit(const process_exit& how) = 0;
};

class reactor {
 public:
  using process_id = uint64_t;
  using clock = std::chrono::steady_clock;

  // Must run before any thread exists: blocks the signals the reactor takes
  // over (threads inherit the mask) and ignores SIGPIPE.
  static void block_signals();

  reactor();
  ~reactor();  // stops the thread; call shutdown() first to end the children
  reactor(const reactor&) = delete;
  reactor& operator=(const reactor&) = delete;

  // Thread-safe: runs fn on the reactor thread.
  void post(std::function<void()> fn);

  // Reactor thread only. Starts a process in a new process group; a failure to
  // start is reported through on_exit (from the loop, not from inside spawn).
  process_id spawn(const process_spec& spec, std::shared_ptr<process_listener> listener);
  // Reactor thread only, for a process spawned with stdin_pipe. Queues `data`
  // for its stdin and writes as much as the pipe takes now, the rest as it
  // drains, never waiting. Returns false when the stdin is gone (the child
  // closed it or ended, or it was closed): the data is dropped.
  bool write_stdin(process_id id, std::string data);
  // Reactor thread only: closes the stdin once what was queued is written.
  void close_stdin(process_id id);
  // Reactor thread only. fn runs on the reactor thread at `when`.
  void at(clock::time_point when, std::function<void()> fn);

  // Thread-safe. SIGTERM to the process, its group and all its descendants;
  // SIGKILL to whatever is left after `grace`.
  void terminate(process_id id, std::chrono::milliseconds grace);

  // Thread-safe. Called on the reactor thread for SIGINT/SIGTERM/SIGHUP with the
  // number of such signals received so far; signals that came before the
  // handler was set are replayed to it.
  void on_signal(std::function<void(int signo, int count)> handler);

  // Thread-safe. SIGSTOP (`stop`) or SIGCONT to the process, its group and all
  // its descendants.
  void suspend(process_id id, bool stop);

  // Before the first spawn: an environment entry ("NAME=value") every process
  // gets, in place of one of the same name (incarnation.hpp).
  void mark_processes(std::string entry) { mark_ = std::move(entry); }

  // Thread-safe: a SIGINT, SIGTERM or SIGHUP has arrived (handled or not).
  bool stop_signal_seen() const { return stop_seen_.load(); }

  // Reactor thread only: SIGKILL to every task process, now.
  void kill_all();

  // Thread-safe, blocking (not for actors): ends every remaining descendant of
  // the runner — SIGTERM, then SIGKILL after `grace` — and waits until all are
  // reaped. Returns the number of processes it had to signal.
  size_t shutdown(std::chrono::milliseconds grace);

 private:
  struct process;
  void loop();
  void handle_signals();
  void reap();
  // drain: read until the pipe is empty (after the exit); otherwise a bounded
  // number of reads, so a child that writes without pause cannot hold the
  // loop (the level-triggered epoll reports the rest next round).
  void read_pipe(int fd, bool drain);
  // Output of `id` is on its way to more than its window: stop reading its
  // pipes until resume_output (posted by the flow when credit comes back).
  void pause_output(process& p);
  void resume_output(process_id id);
  void finish_if_done(process_id id);
  void close_pipe(int fd);
  void flush_stdin(process_id id);
  void drop_stdin(process& p);
  void start_spawner_process();
  void read_spawner();
  void on_failed(process_id id, int error);
  void on_exited(process_id id, pid_t pid, int status);
  // The spawner died or broke its stream: what it ran is killed and reported
  // ended; the next spawn starts a new spawner.
  void spawner_lost();
  bool tell_spawner(const std::string& frame, const std::vector<int>& fds = {});
  std::vector<pid_t> task_processes() const;  // descendants, the spawner left out
  void run_due_timers();
  int next_timeout_ms() const;
  void sweep_step(clock::time_point kill_at);

  // Lets a flow's on_credit (any thread, maybe after this reactor is gone)
  // post to it.
  struct poster {
    std::mutex mtx;
    reactor* r = nullptr;
  };
  std::shared_ptr<poster> poster_ = std::make_shared<poster>();

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int signal_fd_ = -1;
  pid_t self_ = 0;
  bool stopping_ = false;

  std::mutex mtx_;  // guards posted_ and signal_handler_
  std::vector<std::function<void()>> posted_;
  std::function<void(int, int)> signal_handler_;
  std::vector<int> unhandled_signals_;  // arrived before on_signal()
  int signal_count_ = 0;
  std::atomic<bool> stop_seen_{false};

  process_id next_id_ = 1;
  std::map<process_id, std::unique_ptr<process>> procs_;
  std::string mark_;
  spawner_process spawner_;
  std::unique_ptr<spawner_wire::inbox> spawner_in_;
  std::map<int, process_id> pipes_;  // output pipe fd -> its process
  std::map<int, process_id> stdin_pipes_;  // stdin pipe fd (write end) -> its process
  std::multimap<clock::time_point, std::function<void()>> timers_;
  std::vector<process_id> failed_spawns_;

  // shutdown() handshake
  std::mutex done_mtx_;
  std::condition_variable done_cv_;
  bool sweep_done_ = false;
  size_t sweep_count_ = 0;

  std::thread thread_;
};

}  // namespace runner
