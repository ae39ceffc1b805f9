#pragma once
// A graph of graph_shapes.hpp as the task group document a user would write:
// what `runner run` reads in the end-to-end figures, and what
// `engine_throughput --yaml` parses and validates instead of building the
// group in code.
#include <ostream>
#include <string>
#include <vector>

#include "bench/graph_shapes.hpp"

namespace bench {

inline void write_group_yaml(std::ostream& out, const std::string& id,
                             const std::vector<graph_node>& g) {
  out << "id: " << id << "\ntaskGroup:\n";
  auto list = [&](const std::vector<uint32_t>& v) {
    std::string s;
    for (auto i : v)
      s += (s.empty() ? "" : ", ") + task_name(i);
    return s;
  };
  for (size_t i = 0; i < g.size(); ++i) {
    out << "  - name: " << task_name(i) << "\n    type: expression_evaluation\n"
        << "    spec: {string_to_evaluate: \"" << expression_for(g[i]) << "\"}\n";
    if (!g[i].imports.empty()) {
      out << "    imports: [";
      for (size_t k = 0; k < g[i].imports.size(); ++k)
        out << (k ? ", " : "") << "{from: " << task_name(g[i].imports[k]) << ", variable: result}";
      out << "]\n";
    }
    if (!g[i].after.empty())
      out << "    depends_on: [" << list(g[i].after) << "]\n";
    out << "    exports: [{name: result}]\n";
  }
}

}  // namespace bench
