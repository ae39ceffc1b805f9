// The dependency graph: edges, cycles, order — including groups far larger
// than any recursion would survive.
#include "schema/dag.hpp"

#include <chrono>

#include "schema_test_util.hpp"

namespace runner::test {
namespace {

task_group group_of(const std::vector<std::pair<std::string, std::vector<std::string>>>& tasks) {
  task_group g;
  g.id = "g";
  for (const auto& [name, deps] : tasks) {
    task_decl t;
    t.name = name;
    t.type = "os_exec";
    t.depends_on = deps;
    g.tasks.push_back(t);
  }
  return g;
}

TEST(Dag, DependencyIndicesMergeDependsOnAndImports) {
  task_group g = group_of({{"a", {}}, {"b", {}}, {"c", {"b", "a", "b", "missing"}}});
  g.tasks[2].imports = {{"a", "x", {}}, {"b", "y", {}}};
  g.tasks[1].imports = {{"a", "z", {}}};
  std::vector<std::vector<size_t>> deps = dependency_indices(g);
  ASSERT_EQ(deps.size(), 3u);
  EXPECT_TRUE(deps[0].empty());
  EXPECT_EQ(deps[1], std::vector<size_t>{0});
  EXPECT_EQ(deps[2], (std::vector<size_t>{1, 0}));  // first mention order, deduplicated
}

TEST(Dag, NoCycle) {
  task_group g = group_of({{"a", {}}, {"b", {"a"}}, {"c", {"a", "b"}}});
  EXPECT_TRUE(find_cycle(g).empty());
}

TEST(Dag, CycleStartsAtTheFirstTaskOfTheFile) {
  task_group g = group_of({{"x", {}}, {"a", {"c"}}, {"b", {"a"}}, {"c", {"b"}}});
  EXPECT_EQ(find_cycle(g), (std::vector<std::string>{"a", "c", "b", "a"}));
}

TEST(Dag, CycleThroughImports) {
  task_group g = group_of({{"a", {}}, {"b", {"a"}}});
  g.tasks[0].imports = {{"b", "v", {}}};
  EXPECT_EQ(find_cycle(g), (std::vector<std::string>{"a", "b", "a"}));
}

TEST(Dag, SelfLoopIsACycle) {
  task_group g = group_of({{"a", {"a"}}});
  EXPECT_EQ(find_cycle(g), (std::vector<std::string>{"a", "a"}));
}

TEST(Dag, FindCyclesReportsEachTangleOnce) {
  // 0<->1 and 1<->2 share task 1: one report. 3<->4 is separate.
  std::vector<std::vector<size_t>> deps = {{1}, {0, 2}, {1}, {4}, {3}};
  std::vector<std::vector<size_t>> cycles = find_cycles(deps);
  ASSERT_EQ(cycles.size(), 2u);
  EXPECT_EQ(cycles[0], (std::vector<size_t>{0, 1, 0}));
  EXPECT_EQ(cycles[1], (std::vector<size_t>{3, 4, 3}));
}

TEST(Dag, TopologicalOrderIsStable) {
  // With no constraints between them, tasks keep their file order.
  task_group g = group_of({{"d", {"b"}}, {"a", {}}, {"b", {}}, {"c", {"a"}}, {"e", {}}});
  EXPECT_EQ(topological_order(g), (std::vector<size_t>{1, 2, 0, 3, 4}));
}

TEST(Dag, TopologicalOrderPutsEveryTaskAfterItsDependencies) {
  task_group g = group_of({{"deploy", {"test", "build"}}, {"test", {"build"}}, {"build", {}},
                           {"lint", {}}, {"notify", {"deploy", "lint"}}});
  std::vector<size_t> order = topological_order(g);
  ASSERT_EQ(order.size(), 5u);
  std::vector<size_t> position(5);
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  std::vector<std::vector<size_t>> deps = dependency_indices(g);
  for (size_t t = 0; t < deps.size(); ++t)
    for (size_t d : deps[t]) EXPECT_LT(position[d], position[t]);
}

std::vector<std::pair<std::string, std::vector<std::string>>> chain(size_t n) {
  std::vector<std::pair<std::string, std::vector<std::string>>> tasks;
  for (size_t i = 0; i < n; ++i) {
    std::vector<std::string> deps;
    if (i > 0)
      deps.push_back("t" + std::to_string(i - 1));
    tasks.push_back({"t" + std::to_string(i), deps});
  }
  return tasks;
}

TEST(Dag, LongChainHasNoStackProblems) {
  const size_t n = 100000;
  task_group g = group_of(chain(n));
  EXPECT_TRUE(find_cycle(g).empty());
  std::vector<size_t> order = topological_order(g);
  ASSERT_EQ(order.size(), n);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(order[i], i);

  g.tasks[0].depends_on.push_back("t" + std::to_string(n - 1));  // close the loop
  std::vector<std::string> cycle = find_cycle(g);
  ASSERT_EQ(cycle.size(), n + 1);
  EXPECT_EQ(cycle.front(), "t0");
  EXPECT_EQ(cycle[1], "t" + std::to_string(n - 1));
  EXPECT_EQ(cycle.back(), "t0");
}

TEST(Dag, TenThousandTaskChainFromYaml) {
  std::string text = "taskGroup:\n  - {name: t0, type: os_exec}\n";
  for (int i = 1; i < 10000; ++i)
    text += "  - {name: t" + std::to_string(i) + ", type: os_exec, depends_on: t" +
            std::to_string(i - 1) + "}\n";
  auto start = std::chrono::steady_clock::now();
  diagnostics ds = check(text);
  EXPECT_TRUE(ds.empty()) << dump(ds);

  // Closing the chain into one big cycle is found and printed in full.
  text += "  - {name: loop, type: os_exec, depends_on: t9999}\n";
  text.replace(text.find("{name: t0, type: os_exec}"), 25,
               "{name: t0, type: os_exec, depends_on: loop}");
  ds = check(text);
  diagnostic d = find_one(ds, "dependency cycle: t0 -> loop -> t9999 -> t9998");
  EXPECT_AT(d, 2, 5);
  EXPECT_HAS(d.message, "t1 -> t0");
  EXPECT_HAS(d.message, " -> ... (9962 more) -> ");  // 10,002 names, shown by their ends
  EXPECT_LT(d.message.size(), 1000u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

}  // namespace
}  // namespace runner::test
