#include <algorithm>
#include <stdexcept>

#include "schema/model.hpp"

namespace runner {

namespace {

bool by_pointer(const source_map::value_type& a, const source_map::value_type& b) {
  return a.first < b.first;
}

}  // namespace

source_map::source_map(std::vector<value_type> marks) : marks_(std::move(marks)) {
  std::sort(marks_.begin(), marks_.end(), by_pointer);
  marks_.shrink_to_fit();
}

source_map::const_iterator source_map::find(const std::string& pointer) const {
  auto it = std::lower_bound(marks_.begin(), marks_.end(), pointer,
                             [](const value_type& e, const std::string& p) { return e.first < p; });
  return it != marks_.end() && it->first == pointer ? it : marks_.end();
}

const source_mark& source_map::at(const std::string& pointer) const {
  auto it = find(pointer);
  if (it == marks_.end())
    throw std::out_of_range("no source mark for `" + pointer + "`");
  return it->second;
}

}  // namespace runner
