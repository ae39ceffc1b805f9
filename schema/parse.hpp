#pragma once
// YAML (or JSON) text -> task_group. Structural problems (wrong node kinds,
// unknown fields, bad names, bad durations, YAML syntax) are collected here;
// cross-task checks live in validate.hpp.
#include <optional>
#include <string>

#include "schema/model.hpp"

namespace runner {

struct parse_result {
  std::optional<task_group> group;  // absent only when the text is not YAML at all
  diagnostics problems;
};

parse_result parse_task_group(std::string text, const std::string& file);

// Reads `path` (an unreadable file is a diagnostic, not an exception).
parse_result load_task_group(const std::string& path);

}  // namespace runner
