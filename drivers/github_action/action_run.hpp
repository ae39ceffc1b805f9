#pragma once
// One run of a github_action task, start to end, on the reactor thread: the
// action is found (workspace path or action store), its action.yml read, its
// inputs settled, then pre → main → post as GitHub's runner runs a step that
// uses it. A composite action runs its steps in turn, a nested `uses:` being
// the same procedure one level down; the post stages of every node action
// that ran are kept and run last, latest first, as GitHub runs a job's
// post steps. The state of the run (GITHUB_ENV and GITHUB_PATH additions,
// masks, the post stack) is shared by all levels, like a job's.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "drivers/driver.hpp"
#include "drivers/github_action/action_log.hpp"
#include "drivers/github_action/action_manifest.hpp"
#include "drivers/github_action/action_store.hpp"
#include "drivers/github_action/action_task_spec.hpp"
#include "drivers/github_action/gh_expressions.hpp"
#include "drivers/github_action/step_process.hpp"
#include "drivers/reactor.hpp"

namespace runner::gh {

struct action_run_setup {
  reactor* r = nullptr;
  action_store* store = nullptr;
  std::string node = "node";      // the Node.js binary (PATH lookup without '/')
  std::string node_name;          // RUNNER_NAME
  std::string tool_cache;         // RUNNER_TOOL_CACHE
  std::chrono::milliseconds grace{5000};
};

class action_run : public std::enable_shared_from_this<action_run> {
 public:
  action_run(action_run_setup setup, task_invocation inv, std::shared_ptr<task_events> events);
  ~action_run();

  void start();  // reactor thread
  void stop();   // reactor thread; idempotent

 private:
  struct frame;
  struct frame_result {
    bool success = false;
    std::optional<int> exit_code;
    std::string error;
    bool infrastructure = false;
    std::map<std::string, std::string> outputs;
  };
  using frame_done = std::function<void(frame_result)>;
  struct post_stage {
    std::shared_ptr<frame> owner;
  };

  void guarded(const std::function<void()>& fn);
  void begin();
  // Finding and reading the action.
  void run_action(std::shared_ptr<frame> f, frame_done done);
  void action_found(std::shared_ptr<frame> f, std::string dir, frame_done done);
  std::string settle_inputs(frame& f);
  // Node actions.
  void run_node(std::shared_ptr<frame> f, frame_done done);
  void run_node_stage(std::shared_ptr<frame> f, const std::string& stage,
                      std::function<void(step_outcome)> done);
  // Composite actions.
  void next_step(std::shared_ptr<frame> f, frame_done done);
  void next_step_later(std::shared_ptr<frame> f, frame_done done);
  void step_finished(std::shared_ptr<frame> f, size_t index, bool continue_on_error,
                     frame_result r, frame_done done);
  void finish_composite(std::shared_ptr<frame> f, frame_done done);
  // The end.
  void main_finished(frame_result r);
  void next_post();
  void finish(frame_result r);

  // Helpers.
  nlohmann::json github_of(const frame& f) const;
  nlohmann::json env_context(const frame& f, const std::map<std::string, std::string>& step_env) const;
  json_context contexts_of(const frame& f, const std::map<std::string, std::string>& step_env,
                           run_status status) const;
  std::map<std::string, std::string> process_env(const frame& f,
                                       const std::map<std::string, std::string>& step_env,
                                       const step_files& files, bool with_inputs_and_state) const;
  // `env`: the step's environment, also read for the workflow-command switches.
  void spawn(process_spec ps, const std::map<std::string, std::string>& env, step_files files,
             bool script_step, bool outputs_are_tasks, std::function<void(step_outcome)> done);
  void tell_composite_outputs(const frame& f);
  void apply_job_effects(const step_outcome& o);
  bool prepare_temp(std::string& error);

  action_run_setup setup_;
  task_invocation inv_;
  action_task_spec spec_;
  std::shared_ptr<action_log> log_;
  std::string workspace_;
  std::string temp_;         // RUNNER_TEMP; removed at the end
  nlohmann::json github_;    // the job's github context
  nlohmann::json runner_;    // the runner context
  std::map<std::string, std::string> task_env_;      // spec env, evaluated
  std::map<std::string, std::string> added_env_;     // GITHUB_ENV, all steps so far
  std::vector<std::string> added_paths_;             // GITHUB_PATH, all steps so far
  std::vector<post_stage> posts_;
  frame_result main_;
  bool stopped_ = false;
  bool finished_ = false;
  bool running_ = false;
  reactor::process_id current_ = 0;
};

}  // namespace runner::gh
