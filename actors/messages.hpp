#pragma once
// Every message of the local engine protocol, in one place: the data types with
// their CAF inspect() overloads, the atoms, and the typed actor interfaces that
// say who accepts what. Task actors talk to each other (dep_done), to their
// supervisor (slots, reports) and to the group's observer (progress, logs).
#include <cstdint>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "drivers/cache/cache_store.hpp"
#include "drivers/driver.hpp"

namespace runner {

enum class task_status : uint8_t { pending, running, success, failed, skipped, cancelled };
const char* to_string(task_status s);

struct variable {
  std::string name;
  std::string value;
  bool confidential = false;
  bool global = false;  // scope: global -> listed in the group result
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, variable& x) {
  return f(caf::meta::type_name("variable"), x.name, x.value, x.confidential, x.global);
}

// A finished task, whatever its status. Sent once by each task actor.
struct task_report {
  std::string name;
  uint32_t index = 0;       // position of the task in the group document
  std::string run_id;
  task_status status = task_status::pending;
  std::string error;        // masked; empty on success
  bool has_exit_code = false;
  int exit_code = 0;
  bool infrastructure = false;  // the runner failed, not the task (exit code 3)
  std::vector<variable> exports;  // real values; masking happens at the edge
  std::string runner;       // node that ran it
  bool cached = false;
  int64_t started_at_ms = 0;  // unix epoch ms; 0 = never started
  int64_t duration_ms = 0;
  int attempts = 0;
  bool returns_slot = false;  // the task held a run slot; the report hands it back
  // The last attempt's start was never sent as `started` (it ended inside
  // its driver's start(), as in-process types do): observers show the start
  // first. Saves a message per task.
  bool start_untold = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_report& x) {
  return f(caf::meta::type_name("task_report"), x.name, x.index, x.run_id, x.status, x.error,
           x.has_exit_code, x.exit_code, x.infrastructure, x.exports, x.runner, x.cached,
           x.started_at_ms, x.duration_ms, x.attempts, x.returns_slot, x.start_untold);
}

// From a finished task to each task that waits for it; carries its exports.
struct dep_done {
  std::string from;
  task_status status = task_status::pending;
  std::vector<variable> exports;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dep_done& x) {
  return f(caf::meta::type_name("dep_done"), x.from, x.status, x.exports);
}

// One line a task printed, already masked.
struct log_line {
  std::string task;
  stream_kind stream = stream_kind::out;
  std::string text;
  // The line's share of its task's output window (drivers/output_flow.hpp),
  // held until the line is shown or handed on. Local only: not serialized.
  flow_ticket hold;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_line& x) {
  return f(caf::meta::type_name("log_line"), x.task, x.stream, x.text);
}

struct group_report {
  std::string id;
  task_status status = task_status::success;
  std::vector<task_report> results;  // document order
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_report& x) {
  return f(caf::meta::type_name("group_report"), x.id, x.status, x.results);
}


// What `runnerctl describe` shows of one task; answered by the supervisor for
// tasks not running and by the task actor itself for running ones.
struct task_view {
  std::string name;
  std::string type;
  std::string state;       // pending, queued, running, backing_off, success, ...
  std::string runner;
  int attempts = 0;
  int64_t started_at_ms = 0;
  int64_t duration_ms = 0;
  std::string error;       // masked
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_view& x) {
  return f(caf::meta::type_name("task_view"), x.name, x.type, x.state, x.runner, x.attempts,
           x.started_at_ms, x.duration_ms, x.error);
}


using run_atom = caf::atom_constant<caf::atom("run")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using acquire_atom = caf::atom_constant<caf::atom("acquire")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using granted_atom = caf::atom_constant<caf::atom("granted")>;
using started_atom = caf::atom_constant<caf::atom("started")>;
using output_atom = caf::atom_constant<caf::atom("output")>;
using seen_atom = caf::atom_constant<caf::atom("seen")>;
using finished_atom = caf::atom_constant<caf::atom("finished")>;
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using summary_atom = caf::atom_constant<caf::atom("summary")>;
using describe_atom = caf::atom_constant<caf::atom("describe")>;
using write_atom = caf::atom_constant<caf::atom("write")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
// Suspends (true) or resumes (false) a running task, from runnerctl.
using pause_atom = caf::atom_constant<caf::atom("pause")>;
using cache_atom = caf::atom_constant<caf::atom("cache")>;

// Sees a group's progress: the CLI's live view / log printer.
using observer_actor = caf::typed_actor<
    caf::reacts_to<started_atom, std::string, int>,  // task, attempt
    caf::reacts_to<log_line>,
    caf::reacts_to<task_report>,
    caf::reacts_to<tick_atom>,
    // The group ended (id, status): print the summary, flush, and go.
    caf::replies_to<summary_atom, std::string, task_status>::with<done_atom>>;

// Writes the console observer's text, in order, where writing may block
// (console_writer.hpp); `done` once everything is written and flushed.
using console_writer_actor = caf::typed_actor<
    caf::reacts_to<write_atom, std::string, std::vector<flow_ticket>>,
    caf::replies_to<done_atom>::with<done_atom>>;

// One per group: owns the task actors, hands out run slots, collects reports.
using supervisor_actor = caf::typed_actor<
    caf::replies_to<run_atom>::with<group_report>,
    caf::replies_to<acquire_atom>::with<granted_atom>,
    caf::reacts_to<release_atom>,
    caf::reacts_to<task_report>,
    caf::reacts_to<cancel_atom>,
    caf::replies_to<describe_atom>::with<std::vector<task_view>>,
    // task (empty: the only running one), pause? -> error, what was done
    caf::replies_to<pause_atom, std::string, bool>::with<std::string, std::string>>;

// A node's run slots, shared by its supervisors (see slot_pool.hpp).
using slot_pool_actor = caf::typed_actor<
    caf::replies_to<acquire_atom>::with<granted_atom>,
    caf::reacts_to<release_atom>>;

// One per task. The driver's events arrive as output/seen/finished.
using task_actor = caf::typed_actor<
    caf::reacts_to<dep_done>,
    caf::reacts_to<cancel_atom>,
    caf::reacts_to<output_atom, stream_kind, std::string, flow_ticket>,
    caf::reacts_to<seen_atom, std::map<std::string, std::string>>,
    caf::reacts_to<finished_atom, driver_result>,
    caf::reacts_to<timeout_atom, int>,  // attempt
    caf::reacts_to<retry_atom>,
    caf::reacts_to<cache_atom, cache::lookup_result>,  // the cache worker's answer
    caf::replies_to<describe_atom>::with<task_view>,
    caf::replies_to<pause_atom, bool>::with<std::string, std::string>>;  // error, done

// Registers the types above with an actor system config.
void add_message_types(caf::actor_system_config& cfg);

}  // namespace runner

// Driver events only ever travel inside one process, from the reactor to a
// task actor; they are never serialized. Nor are cache answers, from the
// cache worker's thread to a task actor.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(runner::driver_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(runner::flow_ticket)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<runner::flow_ticket>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(runner::cache::lookup_result)
