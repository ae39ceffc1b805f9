#pragma once
// `github_action` (SPEC.md §6): runs one GitHub Action, unmodified, as
// GitHub's runner would run a step that uses it. The procedure lives in
// action_run; this is the driver interface around it and the node's action
// store.
#include <chrono>
#include <memory>
#include <string>

#include "drivers/driver.hpp"
#include "drivers/github_action/action_store.hpp"
#include "drivers/reactor.hpp"

namespace runner::gh {

struct github_action_options {
  std::string state_dir;                         // the action store is <state_dir>/actions
  std::string base_url = "https://github.com/";  // where owner/repo@ref is cloned from
  std::string node = "node";                     // Node.js for node actions
  std::string node_name;                         // RUNNER_NAME
};

class github_action_driver : public driver {
 public:
  github_action_driver(reactor& r, std::chrono::milliseconds grace, github_action_options o);
  ~github_action_driver() override;

  std::string type() const override { return "github_action"; }
  bool process_backed() const override { return true; }
  void check_spec(const task_decl& task, const std::string& file,
                  diagnostics& out) const override;
  std::string output_hint(const std::string& name) const override;
  std::unique_ptr<running_task> start(task_invocation inv,
                                      std::shared_ptr<task_events> events) override;

 private:
  reactor& reactor_;
  std::chrono::milliseconds grace_;
  github_action_options options_;
  action_store store_;
};

}  // namespace runner::gh
