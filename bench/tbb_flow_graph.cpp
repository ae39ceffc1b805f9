// tbb_flow_graph: the reference for engine_throughput (bench/README.md, issue 4):
// the same graphs (graph_shapes.hpp) as oneTBB flow graph continue_nodes, one
// node per task, each computing its value from its predecessors' values with
// the same string operation the runner's expression template describes.
//
//   tbb_flow_graph --shape chain|fanout|layered16 [--tasks 100000] [--expression]
//
// --expression: each node does what the runner's expression_evaluation task
// does instead: parse its `<+ >` template (graph_shapes.hpp expression_for)
// and render it over its predecessors' values, with the runner's own
// expression library. Same work per task, so what is left of the difference
// is the scheduling: actors, messages, the supervisor.
//
// Values live in one vector indexed by node; a node reads its predecessors'
// entries, which the flow graph's edges have ordered before it. Time runs
// from the first try_put to wait_for_all (building the nodes and edges is
// `build_seconds`, apart). Prints one JSON line, like engine_throughput.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tbb/flow_graph.h>

#include "bench/graph_shapes.hpp"
#include "schema/expression.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using node_type = tbb::flow::continue_node<tbb::flow::continue_msg>;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// The runner's work for one expression_evaluation task, minus the engine.
std::string evaluate_node(size_t i, const bench::graph_node& n,
                          const std::vector<std::string>& values, const std::vector<char>& done) {
  runner::map_expr_context ctx;
  for (auto d : n.imports)
    ctx.imports[{bench::task_name(d), "result"}] = values[d];
  for (auto d : n.after)
    ctx.statuses[bench::task_name(d)] = done[d] ? "success" : "failed";
  auto parsed = runner::render_template(bench::expression_for(n));
  if (!parsed.ok())
    return "parse error in t" + std::to_string(i);
  auto out = runner::render(*parsed.tmpl, ctx);
  return out.ok() ? out.text : "render error in t" + std::to_string(i);
}

}  // namespace

int main(int argc, char** argv) {
  std::string shape;
  size_t tasks = 100000;
  bool expression = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--shape" && i + 1 < argc)
      shape = argv[++i];
    else if (a == "--tasks" && i + 1 < argc)
      tasks = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--expression")
      expression = true;
    else
      shape.clear(), i = argc;
  }
  std::vector<bench::graph_node> g;
  try {
    g = bench::make_graph(shape, tasks);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "usage: tbb_flow_graph --shape chain|fanout|layered16 [--tasks N]: %s\n",
                 e.what());
    return 2;
  }

  auto t_build = clock_type::now();
  tbb::flow::graph fg;
  std::vector<std::string> values(tasks);
  std::vector<char> done(tasks, 0);  // the runner's "status", for the join's condition
  std::deque<node_type> nodes;       // continue_nodes do not move
  for (size_t i = 0; i < tasks; ++i)
    nodes.emplace_back(fg, [&, i](const tbb::flow::continue_msg&) {
      const auto& n = g[i];
      const std::string* a = n.imports.size() > 0 ? &values[n.imports[0]] : nullptr;
      const std::string* b = n.imports.size() > 1 ? &values[n.imports[1]] : nullptr;
      bool first_ok = !n.after.empty() && done[n.after[0]];
      values[i] = expression ? evaluate_node(i, n, values, done)
                             : bench::node_value(n, a, b, first_ok);
      done[i] = 1;
      return tbb::flow::continue_msg();
    });
  for (size_t i = 0; i < tasks; ++i) {
    for (auto d : g[i].imports)
      tbb::flow::make_edge(nodes[d], nodes[i]);
    for (auto d : g[i].after)
      tbb::flow::make_edge(nodes[d], nodes[i]);
  }
  double build_s = seconds_since(t_build);

  auto t0 = clock_type::now();
  for (size_t i = 0; i < tasks; ++i)
    if (g[i].imports.empty() && g[i].after.empty())
      nodes[i].try_put(tbb::flow::continue_msg());
  fg.wait_for_all();
  double run_s = seconds_since(t0);
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);

  size_t wrong = 0;
  for (size_t i = 0; i < tasks; ++i) {
    const auto& n = g[i];
    const std::string* a = n.imports.size() > 0 ? &values[n.imports[0]] : nullptr;
    const std::string* b = n.imports.size() > 1 ? &values[n.imports[1]] : nullptr;
    if (!done[i] || values[i] != bench::node_value(n, a, b, !n.after.empty() && done[n.after[0]]))
      ++wrong;
  }
  nlohmann::json out = {{"engine", expression ? "tbb+expression" : "tbb"},
                        {"shape", shape},
                        {"tasks", tasks},
                        {"seconds", run_s},
                        {"tasks_per_s", tasks / run_s},
                        {"build_seconds", build_s},
                        {"peak_rss_kib", ru.ru_maxrss},
                        {"rss_per_task_bytes", ru.ru_maxrss * 1024.0 / tasks},
                        {"status", wrong == 0 ? "success" : "failed"},
                        {"wrong_results", wrong}};
  std::cout << out.dump() << std::endl;
  return wrong == 0 ? 0 : 1;
}
