#include "drivers/os_exec.hpp"
#include "drivers/spec_problems.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "drivers/child_environment.hpp"
#include "drivers/output_file.hpp"
#include "drivers/signal_name.hpp"
#include "schema/spec_envs.hpp"
#include "schema/suggest.hpp"

namespace runner {

namespace {

const std::set<std::string> spec_fields{"command", "envs", "working_dir", "inherit_env",
                                        "shell"};

std::string read_small_file(const std::string& path, size_t limit, std::string& error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT)
      error = "cannot read OUTPUT_FILE: " + std::string(std::strerror(errno));
    return {};
  }
  struct stat st;
  fstat(fd, &st);
  if (static_cast<size_t>(st.st_size) > limit) {
    close(fd);
    std::ostringstream msg;
    msg << "OUTPUT_FILE is " << st.st_size << " bytes, over the limit of " << limit
        << " bytes for all outputs of a task";
    error = msg.str();
    return {};
  }
  std::string data(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = read(fd, &data[got], data.size() - got);
    if (n <= 0)
      break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  close(fd);
  return data;
}

// Shared between the caller's thread and the reactor; only touched on the
// reactor thread after construction.
struct exec_state {
  bool started = false;
  bool stop_requested = false;
  reactor::process_id id = 0;
};

// One run of one task, living on the reactor thread from spawn to exit.
class exec_run : public process_listener {
 public:
  exec_run(std::shared_ptr<task_events> events, std::string output_file, output_limits limits,
           std::shared_ptr<exec_state> state)
      : events_(std::move(events)),
        output_file_(std::move(output_file)),
        limits_(limits),
        state_(std::move(state)) {}

  void on_output(stream_kind stream, std::string_view data, const flow_ticket& ticket) override {
    // The task wrote OUTPUT_FILE before it printed this, so a confidential
    // value it just produced is known before the line that shows it.
    // Size and modification time together: a task may rewrite the file with
    // a new value of the same length.
    struct stat st;
    if (stat(output_file_.c_str(), &st) == 0 &&
        (st.st_size != seen_size_ || st.st_mtim.tv_sec != seen_mtime_.tv_sec ||
         st.st_mtim.tv_nsec != seen_mtime_.tv_nsec || st.st_ino != seen_inode_)) {
      seen_size_ = st.st_size;
      seen_mtime_ = st.st_mtim;
      seen_inode_ = st.st_ino;
      std::string err;
      auto text = read_small_file(output_file_, file_limit(), err);
      auto parsed = parse_output_file(text, limits_, false);
      if (!parsed.values.empty())
        events_->outputs_seen(std::move(parsed.values));
    }
    events_->output(stream, std::string(data), ticket);
  }

  void on_exit(const process_exit& how) override {
    driver_result r;
    // stop() ran on this thread before the exit was seen, so it hit the process.
    r.stopped = state_->stop_requested;
    std::string file_error;
    auto text = read_small_file(output_file_, file_limit(), file_error);
    unlink(output_file_.c_str());  // ENOENT when the task wrote no outputs
    auto parsed = parse_output_file(text, limits_, true);
    r.outputs = std::move(parsed.values);
    if (!how.spawn_error.empty()) {
      r.error = how.spawn_error;
    } else if (how.signal) {
      r.error = "killed by " + signal_name(*how.signal);
    } else if (how.exit_code && *how.exit_code != 0) {
      r.exit_code = how.exit_code;
      r.error = "exit status " + std::to_string(*how.exit_code);
    } else {
      r.exit_code = 0;
      if (!file_error.empty())
        r.error = file_error;
      else if (parsed.error)
        r.error = *parsed.error;
      else
        r.success = true;
    }
    events_->finished(std::move(r));
  }

 private:
  size_t file_limit() const {
    // Room for names and delimiters on top of the values themselves.
    return limits_.total_bytes + limits_.total_bytes / 4 + 4096;
  }

  std::shared_ptr<task_events> events_;
  std::string output_file_;
  output_limits limits_;
  std::shared_ptr<exec_state> state_;
  off_t seen_size_ = 0;
  timespec seen_mtime_{};
  ino_t seen_inode_ = 0;
};

class exec_handle : public running_task {
 public:
  exec_handle(reactor& r, std::shared_ptr<exec_state> st, std::chrono::milliseconds grace)
      : reactor_(r), state_(std::move(st)), grace_(grace) {}

  void stop(stop_reason) override {
    auto st = state_;
    auto& r = reactor_;
    auto grace = grace_;
    reactor_.post([&r, st, grace] {
      st->stop_requested = true;
      if (st->started)
        r.terminate(st->id, grace);
    });
  }

  // SIGSTOP/SIGCONT to the task's processes, as a shell's job control does.
  std::string pause(bool pause) override {
    auto st = state_;
    auto& r = reactor_;
    reactor_.post([&r, st, pause] {
      if (st->started && !st->stop_requested)
        r.suspend(st->id, pause);
    });
    return {};
  }

 private:
  reactor& reactor_;
  std::shared_ptr<exec_state> state_;
  std::chrono::milliseconds grace_;
};

}  // namespace

os_exec_driver::os_exec_driver(reactor& r, std::chrono::milliseconds grace)
    : reactor_(r), grace_(grace) {}

os_exec_driver::~os_exec_driver() {
  if (!scratch_.empty())
    rmdir(scratch_.c_str());
}

const std::string& os_exec_driver::scratch_dir() {
  if (scratch_.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/runner-XXXXXX";
    if (mkdtemp(tmpl.data()))
      scratch_ = tmpl;
  }
  return scratch_;
}

std::vector<std::string> os_exec_environment(const json& spec, const std::string& output_file) {
  bool inherit = spec.contains("inherit_env") && spec["inherit_env"].is_boolean() &&
                 spec["inherit_env"].get<bool>();
  auto env = base_child_environment(inherit);
  for (auto& [k, v] : spec_envs(spec))
    env[k] = v;
  env["OUTPUT_FILE"] = output_file;
  return environment_entries(env);
}

std::unique_ptr<running_task> os_exec_driver::start(task_invocation inv,
                                                    std::shared_ptr<task_events> events) {
  auto state = std::make_shared<exec_state>();
  reactor_.post([this, inv = std::move(inv), events, state]() mutable {
    if (state->stop_requested) {
      driver_result r;
      r.error = "stopped before it started";
      r.stopped = true;
      events->finished(std::move(r));
      return;
    }
    const auto& dir = scratch_dir();
    if (dir.empty()) {
      driver_result r;
      r.error = "cannot create a scratch directory for OUTPUT_FILE: " +
                std::string(std::strerror(errno));
      r.infrastructure = true;
      events->finished(std::move(r));
      return;
    }
    // Not created in advance: most tasks write no outputs, and creating and
    // unlinking a file per task is measurable on a disk filesystem. The
    // directory is private (mkdtemp, 0700), so nobody else can plant it.
    std::string output_file = dir + "/" + inv.run_id + ".out";
    process_spec ps;
    const auto& spec = inv.spec;
    const auto& cmd = spec["command"];
    if (cmd.is_string()) {
      std::string shell = spec.contains("shell") && spec["shell"].is_string()
                              ? spec["shell"].get<std::string>()
                              : "/bin/sh";
      ps.argv = {shell, "-c", cmd.get<std::string>()};
    } else {
      for (auto& a : cmd)
        ps.argv.push_back(spec_scalar_text(a));
    }
    ps.env = os_exec_environment(spec, output_file);
    if (spec.contains("working_dir") && spec["working_dir"].is_string())
      ps.working_dir = spec["working_dir"].get<std::string>();
    auto run = std::make_shared<exec_run>(events, output_file, inv.limits, state);
    state->id = reactor_.spawn(ps, run);
    state->started = true;
  });
  return std::make_unique<exec_handle>(reactor_, state, grace_);
}

void os_exec_driver::check_spec(const task_decl& task, const std::string& file,
                                diagnostics& out) const {
  check_os_exec_spec(task, file, out);
}

void check_os_exec_spec(const task_decl& task, const std::string& file, diagnostics& out) {
  spec_problems problems(task, file, out);
  const auto& spec = task.spec;
  if (!spec.is_object()) {
    problems.report("", "os_exec needs a `spec` mapping with a `command`",
           "spec: {command: \"echo hello\"}");
    return;
  }
  for (auto& [key, value] : spec.items()) {
    if (!spec_fields.count(key)) {
      auto guess = closest_match(key, {spec_fields.begin(), spec_fields.end()});
      problems.report("/" + key, "unknown os_exec field `" + key + "`",
             guess.empty() ? "os_exec takes command, envs, working_dir, inherit_env, shell"
                           : "did you mean `" + guess + "`?");
    }
  }
  if (!spec.contains("command")) {
    problems.report("", "os_exec needs `command`",
           "a string run by /bin/sh -c, or a list exec'd directly: [\"/bin/echo\", \"hi\"]");
  } else {
    const auto& cmd = spec["command"];
    if (cmd.is_string()) {
      if (cmd.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos)
        problems.report("/command", "`command` is empty", "give the shell command to run");
    } else if (cmd.is_array()) {
      if (cmd.empty())
        problems.report("/command", "`command` is an empty list", "list the program and its arguments");
      for (size_t i = 0; i < cmd.size(); ++i)
        if (cmd[i].is_object() || cmd[i].is_array() || cmd[i].is_null())
          problems.report("/command/" + std::to_string(i), "`command` items must be strings",
                 "quote the item");
      if (!cmd.empty() && cmd[0].is_string() && cmd[0].get<std::string>().empty())
        problems.report("/command/0", "the program name is empty", "name the program to run");
    } else {
      problems.report("/command", "`command` must be a string or a list of strings",
             "command: \"echo hi\"  or  command: [\"/bin/echo\", \"hi\"]");
    }
  }
  if (spec.contains("envs")) {
    const auto& envs = spec["envs"];
    auto check_pair = [&](const std::string& pointer, const std::string& k, const json& v) {
      if (k.empty() || k.find('=') != std::string::npos || k.find('\0') != std::string::npos)
        problems.report(pointer, "environment variable name `" + k + "` is not valid",
               "names may not be empty or contain `=`");
      if (v.is_object() || v.is_array())
        problems.report(pointer, "environment variable `" + k + "` must have a scalar value",
               "quote the value");
    };
    if (envs.is_object()) {
      for (auto& [k, v] : envs.items())
        check_pair("/envs/" + k, k, v);
    } else if (envs.is_array()) {
      for (size_t i = 0; i < envs.size(); ++i) {
        const auto& item = envs[i];
        if (!item.is_object() || item.size() != 1) {
          problems.report("/envs/" + std::to_string(i), "each `envs` list item must be one `NAME: value`",
                 "envs: [{FOO: bar}, {BAZ: qux}]  or  envs: {FOO: bar, BAZ: qux}");
          continue;
        }
        for (auto& [k, v] : item.items())
          check_pair("/envs/" + std::to_string(i) + "/" + k, k, v);
      }
    } else {
      problems.report("/envs", "`envs` must be a mapping or a list of one-key mappings",
             "envs: {FOO: bar}");
    }
  }
  if (spec.contains("working_dir") &&
      (!spec["working_dir"].is_string() || spec["working_dir"].get<std::string>().empty()))
    problems.report("/working_dir", "`working_dir` must be a non-empty path", "working_dir: /tmp");
  if (spec.contains("inherit_env") && !spec["inherit_env"].is_boolean())
    problems.report("/inherit_env", "`inherit_env` must be true or false", "inherit_env: true");
  if (spec.contains("shell") &&
      (!spec["shell"].is_string() || spec["shell"].get<std::string>().empty()))
    problems.report("/shell", "`shell` must name an interpreter", "shell: /bin/bash");
}

}  // namespace runner
