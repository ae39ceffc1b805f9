#pragma once
// Internals of gh_expressions shared by its parser, value rules and evaluator.
// Not for other callers: include gh_expressions.hpp.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/github_action/gh_expressions.hpp"

namespace runner::gh::detail {

// GitHub's limits (ExpressionConstants): past them an expression is refused.
constexpr size_t max_length = 21000;
constexpr int max_depth = 50;

enum class node_kind : uint8_t {
  literal,   // value
  context,   // name: a named value (github, env, ...)
  index,     // kids = object, key: `a.b` (key a literal) and `a[k]`
  wildcard,  // kids = object: `a.*`, `a[*]`
  logical_not,
  eq, ne, lt, le, gt, ge,
  logical_and, logical_or,  // kids = 2 or more operands, flattened like GitHub's
  call,                     // fn, kids = arguments
};

enum class function : uint8_t {
  contains, starts_with, ends_with, format, join, to_json, from_json, hash_files,
  success, failure, always, cancelled,
};

struct node {
  node_kind kind = node_kind::literal;
  function fn = function::contains;
  uint32_t offset = 0;  // where the node starts in the text (operators: the operator)
  value literal;
  std::string name;     // context name, or the function's name as written
  std::vector<std::unique_ptr<const node>> kids;
};

// Thrown inside the module, turned into an expr_error at its edge.
struct failure {
  size_t offset;
  std::string message;
};
[[noreturn]] void fail(size_t offset, std::string message);

std::shared_ptr<const expr_source> make_source(std::string_view text);

// Parses text[begin, end) (offsets stay those of `text`). Throws failure.
std::unique_ptr<const node> parse_range(std::string_view text, size_t begin, size_t end);
bool calls_status_function(const node& n);

// Throws failure for the first context the expression names that ctx lacks.
void check_contexts(const node& n, const eval_context& ctx);
// Throws failure.
value evaluate_node(const node& n, const eval_context& ctx);

// ---- value rules (gh_expr_values.cpp)

enum class kind : uint8_t { null, boolean, number, string, array, object };
kind kind_of(const value& v);
const char* kind_name(kind k);  // "Null", "Boolean", ... as GitHub names them
bool is_primitive(const value& v);

double to_number(const value& v);           // null 0, bool 1/0, string parsed, else NaN
double parse_number(std::string_view text);  // GitHub's ParseNumber: NaN when not a number
std::string format_number(double d);         // .NET "G15"

// Loose comparisons; `same` tells whether two objects/arrays are one instance.
bool loose_equal(const value& a, const value& b, bool same);
bool loose_less(const value& a, const value& b);
bool loose_greater(const value& a, const value& b);

// ASCII case-insensitive string rules (.NET OrdinalIgnoreCase on ASCII).
bool iequals(std::string_view a, std::string_view b);
int icompare(std::string_view a, std::string_view b);
size_t ifind(std::string_view haystack, std::string_view needle);

// The property `key` of object `obj`: exact match, else (unless exact) the first
// case-insensitive one; nullptr when none.
const value* find_property(const value& obj, std::string_view key, bool exact);

}  // namespace runner::gh::detail
