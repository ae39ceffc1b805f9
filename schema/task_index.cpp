#include "schema/task_index.hpp"

#include <algorithm>

namespace runner {

task_index::task_index(const task_group& group) {
  by_name_.reserve(group.tasks.size());
  for (size_t i = 0; i < group.tasks.size(); ++i)
    if (!group.tasks[i].name.empty())
      by_name_.emplace_back(group.tasks[i].name, i);
  // By name, then position: the first of repeated names is kept.
  std::sort(by_name_.begin(), by_name_.end());
  auto same_name = [](const auto& a, const auto& b) { return a.first == b.first; };
  by_name_.erase(std::unique(by_name_.begin(), by_name_.end(), same_name), by_name_.end());
}

size_t task_index::find(std::string_view name) const {
  auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                             [](const auto& e, std::string_view n) { return e.first < n; });
  return it != by_name_.end() && it->first == name ? it->second : npos;
}

}  // namespace runner
