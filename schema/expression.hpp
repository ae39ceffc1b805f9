#pragma once
// The expression language of the `expression_evaluation` task and of `when:`
// (SPEC.md §5-§6; grammar in docs/expressions.md). An expression is parsed once
// into a small tree and evaluated many times against an expr_context. Every
// error carries the line and column where it happened.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace runner {

// Values are JSON values: null, bool, number (always a double), string, array, object.
using expr_value = nlohmann::json;

struct expr_error {
  int line = 1;       // 1-based, in the parsed text (the whole template for templates)
  int column = 1;     // 1-based, in bytes
  size_t offset = 0;  // 0-based byte offset in the parsed text
  std::string message;

  // "expression at L:C: message"
  std::string format() const;
};

enum class expr_kind : uint8_t {
  literal,     // value
  import_ref,  // task.variable: a = task, b = variable
  status_ref,  // task.status:   a = task
  env_ref,     // env.NAME:      b = NAME
  list,        // kids = items
  map,         // keys[i] -> kids[i]
  logical_not, negate,
  add, sub, mul, div, mod,
  eq, ne, lt, le, gt, ge,
  logical_and, logical_or,
  conditional,  // kids = cond, then, else
  index,        // kids = object, index
  member,       // kids = object; b = property name
  call,         // kids = object, args...; method says which
};

enum class expr_method : uint8_t {
  none, contains, starts_with, ends_with, to_upper, to_lower, length, split, replace, trim,
};

struct expr_node {
  expr_kind kind = expr_kind::literal;
  expr_method method = expr_method::none;
  uint32_t offset = 0;  // where the node starts (operators: the operator) in the source
  expr_value value;     // literal
  std::string a, b;     // names (see expr_kind)
  std::vector<std::string> keys;  // map literal keys
  std::vector<std::unique_ptr<const expr_node>> kids;
  uint32_t height = 1;  // levels of this tree: bounded by kMaxExpressionDepth
};

// How deep an expression may nest (parentheses, operators, operands): its
// evaluation and its destruction recurse once per level, so a document
// cannot overflow the stack.
inline constexpr uint32_t kMaxExpressionDepth = 256;

// Line starts of a parsed text, shared by all expressions cut out of it.
struct expr_source {
  std::vector<size_t> line_starts;  // offsets where each line begins; [0] == 0
  expr_error error_at(size_t offset, std::string message) const;
};

// A parsed expression. Cheap to share; immutable.
struct expr {
  std::unique_ptr<const expr_node> root;
  std::shared_ptr<const expr_source> source;
};

struct expr_parse_result {
  std::shared_ptr<const expr> expression;  // set when error is empty
  std::optional<expr_error> error;
  bool ok() const { return !error.has_value(); }
};

expr_parse_result parse_expression(std::string_view text);

enum class expr_reference_kind { import, status, env };

struct expr_reference {
  expr_reference_kind kind = expr_reference_kind::import;
  std::string task;  // empty for env
  std::string name;  // variable name; "status" for status; the env name for env
  int line = 1;
  int column = 1;
  size_t offset = 0;
};

// Every reference in the expression, in source order (duplicates kept).
std::vector<expr_reference> references(const expr& e);

// What an expression can see while it is evaluated. std::nullopt = unknown.
class expr_context {
 public:
  virtual ~expr_context() = default;
  virtual std::optional<std::string> lookup(const std::string& task,
                                            const std::string& variable) const = 0;
  virtual std::optional<std::string> status(const std::string& task) const = 0;
  virtual std::optional<std::string> env(const std::string& name) const = 0;
};

// An expr_context over plain maps (tests, simple callers).
class map_expr_context : public expr_context {
 public:
  std::map<std::pair<std::string, std::string>, std::string> imports;  // (task, var) -> value
  std::map<std::string, std::string> statuses;                        // task -> status
  std::map<std::string, std::string> envs;                            // NAME -> value

  std::optional<std::string> lookup(const std::string& task,
                                    const std::string& variable) const override;
  std::optional<std::string> status(const std::string& task) const override;
  std::optional<std::string> env(const std::string& name) const override;
};

struct expr_eval_result {
  expr_value value;
  std::optional<expr_error> error;
  bool ok() const { return !error.has_value(); }
};

expr_eval_result evaluate(const expr& e, const expr_context& ctx);

// false for null, false, 0, NaN, "", [] and {}; true otherwise.
bool expr_truthy(const expr_value& v);

// How a value is printed into a template: strings as is, integral numbers
// without ".0", true/false, null as "", lists and maps as JSON.
std::string expr_to_string(const expr_value& v);

// A text with `<+ expr >` segments (docs/expressions.md, "Templates").
struct expr_template {
  struct part {
    std::string text;                    // literal text (when expression is null)
    std::shared_ptr<const expr> expression;
  };
  std::vector<part> parts;
};

struct expr_template_parse_result {
  std::shared_ptr<const expr_template> tmpl;  // set when error is empty
  std::optional<expr_error> error;            // line:column in the whole text
  bool ok() const { return !error.has_value(); }
};

expr_template_parse_result render_template(std::string_view text);

std::vector<expr_reference> references(const expr_template& t);

struct expr_render_result {
  std::string text;
  std::optional<expr_error> error;
  bool ok() const { return !error.has_value(); }
};

expr_render_result render(const expr_template& t, const expr_context& ctx);

}  // namespace runner
