#pragma once
// One task of a task group document (SPEC.md §2), read field by field.
#include "schema/model.hpp"
#include "schema/yaml_reader.hpp"
#include "schema/yaml_tree.hpp"

namespace runner {

extern const std::vector<std::string> kTaskFields;

task_decl read_task(yaml_node node, yaml_reader& r);

// `forward: {to: ...}`, on a task or on the whole group.
std::optional<forward_decl> read_forward(const yaml_field& f, yaml_reader& r);

}  // namespace runner
