#include "actors/task_actor.hpp"
#include "actors/task_cache.hpp"
#include "actors/task_exports.hpp"
#include "actors/when_gate.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "drivers/cache/cache_worker.hpp"
#include "drivers/line_buffer.hpp"
#include "drivers/masker.hpp"
#include "schema/duration.hpp"
#include "schema/template.hpp"
#include "schema/when.hpp"

namespace runner {

namespace {

// Hands a driver's events to the task actor's mailbox, from whatever thread
// the driver reports on. Message order per sender is kept by CAF.
//
// A driver that finishes inside start() (in-process types) on the actor's own
// thread, having sent nothing before, has its result held instead: the actor
// takes it as soon as start() returns, without a message to itself.
class mailbox_events : public task_events {
 public:
  explicit mailbox_events(task_actor target) : target_(std::move(target)) {}
  void output(stream_kind stream, std::string chunk, flow_ticket ticket) override {
    mailed_ = true;
    caf::anon_send(target_, output_atom::value, stream, std::move(chunk), std::move(ticket));
  }
  void outputs_seen(std::map<std::string, std::string> outputs) override {
    mailed_ = true;
    caf::anon_send(target_, seen_atom::value, std::move(outputs));
  }
  void finished(driver_result result) override {
    finished_ = true;
    if (holder_ == std::this_thread::get_id() && !mailed_) {
      held_ = std::move(result);
      return;
    }
    caf::anon_send(target_, finished_atom::value, std::move(result));
  }
  bool has_finished() const { return finished_; }

  // Around start(), on the actor's thread.
  void hold() { holder_ = std::this_thread::get_id(); }
  std::optional<driver_result> release() {
    holder_ = std::thread::id{};
    return std::move(held_);
  }

 private:
  task_actor target_;
  std::atomic<bool> finished_{false};
  std::atomic<bool> mailed_{false};
  std::atomic<std::thread::id> holder_{};
  std::optional<driver_result> held_;
};

void render_in_place(json& v, const std::map<std::string, std::string>& imports) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.find("{{") == std::string::npos)
      return;
    v = render_templates(s, [&](const std::string& task, const std::string& var) {
      auto i = imports.find(task + "." + var);
      return i == imports.end() ? std::string{} : i->second;
    });
  } else if (v.is_array() || v.is_object()) {
    for (auto& x : v)
      render_in_place(x, imports);
  }
}

// One copy of the spec, its templates resolved (rendering into a copy of
// every value copied each string twice).
json render_spec(const json& spec, const std::map<std::string, std::string>& imports) {
  json out = spec;
  render_in_place(out, imports);
  return out;
}

enum class phase { waiting, checking_cache, queued, running, backing_off, done };

struct task_state {
  task_actor_args args;
  const task_decl* decl = nullptr;
  driver* drv = nullptr;
  bool forwarded = false;  // runs on another node (forward.to)
  phase at = phase::waiting;
  size_t pending = 0;
  std::map<std::string, std::string> imports;  // "task.var" -> value
  std::map<std::string, std::string> statuses;  // waited-for task -> how it ended
  // The spec with its templates resolved: once for `when` and every attempt,
  // as the imports do not change after they have all arrived.
  std::optional<json> spec;
  masker secrets;
  std::vector<std::string> secret_values;  // imported confidential values
  std::set<std::string> warned_short;      // exports told too short to mask
  std::unique_ptr<line_buffer> out_lines, err_lines;
  std::unique_ptr<running_task> handle;
  bool holds_slot = false;
  bool cancel_requested = false;
  bool timed_out = false;
  bool start_untold = false;  // this attempt runs, but no `started` went out yet
  task_report report;
  int64_t started_steady_ms = 0;
  // Set once the cache was asked: a successful run is stored under it.
  std::optional<cache::cache_key> cache_key;
  int64_t lookup_started_ms = 0, lookup_started_steady_ms = 0;
  cache::time_point attempt_started{};  // wall clock: a cache entry's age counts from it
  static inline const char* name = "task";
};

using self_ptr = task_actor::stateful_pointer<task_state>;

int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void tell_start(self_ptr self) {
  auto& st = self->state;
  if (!st.start_untold)
    return;
  st.start_untold = false;
  self->send(st.args.ctx->observer, started_atom::value, st.decl->name, st.report.attempts);
}

// `line` comes masked from the line_buffer.
void emit_line(self_ptr self, stream_kind stream, std::string_view line,
               const flow_ticket& ticket = {}) {
  auto& st = self->state;
  tell_start(self);  // a line of the run never shows before its start
  self->send(st.args.ctx->observer, log_line{st.decl->name, stream, std::string(line), ticket});
}

// Made on the first output: most in-process tasks print nothing.
line_buffer& lines_of(self_ptr self, stream_kind stream) {
  auto& st = self->state;
  auto& lines = stream == stream_kind::out ? st.out_lines : st.err_lines;
  if (!lines)
    lines = std::make_unique<line_buffer>(st.args.ctx->limits.line_bytes, &st.secrets);
  return *lines;
}

void flush_lines(self_ptr self) {
  auto& st = self->state;
  if (st.out_lines)
    st.out_lines->flush([&](std::string_view l) { emit_line(self, stream_kind::out, l); });
  if (st.err_lines)
    st.err_lines->flush([&](std::string_view l) { emit_line(self, stream_kind::err, l); });
}

void release_slot(self_ptr self) {
  auto& st = self->state;
  if (st.holds_slot) {
    st.holds_slot = false;
    self->send(st.args.supervisor, release_atom::value);
  }
}

// Final word, to the supervisor, which tells the tasks that wait for this one.
void finish(self_ptr self, task_status status, std::string error = {}) {
  auto& st = self->state;
  st.at = phase::done;
  auto& r = st.report;
  r.returns_slot = st.holds_slot;  // one message instead of release + report
  st.holds_slot = false;
  r.start_untold = st.start_untold;
  st.start_untold = false;
  r.status = status;
  r.error = st.secrets.empty() ? error : st.secrets.mask(error);
  if (r.started_at_ms != 0)
    r.duration_ms = steady_ms() - st.started_steady_ms;
  self->send(st.args.supervisor, std::move(r));
  self->quit();
}

void launch(self_ptr self);
void driver_finished(self_ptr self, driver_result res);
void look_up(self_ptr self);

int attempts_of(const task_decl& t) { return t.retry ? t.retry->attempts : 1; }

void become_ready(self_ptr self) {
  auto& st = self->state;
  if (!st.drv) {
    st.report.infrastructure = true;
    if (st.decl->forward)
      finish(self, task_status::failed,
             "the task forwards to `" + st.decl->forward->to +
                 "`, but this runner has no mesh configuration: run it with --config FILE");
    else
      finish(self, task_status::failed,
             "no driver for task type `" + st.decl->type + "` on this runner");
    return;
  }
  if (!st.drv->process_backed() || st.holds_slot) {
    launch(self);
    return;
  }
  st.at = phase::queued;
  self->request(st.args.supervisor, caf::infinite, acquire_atom::value)
      .then([=](granted_atom) {
        auto& s = self->state;
        s.holds_slot = true;
        if (s.at != phase::queued) {  // cancelled while queued
          release_slot(self);
          return;
        }
        launch(self);
      },
      [](caf::error&) {
        // Only after cancel, when the supervisor drops queued requests; the
        // cancel message itself ends this task.
      });
}

// Everything it waits for has ended: its `when` (if any) says whether it runs.
void deps_done(self_ptr self) {
  auto& st = self->state;
  if (st.decl->when) {
    st.spec = render_spec(st.decl->spec, st.imports);
    auto d = decide_when(*st.decl, *st.spec, st.imports, st.statuses);
    if (!d.error.empty()) {
      finish(self, task_status::failed, d.error);
      return;
    }
    if (!d.run) {
      finish(self, task_status::skipped, "`when` is false: " + *st.decl->when);
      return;
    }
  }
  if (st.decl->cache && st.args.ctx->cache && st.drv) {
    look_up(self);
    return;
  }
  become_ready(self);
}

// Asks the cache before a run slot is taken: a hit never waits for one.
void look_up(self_ptr self) {
  auto& st = self->state;
  st.cache_key = render_cache_key(*st.decl->cache, st.imports, st.secrets);
  if (st.cache_key->rendered.empty()) {
    spdlog::warn("task {}: its cache key `{}` is empty once rendered; it runs without the cache",
                 st.decl->name, st.decl->cache->key);
    st.cache_key.reset();
    become_ready(self);
    return;
  }
  st.at = phase::checking_cache;
  st.lookup_started_ms = now_ms();
  st.lookup_started_steady_ms = steady_ms();
  auto now = std::chrono::system_clock::now();
  st.args.ctx->cache->lookup(*st.cache_key, now,
                             answer_to(self, *st.decl, st.args.ctx->limits, now));
}

// A hit: the task does not run; its exports come from the entry.
void serve_from_cache(self_ptr self, cache::cache_entry& entry) {
  auto& st = self->state;
  std::vector<std::string> sealed(entry.confidential.begin(), entry.confidential.end());
  exports_result ex = collect_exports(*st.decl, entry.outputs, sealed, st.secrets);
  if (!ex.missing.empty()) {  // answer_to() made such a hit a miss already
    become_ready(self);
    return;
  }
  // Stored in the clear by a run that did not hold it secret (another task
  // under the key, or before the document said `confidential`): running
  // again stores it sealed, so the plain copy does not outlive this run.
  for (const variable& v : ex.exports)
    if (v.confidential && !entry.confidential.count(v.name)) {
      spdlog::info("task {}: the cache entry holds `{}` unsealed, but it is confidential "
                   "here; the task runs so that it is stored sealed",
                   st.decl->name, v.name);
      become_ready(self);
      return;
    }
  auto& r = st.report;
  r.exports = std::move(ex.exports);
  r.cached = true;
  r.started_at_ms = st.lookup_started_ms;
  st.started_steady_ms = st.lookup_started_steady_ms;
  finish(self, task_status::success);
}

// After a successful run; the store happens on the cache's thread, later.
void keep_in_cache(self_ptr self) {
  auto& st = self->state;
  if (!st.cache_key || st.report.cached)
    return;
  st.args.ctx->cache->store(
      *st.cache_key,
      entry_of_run(*st.decl, st.args.ctx->group->id, st.report.exports, st.attempt_started),
      log_store_failure(st.decl->name));
}

void launch(self_ptr self) {
  auto& st = self->state;
  auto& r = st.report;
  st.at = phase::running;
  ++r.attempts;
  if (r.started_at_ms == 0) {
    r.started_at_ms = now_ms();
    st.started_steady_ms = steady_ms();
  }
  st.attempt_started = std::chrono::system_clock::now();
  st.timed_out = false;
  st.out_lines.reset();
  st.err_lines.reset();
  task_invocation inv;
  inv.group_id = st.args.ctx->group->id;
  inv.task_name = st.decl->name;
  inv.run_id = r.run_id + "-" + std::to_string(r.attempts);
  inv.attempt = r.attempts;
  inv.limits = st.args.ctx->limits;
  inv.mask_patterns = st.args.ctx->mask_patterns;
  inv.task = st.decl;
  // In-process types end inside start(): their start then travels with
  // their report, one message to the observer instead of two.
  st.start_untold = true;
  auto events = std::make_shared<mailbox_events>(self);
  std::optional<driver_result> ended;
  try {
    if (!st.spec)
      st.spec = render_spec(st.decl->spec, st.imports);
    // The last attempt hands the values over instead of copying them.
    if (r.attempts >= attempts_of(*st.decl)) {
      inv.spec = std::move(*st.spec);
      inv.secrets = std::move(st.secret_values);
      inv.imports = std::move(st.imports);
      inv.statuses = std::move(st.statuses);
    } else {
      inv.spec = *st.spec;
      inv.secrets = st.secret_values;
      inv.imports = st.imports;
      inv.statuses = st.statuses;
    }
    events->hold();
    st.handle = st.drv->start(std::move(inv), events);
    ended = events->release();
  } catch (const std::exception& e) {
    events->release();
    r.infrastructure = true;
    finish(self, task_status::failed,
           "internal error: the " + st.decl->type + " driver failed to start: " + e.what());
    return;
  }
  if (ended) {
    driver_finished(self, std::move(*ended));
    return;
  }
  if (!events->has_finished())
    tell_start(self);
  if (st.decl->timeout)
    self->delayed_send(self, *st.decl->timeout, timeout_atom::value, r.attempts);
}

// The run ended; decide between success, failure and another attempt.
void on_finished(self_ptr self, driver_result res) {
  auto& st = self->state;
  flush_lines(self);
  st.handle.reset();
  auto& r = st.report;
  if (!res.runner.empty())
    r.runner = res.runner;
  r.has_exit_code = res.exit_code.has_value();
  r.exit_code = res.exit_code.value_or(0);
  r.infrastructure = res.infrastructure;
  if (st.cancel_requested) {
    finish(self, task_status::cancelled, "cancelled");
    return;
  }
  std::string error = std::move(res.error);
  // The timeout may have fired after the run had already ended on its own;
  // only a run that the stop reached timed out (even if it then exited 0).
  if (!res.stopped)
    st.timed_out = false;
  if (st.timed_out) {
    // What went wrong on the runner's side while stopping it (a driver that
    // did not answer) is worth more than the bare timeout.
    std::string also = res.infrastructure && !error.empty() ? "; " + error : "";
    error = "timed out after " + format_duration(*st.decl->timeout) + also;
    r.has_exit_code = false;
  }
  if (res.success && !st.timed_out) {
    exports_result ex = collect_exports(*st.decl, res.outputs, res.secret_outputs, st.secrets);
    if (ex.missing.empty()) {
      r.exports = std::move(ex.exports);
      keep_in_cache(self);
      finish(self, task_status::success);
      return;
    }
    error = "export `" + ex.missing + "` was not produced: " + st.drv->output_hint(ex.missing);
  }
  int attempts = attempts_of(*st.decl);
  if (r.attempts < attempts && !r.infrastructure) {
    auto backoff = st.decl->retry->backoff * (1 << std::min(r.attempts - 1, 16));
    std::string why = st.secrets.empty() ? error : st.secrets.mask(error);
    tell_start(self);
    self->send(st.args.ctx->observer,
               log_line{st.decl->name, stream_kind::err,
                        "attempt " + std::to_string(r.attempts) + " of " +
                            std::to_string(attempts) + " failed (" + why + "); retrying in " +
                            format_duration(backoff)});
    release_slot(self);
    st.at = phase::backing_off;
    self->delayed_send(self, backoff, retry_atom::value);
    return;
  }
  finish(self, task_status::failed, error);
}

// Masks `value` (output `name` of this task) from now on. A value too short
// to mask is said once per output, by name: the value would be the
// `***`-free text around it. A forwarded task's node has said it already,
// in the log it streams back here.
void learn_secret(self_ptr self, const std::string& name, const std::string& value) {
  auto& s = self->state;
  if (s.secrets.add(value) || s.forwarded || !s.warned_short.insert(name).second)
    return;
  tell_start(self);
  self->send(s.args.ctx->observer,
             log_line{s.decl->name, stream_kind::err,
                      "runner: the confidential value of `" + s.decl->name + "." + name +
                          "` is shorter than " + std::to_string(masker::kMinSecret) +
                          " characters and is not masked in output"});
}

// The confidential exports among `outputs`, and the outputs the driver calls secret.
void learn_secrets(self_ptr self, const std::map<std::string, std::string>& outputs,
                   const std::vector<std::string>& secret_outputs) {
  auto& s = self->state;
  for (auto& name : secret_outputs)
    if (auto i = outputs.find(name); i != outputs.end())
      learn_secret(self, name, i->second);
  for (auto& e : s.decl->exports)
    if (e.confidential)
      if (auto i = outputs.find(e.name); i != outputs.end())
        learn_secret(self, e.name, i->second);
}

void driver_finished(self_ptr self, driver_result res) {
  // The final outputs may hold confidential values never printed yet.
  learn_secrets(self, res.outputs, res.secret_outputs);
  on_finished(self, std::move(res));
}

task_actor::behavior_type task_behavior(self_ptr self, task_actor_args args) {
  auto& st = self->state;
  st.decl = &args.ctx->group->tasks[args.index];
  st.forwarded = st.decl->forward && st.decl->forward->to != args.ctx->node_name;
  st.drv = st.forwarded ? args.ctx->forwarder : args.ctx->drivers->find(st.decl->type);
  st.imports = args.ctx->given_imports;
  st.statuses = args.ctx->given_statuses;
  st.secrets.use_rules(args.ctx->mask_patterns);
  for (auto& s : args.ctx->secrets) {
    st.secrets.add(s);
    st.secret_values.push_back(s);
  }
  st.pending = args.waits_for;
  st.holds_slot = args.has_slot;
  st.report.name = st.decl->name;
  st.report.index = static_cast<uint32_t>(args.index);
  st.report.run_id = make_uuid();
  st.report.runner = args.ctx->node_name;
  st.args = std::move(args);
  // A bug or a throwing driver must fail this task, not silently kill the
  // actor: its dependents and the supervisor would wait for it forever.
  self->set_exception_handler([self](caf::scheduled_actor*, std::exception_ptr& eptr) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(eptr);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    auto& s = self->state;
    if (s.at != phase::done) {
      s.handle.reset();
      s.report.infrastructure = true;
      finish(self, task_status::failed, "internal error: " + what);
    }
    return caf::make_error(caf::exit_reason::normal);
  });
  if (st.pending == 0)
    deps_done(self);
  return {
      [=](dep_done& d) {
        auto& s = self->state;
        if (s.at != phase::waiting)
          return;
        if (d.status != task_status::success &&
            (d.status == task_status::cancelled || !runs_after_any_outcome(*s.decl, d.from))) {
          finish(self, d.status == task_status::cancelled ? task_status::cancelled
                                                          : task_status::skipped,
                 "dependency `" + d.from + "` " + to_string(d.status));
          return;
        }
        s.statuses[d.from] = to_string(d.status);
        for (auto& imp : s.decl->imports) {
          if (imp.from != d.from)
            continue;
          for (auto& v : d.exports) {
            if (v.name != imp.variable)
              continue;
            s.imports[d.from + "." + v.name] = v.value;
            if (v.confidential) {
              s.secrets.add(v.value);
              s.secret_values.push_back(v.value);
            }
          }
        }
        if (--s.pending == 0)
          deps_done(self);
      },
      [=](cancel_atom) {
        auto& s = self->state;
        s.cancel_requested = true;
        if (s.at == phase::running) {
          s.handle->stop(stop_reason::cancelled);
          return;  // reports once the driver says it has ended
        }
        if (s.at != phase::done)
          finish(self, task_status::cancelled, "cancelled");
      },
      [=](output_atom, stream_kind stream, std::string& chunk, flow_ticket& ticket) {
        lines_of(self, stream).feed(chunk,
                                    [&](std::string_view l) { emit_line(self, stream, l, ticket); });
      },
      [=](seen_atom, std::map<std::string, std::string>& outputs) {
        learn_secrets(self, outputs, {});
      },
      [=](finished_atom, driver_result& res) { driver_finished(self, std::move(res)); },
      [=](timeout_atom, int attempt) {
        auto& s = self->state;
        if (s.at != phase::running || attempt != s.report.attempts)
          return;
        s.timed_out = true;
        s.handle->stop(stop_reason::timed_out);
      },
      [=](retry_atom) {
        auto& s = self->state;
        if (s.at == phase::backing_off)
          become_ready(self);
      },
      [=](cache_atom, cache::lookup_result& res) {
        auto& s = self->state;
        if (s.at != phase::checking_cache)
          return;
        if (res.status == cache::lookup_status::hit)
          serve_from_cache(self, res.entry);
        else
          become_ready(self);  // a miss, or a cache that cannot be used: logged already
      },
      [=](pause_atom, bool pause) -> caf::result<std::string, std::string> {
        auto& s = self->state;
        const std::string what = pause ? "pause" : "resume";
        if (s.at != phase::running)
          return {"task `" + s.decl->name + "` is not running, nothing to " + what, ""};
        if (auto why = s.handle->pause(pause); !why.empty())
          return {"cannot " + what + " task `" + s.decl->name + "`: " + why, ""};
        return {"", (pause ? "pausing task `" : "resuming task `") + s.decl->name + "`"};
      },
      [=](describe_atom) {
        auto& s = self->state;
        static const char* phases[] = {"waiting", "checking_cache", "queued",
                                       "running", "backing_off",    "done"};
        task_view v;
        v.name = s.decl->name;
        v.type = s.decl->type;
        v.state = phases[static_cast<int>(s.at)];
        v.runner = s.report.runner;
        v.attempts = s.report.attempts;
        v.started_at_ms = s.report.started_at_ms;
        if (v.started_at_ms)
          v.duration_ms = steady_ms() - s.started_steady_ms;
        if (s.decl->forward)
          v.runner = s.decl->forward->to;
        return v;
      },
  };
}

}  // namespace

task_actor spawn_task_actor(caf::local_actor* parent, task_actor_args args) {
  return parent->spawn(task_behavior, std::move(args));
}

}  // namespace runner
