// `<+ expr >` expressions (schema/expression.hpp), as expression_evaluation
// runs them: the input parsed as one expression and as a string_to_evaluate
// template, each evaluated with a value for every name it reads. Any bytes
// give a value or an error at a position inside the text, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>

#include "schema/expression.hpp"

namespace {

using namespace runner;

// What a task may import: numbers, booleans, JSON, odd whitespace, UTF-8.
const char* const kValues[] = {"",     "0",     "-1.5",  "1e308", "true", "false", "null",
                               "NaN",  "[1,\"a\",[2]]", "{\"k\":{\"v\":1}}", "a,b,,c",
                               "  padded\t", "\xc3\xbc" "n" "\xc3\xaf" "c" "\xc3\xb6" "de", "line\nbreak"};

std::string value_for(const std::string& name) {
  return kValues[std::hash<std::string>{}(name) % std::size(kValues)];
}

map_expr_context context_for(const std::vector<expr_reference>& refs) {
  map_expr_context ctx;
  static const char* const statuses[] = {"success", "failed", "skipped", "cancelled"};
  for (const expr_reference& r : refs) {
    if (r.kind == expr_reference_kind::import)
      ctx.imports[{r.task, r.name}] = value_for(r.task + "." + r.name);
    else if (r.kind == expr_reference_kind::status)
      ctx.statuses[r.task] = statuses[r.task.size() % 4];
    else
      ctx.envs[r.name] = value_for(r.name);
  }
  return ctx;
}

void check_error(const std::optional<expr_error>& e, std::string_view text) {
  if (e && (e->offset > text.size() || e->line < 1 || e->column < 1))
    std::abort();
  if (e)
    e->format();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  expr_parse_result parsed = parse_expression(text);
  check_error(parsed.error, text);
  if (parsed.ok()) {
    expr_eval_result v = evaluate(*parsed.expression, context_for(references(*parsed.expression)));
    check_error(v.error, text);
    if (v.ok()) {
      expr_truthy(v.value);
      expr_to_string(v.value);
    }
  }

  expr_template_parse_result tmpl = render_template(text);
  check_error(tmpl.error, text);
  if (tmpl.ok()) {
    expr_render_result r = render(*tmpl.tmpl, context_for(references(*tmpl.tmpl)));
    check_error(r.error, text);
  }
  return 0;
}
