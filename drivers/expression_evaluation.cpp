#include "drivers/expression_evaluation.hpp"
#include "drivers/spec_problems.hpp"

#include <algorithm>
#include <set>

#include "schema/expression.hpp"
#include "schema/task_expr_context.hpp"
#include "schema/suggest.hpp"
#include "schema/when.hpp"

namespace runner {

namespace {

const std::set<std::string> spec_fields = {"string_to_evaluate", "envs"};

class finished_run : public running_task {
 public:
  void stop(stop_reason) override {}  // it has already finished
};

}  // namespace

void expression_evaluation_driver::check_spec(const task_decl& task, const std::string& file,
                                              diagnostics& out) const {
  spec_problems problems(task, file, out);
  const auto& spec = task.spec;
  if (!spec.is_object() || !spec.contains("string_to_evaluate")) {
    problems.report("", "expression_evaluation needs `string_to_evaluate`",
           "spec: {string_to_evaluate: \"<+ build.version + '-rc' >\"}");
    return;
  }
  for (auto& [key, value] : spec.items())
    if (!spec_fields.count(key)) {
      auto guess = closest_match(key, {spec_fields.begin(), spec_fields.end()});
      problems.report("/" + key, "unknown expression_evaluation field `" + key + "`",
             guess.empty() ? "expression_evaluation takes string_to_evaluate and envs"
                           : "did you mean `" + guess + "`?");
    }
  std::set<std::string> envs;
  if (spec.contains("envs")) {
    if (!spec["envs"].is_object())
      problems.report("/envs", "`envs` must be a mapping", "envs: {STAGE: prod}");
    else
      for (auto& [k, v] : spec["envs"].items())
        envs.insert(k);
  }
  const auto& text = spec["string_to_evaluate"];
  if (!text.is_string()) {
    problems.report("/string_to_evaluate", "`string_to_evaluate` must be a string",
           "quote it: string_to_evaluate: \"<+ 1 + 2 >\"");
    return;
  }
  auto parsed = render_template(text.get<std::string>());
  if (!parsed.ok()) {
    problems.report("/string_to_evaluate", parsed.error->format(),
           "see docs/expressions.md; a `>` inside `<+ >` needs parentheses: <+ (a > b) >");
    return;
  }
  // References that can never resolve are mistakes to report now, not at run time.
  std::set<std::string> waited(task.depends_on.begin(), task.depends_on.end());
  for (auto& imp : task.imports)
    waited.insert(imp.from);
  for (auto& name : when_status_reads(task))
    waited.insert(name);
  for (auto& ref : references(*parsed.tmpl)) {
    auto problem = [&](const std::string& what, std::string hint) {
      problems.report("/string_to_evaluate",
             "expression at " + std::to_string(ref.line) + ":" + std::to_string(ref.column) +
                 ": " + what,
             std::move(hint));
    };
    switch (ref.kind) {
      case expr_reference_kind::import:
        if (std::none_of(task.imports.begin(), task.imports.end(), [&](auto& i) {
              return i.from == ref.task && i.variable == ref.name;
            }))
          problem("`" + ref.task + "." + ref.name + "` is not imported by this task",
                  "add `imports: [{from: " + ref.task + ", variable: " + ref.name + "}]`");
        break;
      case expr_reference_kind::status:
        if (!waited.count(ref.task))
          problem("`" + ref.task + ".status` names a task this one does not wait for",
                  "add `" + ref.task + "` to depends_on");
        break;
      case expr_reference_kind::env:
        if (!envs.count(ref.name))
          problem("`env." + ref.name + "` is not in the spec's `envs`",
                  "add `envs: {" + ref.name + ": ...}` to the spec");
        break;
    }
  }
}

std::unique_ptr<running_task> expression_evaluation_driver::start(
    task_invocation inv, std::shared_ptr<task_events> events) {
  driver_result r;
  auto text = inv.spec.find("string_to_evaluate");
  auto parsed = render_template(text != inv.spec.end() && text->is_string()
                                    ? std::string_view(text->get_ref<const std::string&>())
                                    : std::string_view{});
  if (!parsed.ok()) {
    r.error = parsed.error->format();
  } else {
    task_expr_context ctx(inv.spec, inv.imports, inv.statuses);
    auto rendered = render(*parsed.tmpl, ctx);
    if (!rendered.ok()) {
      r.error = rendered.error->format();
    } else if (rendered.text.size() > inv.limits.value_bytes) {
      r.error = "`result` is " + std::to_string(rendered.text.size()) +
                " bytes, over the limit of " + std::to_string(inv.limits.value_bytes);
    } else {
      r.success = true;
      r.outputs["result"] = std::move(rendered.text);
    }
  }
  events->finished(std::move(r));
  return std::make_unique<finished_run>();
}

}  // namespace runner
