#pragma once
// GitHub Actions' `${{ }}` expression language, evaluated the way GitHub's
// runner does (actions/runner src/Sdk/DTExpressions2 and the template reader
// of src/Sdk/DTObjectTemplating): single-quoted strings, case-insensitive
// property and function names, loose `==` with GitHub's coercions, `&&`/`||`
// that return an operand, object filters (`a.*.b`), the functions contains,
// startsWith, endsWith, format, join, toJSON, fromJSON and the status
// functions success, failure, always, cancelled. hashFiles parses but fails
// when called ("hashFiles is not supported by this runner"); `case` is not
// known. Pure: no I/O, no clock.
//
// Where this differs from GitHub (on purpose or because of the value type):
// - a `${{ }}` whose value is an object or array interpolates as toJSON would
//   print it (GitHub prints `Object`/`Array`, or refuses a whole-value one);
//   format() and join() keep GitHub's `Object`/`Array`.
// - objects are nlohmann::json objects, so their keys come out sorted (toJSON,
//   `.*`) where GitHub keeps insertion order.
// - case-insensitive means ASCII letters only; other letters compare exactly.
// - fromJSON is strict JSON (GitHub's Newtonsoft reader also takes comments,
//   single quotes, and ignores text after the first value).
// - -0 prints as "0", as GitHub's published test data has it.
//
// Errors are "expression at L:C: message" (runner::expr_error), L:C pointing
// into the text that was given (the whole template for templates), in bytes.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/expression.hpp"  // expr_error: same error shape as `<+ >` expressions

namespace runner::gh {

// Values are JSON values. Numbers are doubles as far as the language goes.
using value = nlohmann::json;

namespace detail {
struct node;
}

// The status the status functions see: the job's, or inside a composite
// action the composite's steps' so far.
enum class run_status { success, failure, cancelled };

// What an expression can read.
class eval_context {
 public:
  virtual ~eval_context() = default;
  // The context called `name` (github, env, inputs, steps, ...), compared
  // case-insensitively; nullptr when there is none, which is an error
  // ("Unrecognized named-value") even where it would not be evaluated, as on
  // GitHub where it is a parse error. Give every context a place allows, if
  // only as an empty object.
  virtual const value* context(std::string_view name) const = 0;
  // Whether the properties of context `name` are looked up exactly: GitHub's
  // `env` on Linux is case-sensitive, all other objects are not.
  virtual bool case_sensitive(std::string_view name) const { return false; }
  virtual run_status status() const { return run_status::success; }
};

// An eval_context over one JSON object of contexts: {"github": {...}, ...}.
class json_context : public eval_context {
 public:
  json_context() = default;
  explicit json_context(value contexts, run_status status = run_status::success)
      : contexts(std::move(contexts)), job_status(status) {}

  value contexts = value::object();
  run_status job_status = run_status::success;
  std::vector<std::string> case_sensitive_contexts{"env"};

  const value* context(std::string_view name) const override;
  bool case_sensitive(std::string_view name) const override;
  run_status status() const override { return job_status; }
};

// A parsed expression (the text between `${{` and `}}`). Immutable; share it.
struct expression {
  std::shared_ptr<const detail::node> root;
  std::shared_ptr<const expr_source> source;  // line starts of the parsed text
  bool has_status_function = false;           // calls success/failure/always/cancelled
};

struct parse_result {
  std::shared_ptr<const expression> expr;  // set when error is empty
  std::optional<expr_error> error;
  bool ok() const { return !error.has_value(); }
};

parse_result parse(std::string_view text);

struct eval_result {
  value val;
  std::optional<expr_error> error;
  bool ok() const { return !error.has_value(); }
};

eval_result evaluate(const expression& e, const eval_context& ctx);
eval_result evaluate(std::string_view text, const eval_context& ctx);  // parse + evaluate

// A text with `${{ expr }}` parts, split the way GitHub's template reader
// does: an expression ends at the first `}}` outside a single-quoted string.
struct text_template {
  struct part {
    std::string text;                          // literal text, when expr is null
    std::shared_ptr<const expression> expr;
  };
  std::vector<part> parts;
};

struct template_parse_result {
  std::shared_ptr<const text_template> tmpl;  // set when error is empty
  std::optional<expr_error> error;
  bool ok() const { return !error.has_value(); }
};

template_parse_result parse_template(std::string_view text);

struct text_result {
  std::string text;
  std::optional<expr_error> error;
  bool ok() const { return !error.has_value(); }
};

// Each `${{ }}` becomes its value as text (null "", true "true", numbers as
// GitHub prints them, objects and arrays as toJSON), the rest is kept.
text_result render(const text_template& t, const eval_context& ctx);
text_result interpolate(std::string_view text, const eval_context& ctx);  // parse + render

// An `if:` condition, with or without `${{ }}`, as GitHub reads it: a text
// that is exactly one `${{ expr }}` is `expr` (exactly `${{ 'text' }}` is
// `text` read as the condition); a text with other characters around a
// `${{ }}` is that text rendered, a string, true unless empty (GitHub's
// well-known pitfall, kept); an empty text is `success()`. A condition that
// calls none of success/failure/always/cancelled means `success() && (it)`:
// after a failure it is false without being evaluated.
struct condition {
  std::shared_ptr<const expression> expr;    // the condition, or
  std::shared_ptr<const text_template> tmpl; // a text rendered to a string
  bool has_status_function = false;
};

struct condition_parse_result {
  std::shared_ptr<const condition> cond;  // set when error is empty
  std::optional<expr_error> error;
  bool ok() const { return !error.has_value(); }
};

condition_parse_result parse_condition(std::string_view text);

struct condition_result {
  bool run = false;
  std::optional<expr_error> error;
  bool ok() const { return !error.has_value(); }
};

condition_result evaluate_condition(const condition& c, const eval_context& ctx);
condition_result evaluate_condition(std::string_view text, const eval_context& ctx);

// false for null, false, 0, -0, NaN and ""; true otherwise, [] and {} included.
bool truthy(const value& v);

// GitHub's conversion to string (format, join, contains...): null "", bool
// "true"/"false", numbers with at most 15 significant digits ("3", "0.5",
// "1E+20", "NaN", "Infinity"), objects "Object", arrays "Array".
std::string to_string(const value& v);

// toJSON: 2-space indent, `"key": value`, `[]`/`{}` when empty.
std::string to_json(const value& v);

}  // namespace runner::gh
