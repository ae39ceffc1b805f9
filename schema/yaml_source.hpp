#pragma once
// Loading YAML for the schema readers. Syntax errors become diagnostics with a
// hint, and the loader repairs what it safely can (a missing comma in a flow
// list, a stray comma after one, non-breaking spaces) and parses again, so one
// run reports every mistake of a document rather than only the first.
#include <functional>
#include <optional>
#include <string>

#include <yaml-cpp/mark.h>

#include "schema/diagnostic.hpp"
#include "schema/yaml_tree.hpp"

namespace runner {

struct yaml_document {
  // The first document of the stream (with a missing root for an empty
  // file); absent when the syntax errors could not be repaired.
  std::optional<yaml_tree> tree;
  std::string text;  // what yaml-cpp read, after repairs; marks index into it
};

// The document's one long list, read item by item while it is parsed, so that
// it never exists as a whole tree (see yaml_tree_builder).
struct yaml_list_reader {
  std::string key;  // the root mapping's key that holds it (or the root is it)
  // Before each parse attempt: after a repair the text is parsed again, so
  // forget the items read before. `text` is what marks index into.
  std::function<void(const std::string& text)> start;
  std::function<void(yaml_node item)> item;
};

yaml_document load_yaml(std::string text, const std::string& file, diagnostics& out,
                        const yaml_list_reader* list = nullptr);

// Where a node stands as users count: 1-based line, column in characters
// (yaml-cpp counts 0-based, in bytes). {0, 0} when yaml-cpp has no mark.
source_mark mark_of(const YAML::Mark& mark, const std::string& text);
source_mark mark_of(yaml_node node, const std::string& text);

// For a scalar, where its text starts: inside an opening quote, or the first
// content line of a `|` / `>` block. Other nodes: mark_of.
source_mark content_mark_of(yaml_node node, const std::string& text);

}  // namespace runner
