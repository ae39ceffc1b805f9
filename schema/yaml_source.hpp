#pragma once
// Loading YAML for the schema readers. Syntax errors become diagnostics with a
// hint, and the loader repairs what it safely can (a missing comma in a flow
// list, a stray comma after one, non-breaking spaces) and parses again, so one
// run reports every mistake of a document rather than only the first.
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "schema/diagnostic.hpp"

namespace runner {

struct yaml_document {
  // The first document of the stream (a null node for an empty file); absent
  // when the syntax errors could not be repaired.
  std::optional<YAML::Node> root;
  std::string text;  // what yaml-cpp read, after repairs; marks index into it
};

yaml_document load_yaml(const std::string& text, const std::string& file, diagnostics& out);

// Where a node stands as users count: 1-based line, column in characters
// (yaml-cpp counts 0-based, in bytes). {0, 0} when yaml-cpp has no mark.
source_mark mark_of(const YAML::Mark& mark, const std::string& text);
source_mark mark_of(const YAML::Node& node, const std::string& text);

// For a scalar, where its text starts: inside an opening quote, or the first
// content line of a `|` / `>` block. Other nodes: mark_of.
source_mark content_mark_of(const YAML::Node& node, const std::string& text);

}  // namespace runner
