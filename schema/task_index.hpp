#pragma once
// Task name -> position in group.tasks, for the first task of each name.
// A sorted array rather than a hash map: it is built for every check of a
// group, and for tens of thousands of tasks a hash map's node per name costs
// more than the names themselves.
#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "schema/model.hpp"

namespace runner {

class task_index {
 public:
  static constexpr size_t npos = static_cast<size_t>(-1);

  // Tasks without a name are left out. Refers to the group's names: the
  // group must outlive the index and keep its tasks.
  explicit task_index(const task_group& group);

  // The position of the first task named `name`, or npos.
  size_t find(std::string_view name) const;

 private:
  std::vector<std::pair<std::string_view, size_t>> by_name_;
};

}  // namespace runner
