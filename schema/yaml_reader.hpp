#pragma once
// Reading typed fields out of YAML mappings while collecting diagnostics:
// unknown and repeated keys, wrong node kinds, names with a trailing comma.
// Shared by the task group parser; usable by any other document we validate.
#include <optional>
#include <string>
#include <vector>

#include "schema/diagnostic.hpp"
#include "schema/model.hpp"
#include "schema/yaml_json.hpp"
#include "schema/yaml_tree.hpp"

namespace runner {

struct yaml_field {
  std::string key;
  yaml_node value;
  source_mark key_mark;
  source_mark mark;  // of the value; of the key when the value is empty
};

// [A-Za-z][A-Za-z0-9_-]*: task names.
bool valid_task_name(const std::string& s);
// [A-Za-z_][A-Za-z0-9_-]*: variable (export) names.
bool valid_variable_name(const std::string& s);

extern const char kTrailingCommaHint[];

class yaml_reader {
 public:
  yaml_reader(const std::string& file, const std::string& text, diagnostics& out)
      : file_(file), text_(text), out_(out) {}

  const std::string& file() const { return file_; }
  const std::string& text() const { return text_; }
  diagnostics& out() { return out_; }
  size_t& spec_budget() { return spec_budget_; }  // see yaml_json_context::budget

  source_mark mark(yaml_node n) const;
  void error(source_mark at, std::string message, std::string hint);

  // The fields of a mapping in document order. Unknown keys (with a "did you
  // mean") and repeated keys are reported and left out. `where` completes
  // "unknown field `x` in ...".
  std::vector<yaml_field> fields(yaml_node map, const std::vector<std::string>& known,
                                 const std::string& where);

  // A single value as text. An empty value or a list/mapping is reported,
  // with `example` as the hint.
  std::optional<std::string> scalar(const yaml_field& f, const std::string& what,
                                    const std::string& example);
  std::optional<bool> boolean(const yaml_field& f, const std::string& what);
  std::optional<duration> duration_value(const yaml_field& f, const std::string& what);

  // A name that refers to a task or variable. A value ending in ',' (the
  // commonest YAML slip: `name: foo,`) is reported with its own hint and
  // returned without the comma, so later checks see the name that was meant.
  // `what` completes "<what> `foo,` is not a valid <kind>".
  std::string name(const std::string& value, source_mark at, const std::string& what,
                   bool task_kind);

 private:
  const std::string& file_;
  const std::string& text_;
  diagnostics& out_;
  size_t spec_budget_ = kMaxSpecNodes;
};

// "a mapping", "a list", "a value", "empty" — for "must be X, not Y".
const char* kind_name(yaml_node n);

}  // namespace runner
