#pragma once
// GitHub Actions workflow commands in an action's output, one line at a time,
// as GitHub's runner handles them (actions/runner ActionCommand.cs and
// ActionCommandManager.cs): `::name k=v,k=v::data`, the legacy
// `##[name k=v;k=v]data` (still parsed by the runner), stop-commands, echo, and
// the runner's exact log texts and errors. Pure: no I/O. The caller feeds
// every stdout and stderr line (unmasked, already split), registers `masks`
// before it shows anything else, shows `log` through the masker, keeps
// outputs/state, and fails the step when `failure` is set.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace runner::gh {

// What the runner reads from the step's environment and variables.
struct command_options {
  bool step_debug = false;                  // ACTIONS_STEP_DEBUG: debug shown, echo on
  bool allow_unsecure_commands = false;     // ACTIONS_ALLOW_UNSECURE_COMMANDS
  bool allow_unsecure_stop_tokens = false;  // ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS
  std::string workspace;                    // GITHUB_WORKSPACE: annotation files relative to it
};

// The four variables above, read the way the runner reads each of them.
command_options command_options_from(const std::map<std::string, std::string>& vars);

// An error, warning or notice: GitHub's annotation.
struct annotation {
  std::string level;  // "error", "warning" or "notice"
  std::string message;
  // As written, after the runner's consistency rules; empty = not given.
  std::string title, file, line, end_line, col, end_column;
};

struct named_value {
  std::string name, value;
};

struct command_result {
  std::vector<std::string> log;      // lines to show, in order (often the input line itself)
  std::vector<std::string> masks;    // secrets from now on, this line's log included
  std::optional<named_value> output;  // set-output
  std::optional<named_value> state;   // save-state
  std::optional<named_value> env;     // set-env, only when allowed
  std::optional<std::string> path;    // add-path, only when allowed
  std::optional<annotation> issue;    // error, warning, notice
  std::string failure;                // not empty: the step fails, with this message
};

struct command_line;  // a line that names a command (workflow_commands.cpp)

// One per step: echo and stop-commands are state of the step's output.
class workflow_commands {
 public:
  explicit workflow_commands(command_options options = {});
  command_result process(std::string_view line);
  bool stopped() const { return stopped_; }

 private:
  command_result run(std::string_view line, const command_line& cmd);

  command_options options_;
  bool echo_;
  bool stopped_ = false;
  std::string stop_token_;
};

// GitHub's texts, for callers and tests.
std::string disabled_command_message(std::string_view command);    // set-env, add-path
std::string deprecated_command_message(std::string_view command);  // set-output, save-state
extern const char* const stop_token_refused_message;

}  // namespace runner::gh
