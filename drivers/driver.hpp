#pragma once
// The one interface every task type implements (Nomad's task driver, reduced to
// what a task group needs). A driver never blocks the caller: start() hands the
// work to a reactor or a thread of the driver's own and reports through
// task_events, which is safe to call from any thread.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/limits.hpp"
#include "drivers/output_flow.hpp"
#include "schema/model.hpp"

namespace runner {

class mask_rules;

enum class stream_kind : uint8_t { out, err };

struct driver_result {
  bool success = false;
  std::optional<int> exit_code;                 // process-backed types
  std::map<std::string, std::string> outputs;   // everything the task produced
  std::string error;                            // why it failed; empty on success
  bool infrastructure = false;                  // the runner, not the task, is at fault
  bool stopped = false;                         // stop() reached it while it ran
  std::string runner;                           // the node that ran it, if not this one
  // Outputs that are secrets whatever the document says (a vault read): they
  // are exported as confidential even without `confidential: true`.
  std::vector<std::string> secret_outputs;
};

// Where a running task reports. Calls arrive in the order they were made.
class task_events {
 public:
  virtual ~task_events() = default;
  // `ticket` holds the chunk's share of its process's output window
  // (output_flow.hpp) until whoever shows the chunk is done with it.
  virtual void output(stream_kind stream, std::string chunk, flow_ticket ticket = {}) = 0;
  // Outputs known so far while the task still runs, so masking learns a
  // confidential export before the task can print it.
  virtual void outputs_seen(std::map<std::string, std::string> outputs) = 0;
  virtual void finished(driver_result result) = 0;  // exactly once
};

struct task_invocation {
  std::string group_id;
  std::string task_name;
  std::string run_id;  // unique per task run
  int attempt = 1;
  json spec;           // templates already resolved
  output_limits limits;
  const task_decl* task = nullptr;   // the declaration (outlives the run)
  std::map<std::string, std::string> imports;  // "task.variable" -> value
  // The tasks it waited for -> how they ended: "success", or anything else
  // for a task whose status its `when` reads.
  std::map<std::string, std::string> statuses;
  std::vector<std::string> secrets;  // confidential values the task imported
  // The node's `masking.patterns`, for every masker the driver keeps. May be null.
  std::shared_ptr<const mask_rules> mask_patterns;
};

enum class stop_reason : uint8_t { cancelled, timed_out };

// A task that has started. stop() is idempotent and thread-safe; the task still
// reports finished() afterwards.
class running_task {
 public:
  virtual ~running_task() = default;
  virtual void stop(stop_reason why) = 0;
  // Suspends (`pause` true) or resumes the task, from runnerctl. Thread-safe.
  // Returns why it cannot, empty when the request is on its way. A paused
  // task's timeout keeps running.
  virtual std::string pause(bool pause) {
    (void)pause;
    return "its task type cannot be paused";
  }
};

class driver {
 public:
  virtual ~driver() = default;
  virtual std::string type() const = 0;
  // Process-backed tasks count against max_parallel; in-process ones do not.
  virtual bool process_backed() const = 0;
  // start() runs the task to its end before it returns, waiting for nothing:
  // the engine may hold such tasks back for a moment without losing any
  // parallelism (the supervisor keeps a few hundred alive at a time).
  virtual bool finishes_in_start() const { return false; }
  virtual void check_spec(const task_decl& task, const std::string& file,
                          diagnostics& out) const = 0;
  // What a task of this type does to produce the output `name`, for the
  // error when an export was not produced.
  virtual std::string output_hint(const std::string& name) const {
    return "write `" + name + "=<value>` to the file named by $OUTPUT_FILE";
  }
  virtual std::unique_ptr<running_task> start(task_invocation inv,
                                              std::shared_ptr<task_events> events) = 0;
};

}  // namespace runner
