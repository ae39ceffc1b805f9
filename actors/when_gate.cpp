#include "actors/when_gate.hpp"

#include "schema/task_expr_context.hpp"
#include "schema/when.hpp"

namespace runner {

when_decision decide_when(const task_decl& task, const json& rendered_spec,
                          const std::map<std::string, std::string>& imports,
                          const std::map<std::string, std::string>& statuses) {
  when_decision d;
  if (!task.when)
    return d;
  auto parsed = parse_when(*task.when);
  if (!parsed.ok()) {  // validation rejects these; a group built in code may not be validated
    d.error = "`when`: " + parsed.error->format();
    return d;
  }
  task_expr_context ctx(rendered_spec, imports, statuses);
  auto value = evaluate(*parsed.condition, ctx);
  if (!value.ok()) {
    d.error = "`when`: " + value.error->format();
    return d;
  }
  d.run = when_holds(value.value);
  return d;
}

}  // namespace runner
