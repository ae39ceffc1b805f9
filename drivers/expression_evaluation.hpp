#pragma once
// `expression_evaluation`: renders `string_to_evaluate`, whose `<+ expr >`
// segments are expressions (docs/expressions.md) over the task's imports
// (`task.variable`), the statuses of the tasks it waits for (`task.status`)
// and its spec's `envs` (`env.NAME`), into the output `result`. It runs
// in-process, at once: no child process, no run slot.
#include "drivers/driver.hpp"

namespace runner {

class expression_evaluation_driver : public driver {
 public:
  std::string type() const override { return "expression_evaluation"; }
  bool process_backed() const override { return false; }
  bool finishes_in_start() const override { return true; }
  void check_spec(const task_decl& task, const std::string& file,
                  diagnostics& out) const override;
  std::string output_hint(const std::string& name) const override {
    return "an expression_evaluation task produces one output, `result`";
  }
  std::unique_ptr<running_task> start(task_invocation inv,
                                      std::shared_ptr<task_events> events) override;
};

}  // namespace runner
