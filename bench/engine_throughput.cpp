// engine_throughput: how many `expression_evaluation` tasks a second the
// engine runs in-process (bench/README.md, issue 4), and the peak RSS per task.
//
//   engine_throughput --shape chain|fanout|layered16 [--tasks 100000] [--yaml]
//   engine_throughput --shape S [--tasks N] --write-yaml FILE
//
// The group (graph_shapes.hpp) goes through the real engine: one supervisor,
// one actor per task, the registry's expression_evaluation driver, values
// passed as dep_done messages, the console observer (counting only, no line
// per task), the scheduler settings of `runner run` (tune_scheduler). Time
// runs from the `run` request to the group report; building the group is not
// in it. With --yaml the group comes from its YAML document, parsed and
// validated as `runner run` does (timed apart), instead of being built in code.
// Prints one JSON line; exit 1 when a task did not produce the expected value.
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "actors/console_observer.hpp"
#include "actors/supervisor.hpp"
#include "bench/graph_shapes.hpp"
#include "bench/graph_yaml.hpp"
#include "drivers/expression_evaluation.hpp"
#include "net/transport.hpp"
#include "schema/validate.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// CPU seconds of the whole process (all threads) so far, user and system.
std::pair<double, double> cpu_seconds() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return {s(ru.ru_utime), s(ru.ru_stime)};
}

runner::task_group group_in_code(const std::string& id, const std::vector<bench::graph_node>& g) {
  runner::task_group group;
  group.id = id;
  group.tasks.reserve(g.size());
  for (size_t i = 0; i < g.size(); ++i) {
    runner::task_decl t;
    t.name = bench::task_name(i);
    t.type = "expression_evaluation";
    t.spec = {{"string_to_evaluate", bench::expression_for(g[i])}};
    for (auto d : g[i].imports)
      t.imports.push_back({bench::task_name(d), "result", {}});
    for (auto d : g[i].after)
      t.depends_on.push_back(bench::task_name(d));
    t.exports.push_back({"result", false, runner::export_scope::local, {}});
    group.tasks.push_back(std::move(t));
  }
  return group;
}

// Every task's `result` must be what its imports make of it: proof that the
// values travelled, not just that the tasks ran.
size_t wrong_results(const std::vector<bench::graph_node>& g, const runner::group_report& r) {
  auto value = [&](size_t i) -> const std::string* {
    auto& ex = r.results[i].exports;
    return ex.empty() ? nullptr : &ex[0].value;
  };
  size_t wrong = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    const auto& n = g[i];
    auto* a = n.imports.size() > 0 ? value(n.imports[0]) : nullptr;
    auto* b = n.imports.size() > 1 ? value(n.imports[1]) : nullptr;
    bool first_ok = !n.after.empty() && r.results[n.after[0]].status == runner::task_status::success;
    auto* got = value(i);
    if (r.results[i].status != runner::task_status::success || !got ||
        *got != bench::node_value(n, a, b, first_ok))
      ++wrong;
  }
  return wrong;
}

int usage() {
  std::fprintf(stderr,
               "usage: engine_throughput --shape chain|fanout|layered16 [--tasks N] [--yaml]\n"
               "       engine_throughput --shape S [--tasks N] --write-yaml FILE\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  mallopt(M_ARENA_MAX, 1);  // as `runner` does (tools/runner/main.cpp)
  std::string shape, write_yaml;
  size_t tasks = 100000;
  bool from_yaml = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--shape" && i + 1 < argc)
      shape = argv[++i];
    else if (a == "--tasks" && i + 1 < argc)
      tasks = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--yaml")
      from_yaml = true;
    else if (a == "--write-yaml" && i + 1 < argc)
      write_yaml = argv[++i];
    else
      return usage();
  }
  if (shape.empty())
    return usage();
  std::vector<bench::graph_node> graph;
  try {
    graph = bench::make_graph(shape, tasks);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "engine_throughput: %s\n", e.what());
    return 2;
  }
  std::string id = "bench-" + shape + "-" + std::to_string(tasks);
  if (!write_yaml.empty()) {
    std::ofstream out(write_yaml);
    bench::write_group_yaml(out, id, graph);
    return out ? 0 : 1;
  }

  runner::driver_registry drivers;
  drivers.add(std::make_shared<runner::expression_evaluation_driver>());
  runner::task_group group;
  double parse_s = -1;
  if (from_yaml) {
    char path[] = "/tmp/engine_throughput_XXXXXX.yaml";
    int fd = mkstemps(path, 5);
    if (fd < 0) {
      std::perror("engine_throughput: mkstemps");
      return 1;
    }
    close(fd);
    {
      std::ofstream out(path);
      bench::write_group_yaml(out, id, graph);
    }
    auto t0 = clock_type::now();
    auto checked = runner::load_and_validate(path, drivers);
    parse_s = seconds_since(t0);
    unlink(path);
    if (!checked.group) {
      for (auto& d : checked.problems)
        std::fputs(runner::format_diagnostic(d).c_str(), stderr);
      return 1;
    }
    group = std::move(*checked.group);
  } else {
    group = group_in_code(id, graph);
  }
  graph = {};  // not part of what the engine costs; rebuilt for the check

  caf::actor_system_config cfg;
  runner::add_message_types(cfg);
  runner::tune_scheduler(cfg);
  caf::actor_system sys{cfg};
  auto ctx = std::make_shared<runner::run_context>();
  ctx->group = std::make_shared<const runner::task_group>(std::move(group));
  ctx->drivers = &drivers;
  ctx->node_name = "bench";
  ctx->max_parallel = 2;
  runner::console_options copts;
  copts.summary = false;
  copts.task_lines = false;
  copts.task_count = tasks;
  ctx->observer = runner::spawn_console_observer(sys, copts);
  auto supervisor = runner::spawn_supervisor(sys, ctx);

  runner::group_report report;
  double run_s = 0;
  std::pair<double, double> cpu0, cpu1;
  {
    caf::scoped_actor self{sys};
    cpu0 = cpu_seconds();
    auto t0 = clock_type::now();
    self->request(supervisor, caf::infinite, runner::run_atom::value)
        .receive([&](runner::group_report& g) { report = std::move(g); },
                 [&](caf::error& e) { std::fprintf(stderr, "run: %s\n", sys.render(e).c_str()); });
    run_s = seconds_since(t0);
    cpu1 = cpu_seconds();
    self->request(ctx->observer, caf::infinite, runner::summary_atom::value, report.id,
                  report.status)
        .receive([](runner::done_atom) {}, [](caf::error&) {});
  }
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);

  size_t wrong = report.results.size() == tasks
                     ? wrong_results(bench::make_graph(shape, tasks), report)
                     : tasks;
  nlohmann::json out = {{"engine", "runner"},
                        {"shape", shape},
                        {"tasks", tasks},
                        {"seconds", run_s},
                        {"tasks_per_s", tasks / run_s},
                        {"peak_rss_kib", ru.ru_maxrss},
                        {"rss_per_task_bytes", ru.ru_maxrss * 1024.0 / tasks},
                        {"cpu_user_s", cpu1.first - cpu0.first},
                        {"cpu_sys_s", cpu1.second - cpu0.second},
                        {"status", runner::to_string(report.status)},
                        {"wrong_results", wrong}};
  if (parse_s >= 0)
    out["parse_validate_s"] = parse_s;
  std::cout << out.dump() << std::endl;
  return wrong == 0 ? 0 : 1;
}
