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
#include <thread>

#include "actors/console_observer.hpp"
#include "actors/result_json.hpp"
#include "actors/supervisor.hpp"
#include "drivers/process_tree.hpp"
#include "schema/duration.hpp"
#include "schema/validate.hpp"
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

}  // namespace

int run_command(const run_options& opts) {
  auto grace = parse_duration(opts.grace);
  if (!grace) {
    std::fprintf(stderr, "runner: --grace `%s` is not a duration (use e.g. 500ms, 10s, 1m)\n",
                 opts.grace.c_str());
    return exit_invalid_input;
  }
  if (!become_subreaper())
    spdlog::warn("cannot become a child subreaper; orphaned task processes may escape");

  reactor react;
  auto drivers = builtin_drivers(react, *grace);
  auto checked = load_and_validate(opts.file, *drivers);
  if (!checked.group) {
    for (auto& d : checked.problems)
      std::fputs(format_diagnostic(d).c_str(), stderr);
    std::fprintf(stderr, "%zu problem%s found; nothing was run\n", checked.problems.size(),
                 checked.problems.size() == 1 ? "" : "s");
    return exit_invalid_input;
  }

  caf::actor_system_config cfg;
  add_message_types(cfg);
  // Workers that sleep on a condition variable wake at once when a task's
  // process ends; the work-stealing default polls with sleeps, which costs
  // both CPU and latency for a load of few, small messages. One worker per
  // core: the child processes need the cores more than idle workers do.
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("scheduler.max-threads", std::max(2u, std::thread::hardware_concurrency()));
  caf::actor_system sys{cfg};

  FILE* log_out = opts.output == "json" ? stderr : stdout;
  console_options copts;
  copts.out = log_out;
  copts.color = use_color(log_out);
  copts.live = copts.color;  // a terminal that understands escape codes
  copts.summary = opts.output != "json";
  copts.task_count = checked.group->tasks.size();

  auto ctx = std::make_shared<run_context>();
  ctx->group = std::make_shared<const task_group>(std::move(*checked.group));
  ctx->drivers = drivers.get();
  ctx->limits = opts.limits;
  ctx->node_name = host_name();
  ctx->max_parallel =
      opts.max_parallel ? opts.max_parallel : std::max(1u, std::thread::hardware_concurrency());
  ctx->observer = spawn_console_observer(sys, copts);
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

  struct rusage self_usage {};
  getrusage(RUSAGE_SELF, &self_usage);
  spdlog::debug("runner's own CPU: user {}.{:06d}s, sys {}.{:06d}s", self_usage.ru_utime.tv_sec,
                self_usage.ru_utime.tv_usec, self_usage.ru_stime.tv_sec,
                self_usage.ru_stime.tv_usec);

  // Whatever the tasks left running in the background ends with the group.
  size_t leftovers = react.shutdown(*grace);
  if (leftovers)
    spdlog::info("ended {} leftover task process(es)", leftovers);

  self->request(ctx->observer, caf::infinite, summary_atom::value, report.id, report.status)
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

}  // namespace runner
