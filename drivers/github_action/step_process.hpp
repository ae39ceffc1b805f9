#pragma once
// One step's process (a node stage or a composite `run:` step) as GitHub's
// runner watches it: every output line goes through the workflow-command
// parser before it is shown, and once the process has ended its file
// commands are read. Lives on the reactor thread.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/github_action/action_log.hpp"
#include "drivers/github_action/step_files.hpp"
#include "drivers/github_action/workflow_commands.hpp"
#include "drivers/line_buffer.hpp"
#include "drivers/reactor.hpp"

namespace runner::gh {

struct step_outcome {
  bool success = false;
  std::optional<int> exit_code;
  std::string error;  // when !success, unmasked
  bool infrastructure = false;  // the runner, not the action, is at fault
  std::map<std::string, std::string> outputs;  // set-output and GITHUB_OUTPUT
  std::map<std::string, std::string> env;      // GITHUB_ENV
  std::map<std::string, std::string> state;    // save-state and GITHUB_STATE
  std::vector<std::string> paths;              // GITHUB_PATH, in order
};

class step_process : public process_listener {
 public:
  using done_fn = std::function<void(step_outcome)>;

  // `script_step`: a composite `run:` step, whose failure the runner
  // announces with "Process completed with exit code N.". `outputs_are_task's`:
  // the step's outputs are the task's (a top-level node action), so the task
  // hears of them while it runs, to mask a confidential export at once.
  step_process(std::shared_ptr<action_log> log, step_files files, command_options options,
               output_limits limits, bool script_step, bool outputs_are_tasks, done_fn done);

  void on_output(stream_kind stream, std::string_view data, const flow_ticket& ticket) override;
  void on_exit(const process_exit& how) override;

 private:
  void handle(std::string_view line);
  void read_files(step_outcome& out);
  void tell_outputs_seen();

  std::shared_ptr<action_log> log_;
  step_files files_;
  workflow_commands commands_;
  output_limits limits_;
  bool script_step_;
  bool outputs_are_tasks_;
  done_fn done_;
  // Unmasked, as commands must see the real text, so it cuts only lines
  // longer than all outputs together: a line is masked whole before the
  // task's log cuts it for display.
  line_buffer lines_;
  step_outcome so_far_;
  std::string command_failure_;
  std::string last_error_;  // the last ::error:: message
  off_t seen_output_size_ = 0;
};

}  // namespace runner::gh
