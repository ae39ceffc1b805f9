#pragma once
// `when:` conditions (SPEC.md §5; docs/expressions.md, "when"). A condition is
// one expression, written `<+ expr >` or bare; `{{ .task.var }}` templates in it
// stand for the imported value (never pasted in as text, so a value cannot
// change what the condition says). Reading `task.status` makes the task wait
// for `task` to finish, whatever its status: the condition then decides.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/expression.hpp"
#include "schema/model.hpp"

namespace runner {

struct when_parse_result {
  std::shared_ptr<const expr> condition;  // set when error is empty
  std::optional<expr_error> error;        // line:column in the `when` text
  bool ok() const { return !error.has_value(); }
};

when_parse_result parse_when(std::string_view text);

// The tasks whose status the task's `when` reads, each once, in source order;
// empty without `when` or when it does not parse (validation reports that).
std::vector<std::string> when_status_reads(const task_decl& task);

// Whether `task` still runs (its `when` deciding) after `dep` ended with a
// status other than success: only when its `when` reads `dep.status` and it
// imports nothing from `dep` (there would be no value to import).
bool runs_after_any_outcome(const task_decl& task, const std::string& dep);

// Whether a condition's value lets the task run: its truthiness, except that
// the strings "true" and "false" (any case, spaces around) mean those booleans,
// as an output written by a shell step (`deploy=false`) would be read.
bool when_holds(const expr_value& value);

}  // namespace runner
