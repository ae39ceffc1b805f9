#pragma once
// One configured external driver (`drivers:` in the node config) and the
// processes that serve it (SPEC.md §6, docs/driver-protocol.md). The host
// starts a process on first use and keeps it; one process runs several tasks
// at once (up to the `max_tasks` its handshake names; more wait here).
//
// Isolation is the point of this file. What a process does wrong decides what
// fails:
//   - a message about one task that is malformed      -> that task
//   - no answer to `destroy` within the grace period   -> that task; the
//     process is retired (no new tasks; stopped once its other tasks end)
//   - exit, crash, closed stdout or stdin, a line that is not JSON or is over
//     the bound, an answer for an id it was not given -> every task of that
//     process, which is stopped
// Later tasks start a new process. Nothing a driver writes is ever quoted in
// an error: it may hold a secret.
//
// Everything runs on the reactor thread; the public calls are thread-safe and
// post there.
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/node_config.hpp"
#include "drivers/driver.hpp"
#include "drivers/reactor.hpp"

namespace runner::ext {

struct driver_settings {
  std::string runner_name;                      // sent in the handshake
  std::chrono::milliseconds grace{10000};       // destroy -> answer; shutdown -> exit
  std::chrono::milliseconds handshake_timeout{10000};
  size_t max_line_bytes = size_t(8) << 20;      // one protocol line, newline excluded
};

// What a driver said about itself at its first handshake, or why it could not.
struct driver_hello {
  std::vector<std::string> task_types;
  std::string name, version;
  bool can_pause = false;
  std::string error;  // set: it is unusable, and why
};

class driver_host : public std::enable_shared_from_this<driver_host> {
 public:
  driver_host(reactor& r, driver_config config, driver_settings settings);
  ~driver_host();

  // Thread-safe. Starts a process unless one runs; `done` runs on the reactor
  // thread once the first handshake of this host answered or failed (at once
  // when that happened before).
  void hello(std::function<void(const driver_hello&)> done);
  // Thread-safe. After a refused hello (a type clash): no process runs again.
  void refuse(std::string why);
  // Thread-safe. Runs the task on a process of this driver.
  std::unique_ptr<running_task> exec(task_invocation inv, std::shared_ptr<task_events> events);
  // Thread-safe: "driver `name`", or its command before it said its name.
  std::string label() const;
  // Thread-safe: `shutdown` to every process (SIGTERM after the grace
  // period); the future is ready once all have ended.
  std::shared_future<void> begin_shutdown();

  // Reactor thread only (the running_task handle posts these).
  void stop_task(const std::string& id);
  void pause_task(const std::string& id, bool pause);
  // Thread-safe: whether `pause` can reach this driver's tasks.
  bool can_pause() const { return can_pause_.load(); }

 private:
  // Reactor thread: the ticket of the chunk being decoded (output_flow.hpp).
  flow_ticket reading_;
  struct task_run;
  struct process;
  class listener;

  // reactor thread
  process& start_process();
  void on_stdout(process& p, std::string_view data);
  void on_stderr(process& p, std::string_view data);
  void keep_stderr_line(process& p, std::string_view line);  // masked already
  void on_line(process& p, std::string_view line);
  void on_handshake(process& p, struct handshake_reply& h);
  void on_exit(process& p, const process_exit& how);
  void on_stdout_closed(process& p);
  void broken(process& p, const std::string& why);
  void handshake_deadline(uint64_t serial);
  void destroy_deadline(uint64_t serial, const std::string& id);
  void dispatch();
  void send(process& p, std::shared_ptr<task_run> t);
  void finish(std::shared_ptr<task_run> t, driver_result r);
  void fail_all(process& p, const std::string& why, bool stopped = false);
  void fail_task(std::shared_ptr<task_run> t, std::string error, bool stopped = false);
  void start_failed(const std::string& why);
  void leave(process& p, const std::string& id);
  void after_leaving(process& p);
  void learn_secrets(process& p, const task_run& t,
                     const std::map<std::string, std::string>& outputs,
                     const std::vector<std::string>& secret_outputs);
  void retire(process& p);
  void end_process(process& p);
  void first_hello(driver_hello h);
  process* find_process(uint64_t serial);
  std::string tail_of(const process& p) const;

  reactor& react_;
  const driver_config config_;
  const driver_settings settings_;

  mutable std::mutex label_mtx_;
  std::string label_;
  std::atomic<bool> can_pause_{false};

  // Reactor thread only from here on.
  std::vector<std::unique_ptr<process>> processes_;  // the current one, if any, is last
  uint64_t next_serial_ = 1;
  std::map<std::string, std::shared_ptr<task_run>> runs_;  // id -> not yet finished
  std::vector<std::shared_ptr<task_run>> waiting_;          // not sent yet, in order
  bool hello_done_ = false;
  driver_hello first_hello_;
  std::vector<std::function<void(const driver_hello&)>> hello_waiters_;
  std::string refused_;
  bool shutting_down_ = false;
  std::function<void()> on_all_ended_;  // shutdown() waits for this
};

}  // namespace runner::ext
