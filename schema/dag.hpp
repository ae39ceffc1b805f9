#pragma once
// The dependency graph of a group: depends_on plus the edges imports and
// `when` status reads imply.
#include <string>
#include <vector>

#include "schema/model.hpp"

namespace runner {

// For each task (by index into group.tasks) the indices it waits for, deduplicated,
// in first-mention order. Unknown names are left out (validation reports them).
std::vector<std::vector<size_t>> dependency_indices(const task_group& group);

// The cycles of a graph given as deps[i] = the indices task i waits for. Each
// cycle is task indices, rotated to start at its lowest index, first repeated at
// the end; "a -> b" reads "a waits for b". A task is in at most one reported
// cycle, so a tangle of cycles is reported once, not once per path.
std::vector<std::vector<size_t>> find_cycles(const std::vector<std::vector<size_t>>& deps);

// A cycle as task names, first name repeated at the end ("a","b","c","a");
// empty when the graph is acyclic.
std::vector<std::string> find_cycle(const task_group& group);

// Task indices in an order where every task comes after all it waits for.
// Precondition: acyclic.
std::vector<size_t> topological_order(const task_group& group);

}  // namespace runner
