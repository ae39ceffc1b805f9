#pragma once
// `os_exec` (SPEC.md §6): runs a command as a child process through the reactor.
// A string command goes to a shell (`/bin/sh -c`, or `shell`), a list is exec'd
// directly. Outputs come from the OUTPUT_FILE the task writes.
#include <chrono>
#include <string>

#include "drivers/driver.hpp"
#include "drivers/reactor.hpp"

namespace runner {

class os_exec_driver : public driver {
 public:
  // grace: how long a stopped task gets between SIGTERM and SIGKILL.
  os_exec_driver(reactor& r, std::chrono::milliseconds grace);
  ~os_exec_driver() override;

  std::string type() const override { return "os_exec"; }
  bool process_backed() const override { return true; }
  void check_spec(const task_decl& task, const std::string& file,
                  diagnostics& out) const override;
  std::unique_ptr<running_task> start(task_invocation inv,
                                      std::shared_ptr<task_events> events) override;

 private:
  const std::string& scratch_dir();  // reactor thread only

  reactor& reactor_;
  std::chrono::milliseconds grace_;
  std::string scratch_;  // holds the OUTPUT_FILEs; made on first use
};

// What os_exec_driver::check_spec reports, without a driver (fuzzing).
void check_os_exec_spec(const task_decl& task, const std::string& file, diagnostics& out);

// The child's environment: PATH, HOME, LANG (or all of the runner's with
// inherit_env), then `envs`, then OUTPUT_FILE. Exposed for tests.
std::vector<std::string> os_exec_environment(const json& spec, const std::string& output_file);

}  // namespace runner
