#pragma once
// Cross-task checks of SPEC.md §2: names, references, imports vs exports,
// templates, cycles, and the type-specific spec checks that drivers provide.
#include <string>
#include <vector>

#include "schema/model.hpp"
#include "schema/parse.hpp"

namespace runner {

// What validation needs to know about task types; the driver registry implements it.
class task_type_catalog {
 public:
  virtual ~task_type_catalog() = default;
  virtual bool has(const std::string& type) const = 0;
  virtual std::vector<std::string> names() const = 0;
  // Said with an unknown task type: e.g. why a configured driver serves none.
  virtual std::string unknown_type_note() const { return {}; }
  // Appends problems in task.spec (unknown fields, wrong kinds, missing inputs).
  virtual void check_spec(const task_decl& task, const std::string& file,
                          diagnostics& out) const = 0;
};

diagnostics validate_task_group(const task_group& group, const task_type_catalog& types);

// Parse + validate in one go: what `runner validate` and `runner run` do.
struct checked_group {
  std::optional<task_group> group;  // set only when there are no problems
  diagnostics problems;
};
checked_group load_and_validate(const std::string& path, const task_type_catalog& types);
// The same for a document that arrived as text (a group forwarded to this node).
checked_group check_document(std::string text, const std::string& file,
                             const task_type_catalog& types);
checked_group check_parsed(parse_result parsed, const task_type_catalog& types);

// A node name (`node-b`) or host:port, as `forward.to` takes.
bool valid_forward_target(const std::string& to);

}  // namespace runner
