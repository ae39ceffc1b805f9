#pragma once
// The wire format between the runner and an external driver process
// (SPEC.md §6 "Custom drivers"), version 1: one JSON object per line, on the
// driver's stdin (runner → driver) and stdout (driver → runner); stderr is
// the driver's own log. Modelled on Nomad's task driver plugins, reduced.
//
//   runner → driver                          driver → runner
//   {"type":"handshake","protocol":1,        {"type":"handshake","protocol":1,
//    "runner":"node-a"}                       "task_types":["t"],"name":"d",
//                                             "version":"1.2","capabilities":
//                                             {"pause":true,"max_tasks":8}}
//   {"type":"exec","id":R,"task":N,          {"type":"log","id":R,
//    "task_type":T,"group":G,"attempt":1,     "stream":"stdout","line":"..."}
//    "spec":{...},"imports":{"a.b":"v"},     {"type":"outputs","id":R,
//    "confidential":["a.b"]}                  "outputs":{"k":"v"}}
//   {"type":"signal","id":R,                 {"type":"result","id":R,
//    "signal":"pause"|"start"|"destroy"}      "status":"success"|"failed",
//   {"type":"shutdown"}                       "outputs":{...},"error":"...",
//                                             "exit_code":3,"secret_outputs":[...]}
//
// `exec` starts a task; `pause` suspends it and `start` resumes it; `destroy`
// ends it, after which the driver still answers with its `result`. Several
// tasks run at once, told apart by `id` (the task run's id). `outputs` are
// the outputs known while the task runs (so that a confidential one is masked
// before the driver logs it). Pure: no I/O; the driver host does the pipes.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "drivers/driver.hpp"

namespace runner::ext {

constexpr int protocol_version = 1;

// ---- runner → driver

struct exec_request {
  std::string id;  // the task run's id: every later message about it carries it
  std::string task;
  std::string task_type;
  std::string group;
  int attempt = 1;
  nlohmann::json spec;                         // templates already resolved
  std::map<std::string, std::string> imports;  // "task.variable" -> value
  std::vector<std::string> confidential;       // which imports are secrets
};

enum class signal_kind { start, pause, destroy };

std::string encode_handshake(const std::string& runner_name);
std::string encode_exec(const exec_request& r);
std::string encode_signal(const std::string& id, signal_kind s);
std::string encode_shutdown();
// Each ends with "\n".

// ---- driver → runner

struct handshake_reply {
  int protocol = 0;
  std::vector<std::string> task_types;
  std::string name, version;  // for messages; may be empty
  bool can_pause = false;     // capabilities.pause
  size_t max_tasks = 0;       // capabilities.max_tasks; 0 = no limit of its own
};

struct log_message {
  std::string id;
  stream_kind stream = stream_kind::out;
  std::string line;
};

struct outputs_message {
  std::string id;
  std::map<std::string, std::string> outputs;
};

struct result_message {
  std::string id;
  bool success = false;
  std::map<std::string, std::string> outputs;
  std::string error;
  std::optional<int> exit_code;
  std::vector<std::string> secret_outputs;
};

using driver_message = std::variant<handshake_reply, log_message, outputs_message, result_message>;

struct decoded_message {
  std::optional<driver_message> message;
  // When there is no message: what is wrong with the line, without quoting
  // it (it may hold a secret) — its length, the JSON error's position, the
  // field at fault.
  std::string error;
  // When there is no message but the line was an object with a string `id`:
  // that id, so a malformed message about one task fails only that task.
  std::string id;
};

// `max_bytes`: a longer line is refused before it is parsed.
decoded_message decode_driver_line(std::string_view line, size_t max_bytes);

}  // namespace runner::ext
