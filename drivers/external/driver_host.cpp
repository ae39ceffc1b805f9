#include "drivers/external/driver_host.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <future>
#include <set>

#include "drivers/child_environment.hpp"
#include "drivers/external/driver_protocol.hpp"
#include "drivers/line_buffer.hpp"
#include "drivers/masker.hpp"
#include "drivers/signal_name.hpp"

namespace runner::ext {

namespace {

constexpr size_t kStderrLineBytes = 64 * 1024;  // a longer stderr "line" is cut
constexpr size_t kStderrTailLines = 5;          // shown when the process ends badly
constexpr size_t kRememberedIds = 4096;          // answered ids whose late lines are ignored

std::string seconds_of(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms % 1000 == 0)
    return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string id_of(const driver_message& m) {
  if (auto* l = std::get_if<log_message>(&m))
    return l->id;
  if (auto* o = std::get_if<outputs_message>(&m))
    return o->id;
  if (auto* r = std::get_if<result_message>(&m))
    return r->id;
  return {};
}

// A name the driver gave, fit for one line of a log: control characters
// replaced, at most `max` bytes.
std::string printable(const std::string& s, size_t max) {
  std::string out = s.size() > max ? s.substr(0, max) + "..." : s;
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = '?';
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (auto& s : v)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

// One task sent (or to be sent) to this driver.
struct driver_host::task_run {
  std::string id;
  task_invocation inv;
  std::shared_ptr<task_events> events;
  uint64_t process = 0;  // the serial of the process running it; 0 while waiting
  bool stop_requested = false;
  bool destroy_sent = false;
  bool paused = false;  // runnerctl pause, until resume
  bool resent = false;  // put back in the queue once after a closed stdin
  bool done = false;
};

// One driver process.
struct driver_host::process {
  enum class phase { starting, ready, retired, stopping };
  uint64_t serial = 0;
  reactor::process_id rid = 0;
  phase state = phase::starting;
  handshake_reply hello;
  std::string out_buf;
  masker secrets;  // every secret a task of this process imported or produced
  // Its stderr as masked lines (wrapped base64 judged across lines, too).
  line_buffer err_lines{kStderrLineBytes, &secrets};
  std::deque<std::string> err_tail;  // masked
  std::map<std::string, std::shared_ptr<task_run>> tasks;
  std::set<std::string> answered;
  std::deque<std::string> answered_order;
  bool stdout_closed = false;
  bool signalled = false;  // the runner sent it SIGTERM
  bool stopped_for_closed_stdout = false;  // ... because its stdout ended
  std::string broken;      // why the runner stopped it
};

// Reactor callbacks find their process by serial, and the host through a weak
// pointer: a late callback after the host is gone does nothing.
class driver_host::listener : public process_listener {
 public:
  listener(std::weak_ptr<driver_host> host, uint64_t serial) : host_(std::move(host)), serial_(serial) {}
  void on_output(stream_kind stream, std::string_view data, const flow_ticket& ticket) override {
    auto h = host_.lock();
    if (!h)
      return;
    if (auto* p = h->find_process(serial_)) {
      // Task log lines decoded from this chunk hold its ticket, so a driver
      // that prints faster than its tasks' output is shown is slowed.
      h->reading_ = ticket;
      stream == stream_kind::out ? h->on_stdout(*p, data) : h->on_stderr(*p, data);
      h->reading_ = {};
    }
  }
  void on_closed(stream_kind stream) override {
    auto h = host_.lock();
    if (!h || stream != stream_kind::out)
      return;
    if (auto* p = h->find_process(serial_))
      h->on_stdout_closed(*p);
  }
  void on_exit(const process_exit& how) override {
    auto h = host_.lock();
    if (!h)
      return;
    if (auto* p = h->find_process(serial_))
      h->on_exit(*p, how);
  }

 private:
  std::weak_ptr<driver_host> host_;
  uint64_t serial_;
};

// What the task actor holds: stop and pause go to the reactor thread.
class external_task : public running_task {
 public:
  external_task(reactor& r, std::weak_ptr<driver_host> host, std::string id)
      : react_(r), host_(std::move(host)), id_(std::move(id)) {}
  void stop(stop_reason) override {
    react_.post([host = host_, id = id_] {
      if (auto h = host.lock())
        h->stop_task(id);
    });
  }
  std::string pause(bool pause) override {
    auto h = host_.lock();
    if (!h)
      return "its driver is gone";
    if (!h->can_pause())
      return h->label() + " cannot pause tasks (its handshake does not offer `pause`)";
    react_.post([host = host_, id = id_, pause] {
      if (auto h = host.lock())
        h->pause_task(id, pause);
    });
    return {};
  }

 private:
  reactor& react_;
  std::weak_ptr<driver_host> host_;
  std::string id_;
};

driver_host::driver_host(reactor& r, driver_config config, driver_settings settings)
    : react_(r), config_(std::move(config)), settings_(std::move(settings)) {
  // Until the driver names itself: its command, as the config wrote it.
  std::string command;
  for (auto& part : config_.command)
    command += (command.empty() ? "" : " ") + part;
  if (command.size() > 120)
    command = command.substr(0, 117) + "...";
  label_ = "driver `" + command + "`";
}

driver_host::~driver_host() = default;

std::string driver_host::label() const {
  std::lock_guard<std::mutex> lock(label_mtx_);
  return label_;
}

driver_host::process* driver_host::find_process(uint64_t serial) {
  for (auto& p : processes_)
    if (p->serial == serial)
      return p.get();
  return nullptr;
}

void driver_host::hello(std::function<void(const driver_hello&)> done) {
  react_.post([self = shared_from_this(), done = std::move(done)]() mutable {
    if (self->hello_done_) {
      done(self->first_hello_);
      return;
    }
    self->hello_waiters_.push_back(std::move(done));
    bool running = false;
    for (auto& p : self->processes_)
      running = running || p->state == process::phase::starting ||
                p->state == process::phase::ready;
    if (!running)
      self->start_process();
  });
}

void driver_host::refuse(std::string why) {
  react_.post([self = shared_from_this(), why = std::move(why)] {
    self->refused_ = why;
    for (auto& p : self->processes_)
      self->end_process(*p);
    auto waiting = std::move(self->waiting_);
    self->waiting_.clear();
    for (auto& t : waiting)
      self->fail_task(t, self->label() + " is not used: " + why);
  });
}

std::unique_ptr<running_task> driver_host::exec(task_invocation inv,
                                                std::shared_ptr<task_events> events) {
  auto t = std::make_shared<task_run>();
  t->id = inv.run_id;
  t->inv = std::move(inv);
  t->events = std::move(events);
  auto handle = std::make_unique<external_task>(react_, weak_from_this(), t->id);
  react_.post([self = shared_from_this(), t] {
    if (!self->refused_.empty() || self->shutting_down_) {
      self->fail_task(t, self->label() + (self->shutting_down_
                                              ? " is shutting down with the runner"
                                              : " is not used: " + self->refused_));
      return;
    }
    self->runs_[t->id] = t;
    self->waiting_.push_back(t);
    self->dispatch();
  });
  return handle;
}

driver_host::process& driver_host::start_process() {
  auto p = std::make_unique<process>();
  p->serial = next_serial_++;
  process_spec spec;
  spec.argv = config_.command;
  auto env = base_child_environment(false);
  for (auto& [k, v] : config_.env)
    env[k] = v;
  spec.env = environment_entries(env);
  spec.separate_stdout = true;
  spec.stdin_pipe = true;
  // What the driver started and left behind (its tasks' processes) must not
  // outlive it, least of all under a long-lived `runner serve`.
  spec.contain = true;
  process& ref = *p;
  processes_.push_back(std::move(p));
  ref.rid = react_.spawn(spec, std::make_shared<listener>(weak_from_this(), ref.serial));
  react_.write_stdin(ref.rid, encode_handshake(settings_.runner_name));
  react_.at(reactor::clock::now() + settings_.handshake_timeout,
            [weak = weak_from_this(), serial = ref.serial] {
              if (auto h = weak.lock())
                h->handshake_deadline(serial);
            });
  spdlog::debug("{}: starting a process", label());
  return ref;
}

void driver_host::handshake_deadline(uint64_t serial) {
  auto* p = find_process(serial);
  if (p && p->state == process::phase::starting)
    broken(*p, "did not answer the handshake within " + seconds_of(settings_.handshake_timeout) +
                   " (it must write a `handshake` line on stdout)");
}

// The process waiting for tasks: the newest one, unless it is on its way out.
void driver_host::dispatch() {
  if (waiting_.empty() || shutting_down_ || !refused_.empty())
    return;
  process* cur = nullptr;
  if (!processes_.empty()) {
    auto& last = *processes_.back();
    if (last.state == process::phase::starting || last.state == process::phase::ready)
      cur = &last;
  }
  if (!cur)
    cur = &start_process();
  if (cur->state != process::phase::ready)
    return;  // the handshake dispatches
  while (!waiting_.empty() && cur->state == process::phase::ready &&
         (cur->hello.max_tasks == 0 || cur->tasks.size() < cur->hello.max_tasks)) {
    auto t = waiting_.front();
    waiting_.erase(waiting_.begin());
    send(*cur, t);
  }
}

void driver_host::send(process& p, std::shared_ptr<task_run> t) {
  const auto& types = p.hello.task_types;
  if (std::find(types.begin(), types.end(), t->inv.task->type) == types.end()) {
    fail_task(t, label() + " no longer serves task type `" + t->inv.task->type +
                     "`: its new process (started after the last one ended) names only " +
                     std::to_string(types.size()) + " other type(s) in its handshake");
    return;
  }
  exec_request req;
  req.id = t->id;
  req.task = t->inv.task_name;
  req.task_type = t->inv.task->type;
  req.group = t->inv.group_id;
  req.attempt = t->inv.attempt;
  req.spec = t->inv.spec;
  req.imports = t->inv.imports;
  std::set<std::string> secret_values(t->inv.secrets.begin(), t->inv.secrets.end());
  for (auto& [key, value] : t->inv.imports)
    if (secret_values.count(value))
      req.confidential.push_back(key);
  if (t->inv.mask_patterns)
    p.secrets.use_rules(t->inv.mask_patterns);  // the same node's rules for every task
  for (auto& s : t->inv.secrets)
    p.secrets.add(s);
  if (!react_.write_stdin(p.rid, encode_exec(req))) {
    // The task never reached this process (which may have just died): it
    // waits for the next one, once; the process is done for.
    if (!t->resent) {
      t->resent = true;
      waiting_.insert(waiting_.begin(), t);
    } else {
      fail_task(t, label() + " closed its stdin twice in a row before it got this task");
    }
    broken(p, "closed its stdin");
    return;
  }
  t->process = p.serial;
  p.tasks[t->id] = t;
  if (t->paused && p.hello.can_pause)  // paused while it waited for a free place
    react_.write_stdin(p.rid, encode_signal(t->id, signal_kind::pause));
}

void driver_host::stop_task(const std::string& id) {
  auto i = runs_.find(id);
  if (i == runs_.end())
    return;
  auto t = i->second;
  t->stop_requested = true;
  if (t->process == 0) {
    waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), t), waiting_.end());
    driver_result r;  // not the driver's fault: the task never reached it
    r.error = "stopped before " + label() + " started it";
    r.stopped = true;
    finish(t, std::move(r));
    return;
  }
  auto* p = find_process(t->process);
  if (!p || t->destroy_sent)
    return;
  t->destroy_sent = true;
  react_.write_stdin(p->rid, encode_signal(id, signal_kind::destroy));
  react_.at(reactor::clock::now() + settings_.grace,
            [weak = weak_from_this(), serial = p->serial, id] {
              if (auto h = weak.lock())
                h->destroy_deadline(serial, id);
            });
}

void driver_host::destroy_deadline(uint64_t serial, const std::string& id) {
  auto i = runs_.find(id);
  if (i == runs_.end())
    return;
  auto t = i->second;
  std::string error = label() + " did not answer `destroy` within " +
                      seconds_of(settings_.grace) +
                      "; the task was abandoned and the driver process retired (a new one "
                      "serves later tasks)";
  auto* p = find_process(serial);
  if (p)
    leave(*p, id);
  fail_task(t, std::move(error), true);
  if (p)
    retire(*p);
}

void driver_host::pause_task(const std::string& id, bool pause) {
  auto i = runs_.find(id);
  if (i == runs_.end())
    return;
  i->second->paused = pause;  // one still waiting is paused as soon as it is sent
  if (i->second->process == 0)
    return;
  auto* p = find_process(i->second->process);
  if (!p)
    return;
  if (p->hello.can_pause)
    react_.write_stdin(p->rid, encode_signal(id, pause ? signal_kind::pause : signal_kind::start));
  else
    spdlog::warn("{}: the process running task `{}` does not offer pause; not {}", label(),
                 i->second->inv.task_name, pause ? "paused" : "resumed");
}

void driver_host::on_stdout(process& p, std::string_view data) {
  size_t start = 0;
  while (p.broken.empty() && start < data.size()) {
    size_t nl = data.find('\n', start);
    if (nl == std::string_view::npos) {
      p.out_buf.append(data.substr(start));
      if (p.out_buf.size() > settings_.max_line_bytes) {
        p.out_buf.clear();
        p.out_buf.shrink_to_fit();
        broken(p, "wrote a line longer than the limit of " +
                      std::to_string(settings_.max_line_bytes) + " bytes");
      }
      return;
    }
    std::string_view piece = data.substr(start, nl - start);
    start = nl + 1;
    if (p.out_buf.empty()) {
      on_line(p, piece);
    } else {
      p.out_buf.append(piece);
      std::string line = std::move(p.out_buf);
      p.out_buf.clear();
      on_line(p, line);
    }
  }
}

void driver_host::on_line(process& p, std::string_view line) {
  // A process on its way out (shutdown, retired) may still answer; only a
  // broken one is not listened to any more.
  if (!p.broken.empty())
    return;
  if (line.find_first_not_of(" \t\r") == std::string_view::npos)
    return;  // blank lines carry nothing
  auto decoded = decode_driver_line(line, settings_.max_line_bytes);
  if (!decoded.message) {
    auto i = decoded.id.empty() ? p.tasks.end() : p.tasks.find(decoded.id);
    if (i == p.tasks.end()) {
      broken(p, "broke the protocol with " + decoded.error);
      return;
    }
    // Only this task's answer is unusable; the driver is told to drop it.
    auto t = i->second;
    react_.write_stdin(p.rid, encode_signal(t->id, signal_kind::destroy));
    leave(p, t->id);
    fail_task(t, label() + " sent a malformed message about this task: " + decoded.error);
    after_leaving(p);
    return;
  }
  auto& msg = *decoded.message;
  if (auto* h = std::get_if<handshake_reply>(&msg)) {
    on_handshake(p, *h);
    return;
  }
  if (p.state == process::phase::starting) {
    broken(p, "sent a message before its handshake");
    return;
  }
  std::string id = id_of(msg);
  auto i = p.tasks.find(id);
  if (i == p.tasks.end()) {
    if (p.answered.count(id))
      return;  // late news about a task already ended (destroyed, or a bad message)
    broken(p, "answered for a task id it was not given");
    return;
  }
  auto t = i->second;
  if (auto* log = std::get_if<log_message>(&msg)) {
    log->line.push_back('\n');
    t->events->output(log->stream, std::move(log->line), reading_);
  } else if (auto* out = std::get_if<outputs_message>(&msg)) {
    learn_secrets(p, *t, out->outputs, {});
    t->events->outputs_seen(std::move(out->outputs));
  } else if (auto* res = std::get_if<result_message>(&msg)) {
    leave(p, id);
    learn_secrets(p, *t, res->outputs, res->secret_outputs);
    driver_result r;
    r.success = res->success;
    r.exit_code = res->exit_code;
    r.outputs = std::move(res->outputs);
    r.error = std::move(res->error);
    r.secret_outputs = std::move(res->secret_outputs);
    r.stopped = t->stop_requested;
    finish(t, std::move(r));
    after_leaving(p);
  }
}

// Values the process's stderr must not show from now on: the task's
// confidential exports and the outputs the driver itself calls secret.
void driver_host::learn_secrets(process& p, const task_run& t,
                                const std::map<std::string, std::string>& outputs,
                                const std::vector<std::string>& secret_outputs) {
  for (auto& e : t.inv.task->exports)
    if (e.confidential)
      if (auto o = outputs.find(e.name); o != outputs.end())
        p.secrets.add(o->second);
  for (auto& name : secret_outputs)
    if (auto o = outputs.find(name); o != outputs.end())
      p.secrets.add(o->second);
}

// A task is no longer the process's (answered, given up on, or malformed):
// late lines about it are ignored.
void driver_host::leave(process& p, const std::string& id) {
  p.tasks.erase(id);
  p.answered.insert(id);
  p.answered_order.push_back(id);
  while (p.answered_order.size() > kRememberedIds) {
    p.answered.erase(p.answered_order.front());
    p.answered_order.pop_front();
  }
}

// A retired process goes once its last task left; the freed place may take
// a waiting task.
void driver_host::after_leaving(process& p) {
  if (p.state == process::phase::retired && p.tasks.empty())
    end_process(p);
  dispatch();
}

void driver_host::on_handshake(process& p, handshake_reply& h) {
  if (p.state != process::phase::starting) {
    broken(p, "sent a second handshake");
    return;
  }
  if (h.protocol != protocol_version) {
    broken(p, "speaks driver protocol version " + std::to_string(h.protocol) +
                  "; this runner speaks version " + std::to_string(protocol_version) +
                  " (docs/driver-protocol.md)");
    return;
  }
  p.hello = h;
  p.state = process::phase::ready;
  can_pause_ = h.can_pause;
  if (!h.name.empty()) {
    std::lock_guard<std::mutex> lock(label_mtx_);
    label_ = "driver `" + printable(h.name, 64) + "`";
  }
  spdlog::info("{} {}ready: serves {}", label(),
               h.version.empty() ? "" : printable(h.version, 32) + " ",
               printable(joined(h.task_types), 512));
  if (!hello_done_) {
    driver_hello d;
    d.task_types = h.task_types;
    d.name = h.name;
    d.version = h.version;
    d.can_pause = h.can_pause;
    first_hello(std::move(d));
  }
  dispatch();
}

void driver_host::first_hello(driver_hello h) {
  hello_done_ = true;
  first_hello_ = std::move(h);
  auto waiters = std::move(hello_waiters_);
  for (auto& w : waiters)
    w(first_hello_);
}

void driver_host::on_stderr(process& p, std::string_view data) {
  p.err_lines.feed(data, [&](std::string_view line) { keep_stderr_line(p, line); });
}

void driver_host::keep_stderr_line(process& p, std::string_view line) {
  spdlog::info("{}: {}", label(), line);
  p.err_tail.emplace_back(line);
  if (p.err_tail.size() > kStderrTailLines)
    p.err_tail.pop_front();
}

std::string driver_host::tail_of(const process& p) const {
  if (p.err_tail.empty())
    return {};
  std::string out = "; its last stderr lines:";
  for (auto& l : p.err_tail)
    out += "\n  " + l;
  return out;
}

void driver_host::on_stdout_closed(process& p) {
  p.stdout_closed = true;
  // A process that crashed is already gone and reports its own status; one
  // that only closed stdout can never answer again.
  if (!p.signalled) {
    p.signalled = true;
    p.stopped_for_closed_stdout = true;
    react_.terminate(p.rid, settings_.grace);
  }
}

void driver_host::on_exit(process& p, const process_exit& how) {
  p.err_lines.flush([&](std::string_view line) { keep_stderr_line(p, line); });
  // EOF on stdout comes before the exit status, so a crash also looks like
  // a closed stdout at first: only the runner's own signals, sent because
  // of it, make "closed its stdout" the story.
  bool ours = p.stopped_for_closed_stdout && how.signal &&
              (*how.signal == SIGTERM || *how.signal == SIGKILL);
  std::string what;
  if (!how.spawn_error.empty())
    what = "could not be started: " + how.spawn_error;
  else if (ours)
    what = "closed its stdout";
  else if (how.signal)
    what = "was killed by " + signal_name(*how.signal);
  else
    what = "exited with status " + std::to_string(how.exit_code.value_or(-1));
  bool was_starting = p.state == process::phase::starting;
  bool leaving = p.state == process::phase::stopping;  // asked to go (shutdown, retired)
  if (p.broken.empty()) {
    if (was_starting)
      start_failed(how.spawn_error.empty() ? what + " before answering the handshake" + tail_of(p)
                                           : what);
    else if (p.tasks.empty() && !leaving && !shutting_down_)
      spdlog::warn("{} {}{}", label(), what, tail_of(p));
    if (leaving && shutting_down_)
      fail_all(p, label() + " ended with the runner before it answered for this task", true);
    else if (!p.tasks.empty())
      fail_all(p, label() + " " + what + " while running this task" + tail_of(p) +
                      "; a new process starts for later tasks");
  }
  uint64_t serial = p.serial;
  processes_.erase(std::remove_if(processes_.begin(), processes_.end(),
                                  [serial](auto& q) { return q->serial == serial; }),
                   processes_.end());
  if (shutting_down_ && processes_.empty() && on_all_ended_) {
    auto ended = std::move(on_all_ended_);
    on_all_ended_ = nullptr;
    ended();
  }
  dispatch();
}

void driver_host::broken(process& p, const std::string& why) {
  if (!p.broken.empty())
    return;
  p.broken = why;
  bool was_starting = p.state == process::phase::starting;
  // The rule it broke is the runner's own text, but mask it all the same.
  spdlog::warn("{} {}; stopping it", label(), p.secrets.empty() ? why : p.secrets.mask(why));
  fail_all(p, label() + " " + why +
                  "; the driver process was stopped, and a new one starts for later tasks");
  p.state = process::phase::stopping;
  if (!p.signalled) {
    p.signalled = true;
    react_.terminate(p.rid, settings_.grace);
  }
  if (was_starting)
    start_failed(why);
  dispatch();
}

// A process that never got through its handshake: the first hello (if still
// awaited) says why, and the tasks waiting for it fail rather than start
// another process that would most likely fail the same way.
void driver_host::start_failed(const std::string& why) {
  if (!hello_done_) {
    driver_hello d;
    d.error = why;
    first_hello(std::move(d));
  }
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& t : waiting)
    fail_task(t, label() + " " + why);
}

void driver_host::fail_task(std::shared_ptr<task_run> t, std::string error, bool stopped) {
  driver_result r;
  r.error = std::move(error);
  r.infrastructure = true;
  r.stopped = stopped;
  finish(std::move(t), std::move(r));
}

void driver_host::fail_all(process& p, const std::string& why, bool stopped) {
  auto tasks = std::move(p.tasks);
  p.tasks.clear();
  for (auto& [id, t] : tasks)
    fail_task(t, why, stopped || t->stop_requested);
}


void driver_host::retire(process& p) {
  if (p.state == process::phase::starting || p.state == process::phase::ready)
    p.state = process::phase::retired;
  if (p.state == process::phase::retired && p.tasks.empty())
    end_process(p);
  dispatch();
}

// The polite way out: `shutdown`, then signals if it does not go.
void driver_host::end_process(process& p) {
  if (p.state == process::phase::stopping)
    return;
  p.state = process::phase::stopping;
  react_.write_stdin(p.rid, encode_shutdown());
  react_.close_stdin(p.rid);
  react_.at(reactor::clock::now() + settings_.grace, [weak = weak_from_this(), serial = p.serial] {
    auto h = weak.lock();
    if (!h)
      return;
    if (auto* q = h->find_process(serial); q && !q->signalled) {
      q->signalled = true;
      h->react_.terminate(q->rid, h->settings_.grace);
    }
  });
}

void driver_host::finish(std::shared_ptr<task_run> t, driver_result r) {
  if (t->done)
    return;
  t->done = true;
  runs_.erase(t->id);
  t->events->finished(std::move(r));
}

std::shared_future<void> driver_host::begin_shutdown() {
  auto ended = std::make_shared<std::promise<void>>();
  std::shared_future<void> future = ended->get_future();
  react_.post([self = shared_from_this(), ended] {
    self->shutting_down_ = true;
    auto waiting = std::move(self->waiting_);
    self->waiting_.clear();
    for (auto& t : waiting)
      self->fail_task(t, self->label() + " is shutting down with the runner", true);
    if (self->processes_.empty()) {
      ended->set_value();
      return;
    }
    self->on_all_ended_ = [ended] { ended->set_value(); };
    for (auto& p : self->processes_)
      self->end_process(*p);
  });
  return future;
}

}  // namespace runner::ext
