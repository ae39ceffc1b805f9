#include "schema/dag.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <utility>

#include "schema/task_index.hpp"
#include "schema/when.hpp"

namespace runner {

std::vector<std::vector<size_t>> dependency_indices(const task_group& group) {
  task_index index(group);  // the first of duplicate names wins

  std::vector<std::vector<size_t>> deps(group.tasks.size());
  // added_by[d] == i: task i already waits for d. A search of deps[i] instead
  // made a join of 100,000 tasks quadratic.
  std::vector<size_t> added_by(group.tasks.size(), task_index::npos);
  for (size_t i = 0; i < group.tasks.size(); ++i) {
    const task_decl& t = group.tasks[i];
    auto add = [&](const std::string& name) {
      size_t d = index.find(name);
      if (d == task_index::npos || added_by[d] == i)
        return;
      added_by[d] = i;
      deps[i].push_back(d);
    };
    for (const std::string& d : t.depends_on) add(d);
    for (const import_decl& im : t.imports) add(im.from);
    for (const std::string& d : when_status_reads(t)) add(d);
  }
  return deps;
}

std::vector<std::vector<size_t>> find_cycles(const std::vector<std::vector<size_t>>& deps) {
  // Iterative DFS: a chain of 10,000 tasks would overflow the stack recursively.
  enum : char { unseen, on_path, done };
  const size_t n = deps.size();
  std::vector<char> state(n, unseen);
  std::vector<size_t> path_pos(n, 0);  // where a task sits on `path` while on it
  std::vector<bool> reported(n, false);
  std::vector<std::pair<size_t, size_t>> path;  // (task, next edge to follow)
  std::vector<std::vector<size_t>> cycles;

  for (size_t start = 0; start < n; ++start) {
    if (state[start] != unseen)
      continue;
    state[start] = on_path;
    path_pos[start] = 0;
    path.emplace_back(start, 0);
    while (!path.empty()) {
      size_t v = path.back().first;
      size_t& edge = path.back().second;
      if (edge == deps[v].size()) {
        state[v] = done;
        path.pop_back();
        continue;
      }
      size_t w = deps[v][edge++];
      if (w >= n)
        continue;
      if (state[w] == unseen) {
        state[w] = on_path;
        path_pos[w] = path.size();
        path.emplace_back(w, 0);
      } else if (state[w] == on_path) {
        std::vector<size_t> cycle;
        for (size_t k = path_pos[w]; k < path.size(); ++k)
          cycle.push_back(path[k].first);
        if (std::any_of(cycle.begin(), cycle.end(), [&](size_t t) { return reported[t]; }))
          continue;
        for (size_t t : cycle) reported[t] = true;
        std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
        cycle.push_back(cycle.front());
        cycles.push_back(std::move(cycle));
      }
    }
  }
  std::sort(cycles.begin(), cycles.end());
  return cycles;
}

std::vector<std::string> find_cycle(const task_group& group) {
  std::vector<std::vector<size_t>> cycles = find_cycles(dependency_indices(group));
  std::vector<std::string> names;
  if (!cycles.empty())
    for (size_t i : cycles.front()) names.push_back(group.tasks[i].name);
  return names;
}

std::vector<size_t> topological_order(const task_group& group) {
  std::vector<std::vector<size_t>> deps = dependency_indices(group);
  const size_t n = deps.size();
  std::vector<size_t> waiting(n);
  std::vector<std::vector<size_t>> dependents(n);
  for (size_t i = 0; i < n; ++i) {
    waiting[i] = deps[i].size();
    for (size_t d : deps[i]) dependents[d].push_back(i);
  }
  // Kahn's algorithm, always taking the ready task that comes first in the
  // file, so the order is stable and matches what the user wrote when it can.
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t i = 0; i < n; ++i)
    if (waiting[i] == 0)
      ready.push(i);
  std::vector<size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    size_t t = ready.top();
    ready.pop();
    order.push_back(t);
    for (size_t d : dependents[t])
      if (--waiting[d] == 0)
        ready.push(d);
  }
  return order;
}

}  // namespace runner
