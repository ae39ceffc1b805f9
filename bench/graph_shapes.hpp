#pragma once
// The three graphs of the in-process throughput benchmark (bench/README.md,
// issue 4), defined once so that the runner engine and the oneTBB reference
// run exactly the same edges. Node i is task `t<i>`.
//
//   chain      t0 -> t1 -> ... -> t(n-1), each importing the one before
//   fanout     t0 -> t1..t(n-2) (each importing t0) -> t(n-1), which only
//              depends_on the middle tasks: a join that imported every value
//              would measure one huge task, not the scheduling
//   layered16  16 tasks a layer; a task after the first layer imports the
//              same column and the next one (wrapping) of the layer before,
//              as bench/gen_dag.py does for the ninja comparison
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

struct graph_node {
  std::vector<uint32_t> imports;  // edges that carry the predecessor's `result`
  std::vector<uint32_t> after;    // edges that only order (depends_on)
};

inline std::vector<graph_node> make_graph(const std::string& shape, size_t n) {
  if (n < 3)
    throw std::invalid_argument("at least 3 tasks");
  std::vector<graph_node> g(n);
  if (shape == "chain") {
    for (size_t i = 1; i < n; ++i)
      g[i].imports = {static_cast<uint32_t>(i - 1)};
  } else if (shape == "fanout") {
    for (size_t i = 1; i + 1 < n; ++i) {
      g[i].imports = {0};
      g[n - 1].after.push_back(static_cast<uint32_t>(i));
    }
  } else if (shape == "layered16") {
    const size_t width = 16;
    for (size_t i = width; i < n; ++i) {
      size_t layer = i / width, col = i % width;
      g[i].imports = {static_cast<uint32_t>((layer - 1) * width + col),
                      static_cast<uint32_t>((layer - 1) * width + (col + 1) % width)};
    }
  } else {
    throw std::invalid_argument("unknown shape `" + shape + "` (chain, fanout, layered16)");
  }
  return g;
}

// The per-node work both engines do, on the values of the imported
// predecessors: "v" followed by a small number derived from them. In the
// runner it is the `expression_evaluation` template of expression_for().
inline std::string node_value(const graph_node& node, const std::string* a, const std::string* b,
                              bool first_after_succeeded) {
  if (a && b)
    return "v" + std::to_string(a->size() + b->size());
  if (a)
    return "v" + std::to_string(a->size() + 1);
  if (!node.after.empty())
    return first_after_succeeded ? "v1" : "v0";
  return "v0";
}

inline std::string task_name(size_t i) { return "t" + std::to_string(i); }

// `string_to_evaluate` of node i, the same function as node_value().
inline std::string expression_for(const graph_node& node) {
  if (node.imports.size() == 2)
    return "v<+ " + task_name(node.imports[0]) + ".result.length + " +
           task_name(node.imports[1]) + ".result.length >";
  if (node.imports.size() == 1)
    return "v<+ " + task_name(node.imports[0]) + ".result.length + 1 >";
  if (!node.after.empty())
    return "v<+ " + task_name(node.after[0]) + ".status == 'success' ? 1 : 0 >";
  return "v<+ 0 >";
}

}  // namespace bench
