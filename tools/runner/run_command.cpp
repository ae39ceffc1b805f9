// `runner run FILE`: validate, execute on the local actor system, report.
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <atomic>
#include <future>
#include <optional>
#include <set>
#include <thread>

#include "actors/console_observer.hpp"
#include "actors/result_json.hpp"
#include "actors/supervisor.hpp"
#include "drivers/process_tree.hpp"
#include "schema/duration.hpp"
#include "schema/document_file.hpp"
#include "schema/validate.hpp"
#include "net/mesh_setup.hpp"
#include "net/transport.hpp"
#include "tools/runner/cache_setup.hpp"
#include "tools/runner/commands.hpp"
#include "tools/runner/drivers_setup.hpp"

namespace runner {

namespace {

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0 || !buf[0])
    return "local";
  return buf;
}

// Write-then-rename, so a reader never sees half a result.
std::string write_result_file(const std::string& path, const group_report& report) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    write_result_json(out, report);
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return "cannot write the result to " + tmp + ": " + std::strerror(errno);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return "cannot rename " + tmp + " to " + path + ": " + why;
  }
  return {};
}

bool use_color(FILE* f) {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return isatty(fileno(f)) && !(no_color && *no_color) && !(term && std::string(term) == "dumb");
}


// Prints and stores a finished group's result the same way whether it ran
// here or on another node.
int report_result(caf::actor_system& sys, const run_options& opts, observer_actor observer,
                  const group_report& report, int code) {
  caf::scoped_actor self{sys};
  self->request(observer, caf::infinite, summary_atom::value, report.id, report.status)
      .receive([](done_atom) {}, [](caf::error&) {});
  if (opts.output == "json") {
    write_result_json(std::cout, report);
    std::cout.flush();
  }
  if (!opts.result_file.empty())
    if (auto err = write_result_file(opts.result_file, report); !err.empty()) {
      std::fprintf(stderr, "runner: %s\n", err.c_str());
      if (code == exit_success)
        code = exit_infrastructure;
    }
  return code;
}

observer_actor start_observer(caf::actor_system& sys, const run_options& opts, size_t tasks) {
  FILE* log_out = opts.output == "json" ? stderr : stdout;
  console_options copts;
  copts.out = log_out;
  copts.color = use_color(log_out);
  copts.live = copts.color;  // a terminal that understands escape codes
  copts.summary = opts.output != "json";
  copts.task_count = tasks;
  return spawn_console_observer(sys, copts);
}

// For a group sent elsewhere with --to: the node it goes to checks the task
// types it has; here only the types this runner knows get their spec checked.
class remote_types : public task_type_catalog {
 public:
  explicit remote_types(const task_type_catalog& local) : local_(local) {}
  bool has(const std::string&) const override { return true; }
  std::vector<std::string> names() const override { return local_.names(); }
  void check_spec(const task_decl& task, const std::string& file,
                  diagnostics& out) const override {
    if (local_.has(task.type))
      local_.check_spec(task, file, out);
  }

 private:
  const task_type_catalog& local_;
};

bool forwards_anything(const task_group& g) {
  for (auto& t : g.tasks)
    if (t.forward)
      return true;
  return false;
}

// The whole group runs on another node; this process shows it as if local.
int run_remote_group(caf::actor_system& sys, const run_options& opts, reactor& react,
                     const task_group& group, const std::string& target,
                     const mesh_runtime& mesh) {
  group_request req;
  if (auto problem = read_document_file(opts.file, req.document)) {
    std::fputs(format_diagnostic(*problem).c_str(), stderr);
    return exit_invalid_input;
  }
  req.file = opts.file;
  req.group_id = group.id;
  auto observer = start_observer(sys, opts, group.tasks.size());
  progress_sink sink;
  sink.started = [observer](const std::string& task, int attempt) {
    caf::anon_send(observer, started_atom::value, task, attempt);
  };
  sink.log = [observer](log_line& l) { caf::anon_send(observer, std::move(l)); };
  sink.report = [observer](task_report& r) { caf::anon_send(observer, std::move(r)); };
  std::promise<group_outcome> outcome;
  auto arrived = outcome.get_future();
  spdlog::info("group {}: {} tasks, forwarded to {}", group.id, group.tasks.size(), target);
  auto call = spawn_group_call(sys, mesh.calls, target, std::move(req), std::move(sink),
                               [&outcome](group_outcome o) { outcome.set_value(std::move(o)); });
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  react.on_signal([call, target, cancelled](int signo, int count) {
    *cancelled = true;
    if (count == 1) {
      spdlog::warn("{}: cancelling the group on {} (again to stop waiting)", strsignal(signo),
                   target);
      call.cancel();
    } else {
      // The node sees this process go and cancels what is left there.
      spdlog::warn("{} again: leaving without waiting for {}", strsignal(signo), target);
      std::fflush(nullptr);
      std::_Exit(exit_cancelled);
    }
  });
  group_outcome out = arrived.get();
  if (out.invalid) {
    std::fputs(out.error.c_str(), stderr);
    return exit_invalid_input;
  }
  if (!out.error.empty()) {
    std::fprintf(stderr, "runner: group %s on %s: %s\n", group.id.c_str(), target.c_str(),
                 out.error.c_str());
    auto status = *cancelled ? task_status::cancelled : task_status::failed;
    caf::scoped_actor self{sys};
    self->request(observer, caf::infinite, summary_atom::value, group.id, status)
        .receive([](done_atom) {}, [](caf::error&) {});
    return *cancelled ? exit_cancelled : exit_infrastructure;
  }
  return report_result(sys, opts, observer, out.report, exit_code_of(out.report));
}

}  // namespace

int run_command(const run_options& opts) {
  auto grace = parse_duration(opts.grace);
  if (!grace) {
    std::fprintf(stderr, "runner: --grace `%s` is not a duration (use e.g. 500ms, 10s, 1m)\n",
                 opts.grace.c_str());
    return exit_invalid_input;
  }
  std::optional<mesh_setup> mesh;
  if (!opts.config.empty()) {
    std::string error;
    mesh = load_mesh_setup(opts.config, error);
    if (!mesh) {
      std::fputs(error.c_str(), stderr);
      return exit_invalid_input;
    }
  }
  if (!opts.to.empty() && !valid_forward_target(opts.to)) {
    std::fprintf(stderr, "runner: --to `%s` is not a runner: write a node name or host:port\n",
                 opts.to.c_str());
    return exit_invalid_input;
  }
  if (!become_subreaper())
    spdlog::warn("cannot become a child subreaper; orphaned task processes may escape");

  reactor react;
  read_interrupt_scope interrupt([&react] { return react.stop_signal_seen(); });
  auto drivers = builtin_drivers(react, *grace, mesh ? &mesh->config : nullptr);
  auto externals = external_drivers_of(react, *drivers, *grace, mesh ? &mesh->config : nullptr);
  // Drivers started for this run end with it, also when it ends early (an
  // invalid group); the normal way out ends them before the leftover sweep.
  struct end_drivers {
    ext::external_drivers& externals;
    reactor& react;
    std::chrono::milliseconds grace;
    bool done = false;  // the normal way out did it
    ~end_drivers() {
      if (!done && externals.started()) {
        externals.shutdown(grace);
        react.shutdown(grace);
      }
    }
  } end_drivers_guard{*externals, react, *grace};
  remote_types any_type(*drivers);
  auto checked = opts.to.empty() ? validate_learning_types(opts.file, *drivers, *externals, react)
                                 : load_and_validate(opts.file, any_type);
  if (!checked.group) {
    std::fputs(format_diagnostics(checked.problems).c_str(), stderr);
    std::fprintf(stderr, "%zu problem%s found; nothing was run\n", checked.problems.size(),
                 checked.problems.size() == 1 ? "" : "s");
    return exit_invalid_input;
  }
  std::string node_name = mesh ? mesh->config.name : host_name();
  std::string group_target = !opts.to.empty()          ? opts.to
                             : checked.group->forward ? checked.group->forward->to
                                                      : std::string{};
  if (group_target == node_name)
    group_target.clear();
  if (!mesh && (!group_target.empty() || forwards_anything(*checked.group))) {
    std::fprintf(stderr,
                 "runner: %s forwards work to another runner, which needs this runner's mesh "
                 "identity: run it with --config runner.yaml (name, tls, peers; see "
                 "examples/mesh/)\n",
                 opts.file.c_str());
    return exit_invalid_input;
  }

  caf::actor_system_config cfg;
  if (mesh) {
    add_wire_types(cfg);
    configure_transport(cfg);
  } else {
    add_message_types(cfg);
  }
  tune_scheduler(cfg);
  caf::actor_system sys{cfg};
  std::optional<mesh_runtime> rt;
  if (mesh)
    rt = start_mesh_runtime(sys, *mesh);
  // With a mesh, the process ends without the actor system's teardown (see
  // leave_process); every return below passes through here.
  struct stop_mesh {
    caf::actor_system& sys;
    std::optional<mesh_runtime>& rt;
    ~stop_mesh() {
      if (rt)
        leave_process(exit_code);
    }
    int exit_code = exit_infrastructure;
  } stop_mesh_guard{sys, rt};

  if (!group_target.empty())
    return stop_mesh_guard.exit_code =
               run_remote_group(sys, opts, react, *checked.group, group_target, *rt);

  auto ctx = std::make_shared<run_context>();
  ctx->group = std::make_shared<const task_group>(std::move(*checked.group));
  ctx->drivers = drivers.get();
  ctx->limits = opts.limits;
  ctx->mask_patterns = mask_patterns_of(mesh ? &mesh->config : nullptr);
  ctx->node_name = node_name;
  size_t configured = mesh ? mesh->config.max_parallel : 0;
  ctx->max_parallel = opts.max_parallel ? opts.max_parallel
                      : configured      ? configured
                                        : std::max(1u, std::thread::hardware_concurrency());
  ctx->observer = start_observer(sys, opts, ctx->group->tasks.size());
  // Declared after the actor system and the mesh guard, so it is destroyed
  // before them: its last stores finish while both still exist.
  auto task_cache = task_cache_for(*ctx->group, state_dir_of(mesh ? &mesh->config : nullptr));
  ctx->cache = task_cache.get();
  if (rt) {
    ctx->forwarder = rt->forwarder.get();
    // Connect to the peers the group forwards to while the first tasks
    // start: the TLS and BASP handshakes are most of what a forward costs.
    std::set<std::string> targets;
    for (auto& t : ctx->group->tasks)
      if (t.forward && t.forward->to != node_name)
        targets.insert(t.forward->to);
    for (auto& target : targets)
      if (!is_node_name(target) || mesh->config.peers.count(target))
        caf::anon_send(rt->directory, link_atom::value, target);
  }
  auto supervisor = spawn_supervisor(sys, ctx);
  spdlog::info("group {}: {} tasks, max_parallel {}", ctx->group->id, ctx->group->tasks.size(),
               ctx->max_parallel);

  react.on_signal([&react, supervisor, grace = *grace](int signo, int count) {
    if (count == 1) {
      spdlog::warn("{}: cancelling the group (again to kill at once)", strsignal(signo));
      caf::anon_send(supervisor, cancel_atom::value);
    } else {
      spdlog::warn("{} again: killing every task process now", strsignal(signo));
      react.post([&react] { react.kill_all(); });
    }
  });

  group_report report;
  int code = exit_infrastructure;
  {
    caf::scoped_actor self{sys};
    self->request(supervisor, caf::infinite, run_atom::value)
        .receive(
            [&](group_report& g) {
              report = std::move(g);
              code = exit_code_of(report);
            },
            [&](caf::error& e) {
              spdlog::error("group {} aborted: {}", ctx->group->id, sys.render(e));
            });
  }

  struct rusage self_usage {};
  getrusage(RUSAGE_SELF, &self_usage);
  spdlog::debug("runner's own CPU: user {}.{:06d}s, sys {}.{:06d}s", self_usage.ru_utime.tv_sec,
                self_usage.ru_utime.tv_usec, self_usage.ru_stime.tv_sec,
                self_usage.ru_stime.tv_usec);

  // Whatever the tasks left running in the background ends with the group.
  externals->shutdown(*grace);
  size_t leftovers = react.shutdown(*grace);
  end_drivers_guard.done = true;
  if (leftovers)
    spdlog::info("ended {} leftover task process(es)", leftovers);

  return stop_mesh_guard.exit_code = report_result(sys, opts, ctx->observer, report, code);
}

}  // namespace runner
