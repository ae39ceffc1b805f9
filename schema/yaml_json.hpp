#pragma once
// A YAML node as JSON, the way a task's spec is read: mappings become objects,
// sequences arrays; a plain (unquoted) scalar becomes true/false/null or a
// number when it looks like one (YAML 1.2 core schema, so `yes`, `on` and
// `0755`-style octal stay what YAML 1.2 says), anything quoted stays a string.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/diagnostic.hpp"
#include "schema/model.hpp"
#include "schema/yaml_tree.hpp"

namespace runner {

struct yaml_json_context {
  const std::string& file;
  const std::string& text;  // the YAML text, for positions
  diagnostics& out;         // keys that are not strings, repeated keys
  // Nodes left to convert. Aliases let a small document name a huge tree (the
  // "billion laughs"); groups come from remote submitters too, so cap it.
  size_t& budget;
};

// Enough for 10,000 tasks of 50 values each; far below what exhausts memory.
constexpr size_t kMaxSpecNodes = 500000;

// Converts `node`, recording in `marks` the position of it and of every node
// below it under its JSON pointer (`pointer` is the node's own); they make a
// source_map.
json yaml_to_json(yaml_node node, const std::string& pointer, source_mark mark,
                  std::vector<source_map::value_type>& marks, const yaml_json_context& ctx);

// A plain scalar typed the YAML 1.2 core-schema way.
json plain_scalar(const std::string& text);

// "~" -> "~0", "/" -> "~1" (RFC 6901).
std::string json_pointer_token(const std::string& key);

}  // namespace runner
