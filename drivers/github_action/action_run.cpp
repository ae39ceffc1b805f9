#include "drivers/github_action/action_run.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "drivers/github_action/action_context.hpp"
#include "drivers/github_action/action_ref.hpp"
#include "drivers/github_action/file_commands.hpp"
#include "drivers/github_action/shell_command.hpp"
#include "drivers/child_environment.hpp"
#include "drivers/program_path.hpp"
#include "schema/uuid.hpp"

namespace runner::gh {

namespace {

// GitHub's runner refuses composite actions nested deeper than this.
constexpr int kMaxDepth = 10;

std::string runner_env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

bool write_file(const std::string& path, const std::string& content, std::string& error) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      error = "cannot write " + path + ": " + std::strerror(errno);
      close(fd);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return true;
}


bool is_dir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The Node.js binary: `name` on the runner's PATH, or as given with a '/'.
std::string find_node(const std::string& name) {
  std::string found = find_program(name, runner_env("PATH", "/usr/local/bin:/usr/bin:/bin"));
  return !found.empty() && access(found.c_str(), X_OK) == 0 && !is_dir(found) ? found
                                                                              : std::string();
}

const char* status_word(bool success) { return success ? "success" : "failure"; }

// What "Run ..." shows of a script: its first line. A value that line masks
// with ::add-mask:: is not masked yet when the header shows, so it is cut.
std::string first_line(const std::string& s) {
  size_t start = s.find_first_not_of(" \t\r\n");
  if (start == std::string::npos)
    return {};
  size_t end = s.find('\n', start);
  std::string line = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
  size_t mask = line.find("::add-mask::");
  if (mask != std::string::npos)
    line = line.substr(0, mask) + "::add-mask::***";
  return end != std::string::npos && s.find_first_not_of(" \t\r\n", end) != std::string::npos
             ? line + " ..."
             : line;
}

// Names compared as GitHub compares input names: ignoring ASCII case.
bool same_name(const std::string& a, const std::string& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Every value of `in` with its `${{ }}` evaluated into `out`; false, and
// `error` naming the entry ("with.name: expression at 1:5: ..."), at the first
// that fails.
bool interpolate_all(const std::map<std::string, std::string>& in, const eval_context& ctx,
                     const std::string& what, std::map<std::string, std::string>& out,
                     std::string& error) {
  for (auto& [k, v] : in) {
    auto t = interpolate(v, ctx);
    if (!t.ok()) {
      error = what + "." + k + ": " + t.error->format();
      return false;
    }
    out[k] = std::move(t.text);
  }
  return true;
}

}  // namespace

struct action_run::frame {
  std::string uses;  // as written, for messages
  std::string id;    // GITHUB_ACTION
  std::map<std::string, std::string> with;  // evaluated
  std::map<std::string, std::string> env;   // the env of the steps that led here
  int depth = 0;
  // Found and read.
  std::string dir, repository, ref;
  action_manifest m;
  std::map<std::string, std::string> inputs;  // declared name -> value
  std::map<std::string, std::string> state;   // GITHUB_STATE, for its later stages
  bool post_registered = false;
  std::map<std::string, std::string> outputs;
  // Composite.
  size_t next = 0;
  nlohmann::json steps = nlohmann::json::object();
  bool failed = false;
  std::string error;
  std::optional<int> exit_code;
  bool infrastructure = false;
  int unnamed = 0;
};

action_run::action_run(action_run_setup setup, task_invocation inv,
                       std::shared_ptr<task_events> events)
    : setup_(std::move(setup)), inv_(std::move(inv)) {
  spec_ = read_action_task_spec(inv_.spec);
  log_ = std::make_shared<action_log>(std::move(events), inv_.secrets, inv_.mask_patterns);
}

action_run::~action_run() {
  std::error_code ec;
  if (!temp_.empty())
    std::filesystem::remove_all(temp_, ec);
}

bool action_run::prepare_temp(std::string& error) {
  std::string tmpl = runner_env("TMPDIR", "/tmp") + std::string("/runner-action-XXXXXX");
  if (!mkdtemp(tmpl.data())) {
    error = "cannot create RUNNER_TEMP: " + std::string(std::strerror(errno));
    return false;
  }
  temp_ = tmpl;
  std::string workflow_dir = temp_ + "/_github_workflow";
  if (mkdir(workflow_dir.c_str(), 0700) != 0) {
    error = "cannot create " + workflow_dir + ": " + std::strerror(errno);
    return false;
  }
  return write_file(workflow_dir + "/event.json", "{}\n", error);
}

// Everything here runs on the reactor thread, where an exception would end
// the runner: a bug fails this task instead.
void action_run::guarded(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    frame_result r;
    r.error = std::string("internal error in the github_action driver: ") + e.what();
    finish(std::move(r));
  }
}

void action_run::start() {
  guarded([this] { begin(); });
}

void action_run::begin() {
  if (spec_.workspace.empty()) {
    char buf[4096];
    workspace_ = getcwd(buf, sizeof buf) ? buf : ".";
  } else {
    workspace_ = spec_.workspace;
  }
  std::string error;
  if (!is_dir(workspace_)) {
    frame_result r;
    r.error = "workspace " + workspace_ + " is not a directory";
    finish(std::move(r));
    return;
  }
  if (!prepare_temp(error)) {
    frame_result r;
    r.error = error;
    finish(std::move(r));
    return;
  }
  run_facts facts{inv_.group_id, inv_.task_name, inv_.run_id, inv_.attempt, workspace_,
                  temp_ + "/_github_workflow/event.json"};
  github_ = make_github_context(spec_, facts);
  runner_ = make_runner_context(setup_.node_name, temp_, setup_.tool_cache);

  // The task's own `env:` and `with:` see github, runner and (for `with:`)
  // the env they make, as a workflow step's do.
  auto root = std::make_shared<frame>();
  root->uses = spec_.uses;
  root->id = inv_.task_name;
  std::string problem;
  if (!interpolate_all(spec_.env, contexts_of(*root, {}, run_status::success), "env", task_env_,
                       problem)) {
    frame_result r;
    r.error = problem;
    finish(std::move(r));
    return;
  }
  root->env = task_env_;
  if (!interpolate_all(spec_.with, contexts_of(*root, {}, run_status::success), "with",
                       root->with, problem)) {
    frame_result r;
    r.error = problem;
    finish(std::move(r));
    return;
  }
  auto self = shared_from_this();
  run_action(root, [self](frame_result r) { self->main_finished(std::move(r)); });
}

void action_run::stop() {
  if (finished_ || stopped_)
    return;
  stopped_ = true;
  if (running_) {
    setup_.r->terminate(current_, setup_.grace);
    return;  // ends when the process has
  }
  frame_result r;
  r.error = "stopped";
  finish(std::move(r));
}

// ---- finding and reading the action

void action_run::run_action(std::shared_ptr<frame> f, frame_done done) {
  auto parsed = parse_action_ref(f->uses, workspace_);
  if (!parsed.ok) {
    frame_result r;
    r.error = parsed.error;
    done(std::move(r));
    return;
  }
  const action_ref& ref = parsed.ref;
  if (ref.kind == uses_kind::docker) {
    frame_result r;
    r.error = "`" + f->uses + "` runs a container image, and no container engine configured on "
              "this runner: use a node or composite action";
    done(std::move(r));
    return;
  }
  if (ref.kind == uses_kind::local) {
    action_found(std::move(f), ref.path, std::move(done));
    return;
  }
  f->repository = ref.owner + "/" + ref.repo;
  f->ref = ref.ref;
  auto self = shared_from_this();
  setup_.store->resolve(ref, [self, f, done](action_resolution res) {
    if (self->finished_)
      return;
    self->guarded([&] {
      if (!res.ok) {
        frame_result r;
        r.error = "cannot get " + f->uses + ": " + res.error;
        done(std::move(r));
        return;
      }
      self->action_found(f, res.action_dir, done);
    });
  });
}

void action_run::action_found(std::shared_ptr<frame> f, std::string dir, frame_done done) {
  f->dir = std::move(dir);
  auto loaded = load_action_manifest(f->dir);
  if (!loaded.manifest) {
    frame_result r;
    r.error = loaded.error;
    done(std::move(r));
    return;
  }
  f->m = std::move(*loaded.manifest);
  if (f->m.runs.kind == action_kind::docker) {
    frame_result r;
    r.error = "`" + f->uses + "` is a docker action (runs.using: docker in " + f->m.file +
              "), and no container engine configured on this runner: use a node or composite "
              "action";
    done(std::move(r));
    return;
  }
  std::string problem = settle_inputs(*f);
  if (!problem.empty()) {
    frame_result r;
    r.error = problem;
    done(std::move(r));
    return;
  }
  if (f->m.runs.kind == action_kind::node)
    run_node(std::move(f), std::move(done));
  else
    next_step(std::move(f), std::move(done));
}

// Inputs as GitHub's runner settles them: each declared input from `with:`,
// else its evaluated default, else "". Unlike GitHub, a `required` input
// with neither is refused before anything runs (GitHub leaves it to the
// action, which usually fails half-way).
std::string action_run::settle_inputs(frame& f) {
  std::vector<std::string> missing, unexpected;
  std::string problem;
  for (const action_input& in : f.m.inputs) {
    auto given = std::find_if(f.with.begin(), f.with.end(),
                              [&](auto& kv) { return same_name(kv.first, in.name); });
    if (given != f.with.end()) {
      f.inputs[in.name] = given->second;
      if (!in.deprecation_message.empty())
        log_->show("##[warning]Input '" + in.name + "' has been deprecated with message: " +
                   in.deprecation_message);
      continue;
    }
    if (in.default_value) {
      auto t = interpolate(*in.default_value, contexts_of(f, {}, run_status::success));
      if (!t.ok()) {
        if (problem.empty())
          problem = f.m.file + ": the default of input '" + in.name + "': " + t.error->format();
        continue;
      }
      f.inputs[in.name] = t.text;
      continue;
    }
    f.inputs[in.name] = "";
    if (in.required)
      missing.push_back(in.name);
  }
  if (!missing.empty()) {
    std::string names;
    for (auto& n : missing)
      names += (names.empty() ? "'" : ", '") + n + "'";
    return (missing.size() == 1 ? "input " + names + " is required by "
                                : "inputs " + names + " are required by ") +
           f.uses + " (" + f.m.file + ") and " + (missing.size() == 1 ? "has" : "have") +
           " no default: give " + (missing.size() == 1 ? "it" : "them") + " under `with:`";
  }
  if (!problem.empty())
    return problem;
  for (auto& entry : f.with) {
    const std::string& k = entry.first;  // a lambda cannot capture a structured binding in C++17
    if (std::none_of(f.m.inputs.begin(), f.m.inputs.end(),
                     [&](const action_input& in) { return same_name(in.name, k); }))
      unexpected.push_back(k);
  }
  // GitHub warns, then passes them on all the same: many action.yml files
  // do not declare every input their code reads.
  for (const std::string& k : unexpected)
    f.inputs[k] = f.with[k];
  if (!unexpected.empty()) {
    std::string got, valid;
    for (auto& n : unexpected)
      got += (got.empty() ? "'" : ", '") + n + "'";
    for (auto& in : f.m.inputs)
      valid += (valid.empty() ? "'" : ", '") + in.name + "'";
    log_->show("##[warning]Unexpected input(s) " + got + ", valid inputs are [" + valid + "]");
  }
  return {};
}

// ---- node actions

void action_run::run_node(std::shared_ptr<frame> f, frame_done done) {
  auto self = shared_from_this();
  // GitHub registers the post stage once pre or main starts: it runs even
  // when they fail (post-if defaults to always()), to clean up after them.
  auto register_post = [self, f] {
    if (!f->m.runs.post.empty() && !f->post_registered) {
      f->post_registered = true;
      self->posts_.push_back({f});
    }
  };
  auto main = [self, f, done, register_post] {
    register_post();
    self->run_node_stage(f, "main", [self, f, done](step_outcome o) {
      frame_result r;
      r.success = o.success;
      r.exit_code = o.exit_code;
      r.error = o.error;
      r.infrastructure = o.infrastructure;
      r.outputs = std::move(o.outputs);
      done(std::move(r));
    });
  };
  if (f->m.runs.pre.empty()) {
    main();
    return;
  }
  auto cond = evaluate_condition(f->m.runs.pre_if, contexts_of(*f, {}, run_status::success));
  if (!cond.ok()) {
    frame_result r;
    r.error = f->m.file + ": `pre-if`: " + cond.error->format();
    done(std::move(r));
    return;
  }
  if (!cond.run) {
    main();
    return;
  }
  log_->show("Pre " + f->uses);
  register_post();
  run_node_stage(f, "pre", [f, done, main](step_outcome o) {
    if (o.success) {
      main();
      return;
    }
    frame_result r;
    r.exit_code = o.exit_code;
    r.infrastructure = o.infrastructure;
    r.error = "pre step of " + f->uses + " failed: " + o.error;
    done(std::move(r));
  });
}

void action_run::run_node_stage(std::shared_ptr<frame> f, const std::string& stage,
                                std::function<void(step_outcome)> done) {
  const action_runs& runs = f->m.runs;
  const std::string& file = stage == "pre" ? runs.pre : stage == "post" ? runs.post : runs.main;
  std::string node = find_node(setup_.node);
  if (node.empty()) {
    step_outcome o;
    o.error = "`" + setup_.node + "` not found: " + f->uses + " (runs.using: " + runs.using_ +
              ") needs Node.js; install it (apt-get install nodejs) or set `actions.node` in "
              "the runner config";
    o.infrastructure = true;
    done(std::move(o));
    return;
  }
  step_files files = create_step_files(temp_ + "/_runner_file_commands");
  if (!files.ok) {
    step_outcome o;
    o.error = files.error;
    done(std::move(o));
    return;
  }
  process_spec ps;
  ps.argv = {node, f->dir + "/" + file};
  ps.working_dir = workspace_;
  auto env = process_env(*f, {}, files, true);
  auto self = shared_from_this();
  spawn(std::move(ps), env, std::move(files), false, f->depth == 0, [self, f, done](step_outcome o) {
    for (auto& [k, v] : o.state)
      f->state[k] = v;
    done(std::move(o));
  });
}

// ---- composite actions

// The next step starts from the reactor's loop, not from inside the one
// before: a composite whose steps end at once (skipped, refused) would
// otherwise recurse once per step.
void action_run::next_step_later(std::shared_ptr<frame> f, frame_done done) {
  auto self = shared_from_this();
  setup_.r->post([self, f, done] {
    if (!self->finished_)
      self->guarded([&] { self->next_step(f, done); });
  });
}

void action_run::next_step(std::shared_ptr<frame> f, frame_done done) {
  const auto& steps = f->m.runs.steps;
  if (f->next == steps.size()) {
    finish_composite(std::move(f), std::move(done));
    return;
  }
  const size_t index = f->next++;
  const composite_step& step = steps[index];
  auto fail_step = [&](std::string error) {
    log_->show("##[error]" + error);
    frame_result r;
    r.error = error;
    step_finished(f, index, false, std::move(r), done);
  };
  run_status status = f->failed ? run_status::failure : run_status::success;
  auto cond = evaluate_condition(step.if_condition, contexts_of(*f, {}, status));
  if (!cond.ok()) {
    fail_step("`if`: " + cond.error->format());
    return;
  }
  if (!cond.run) {
    if (!step.id.empty())
      f->steps[step.id] = {{"outputs", nlohmann::json::object()},
                           {"outcome", "skipped"},
                           {"conclusion", "skipped"}};
    next_step_later(std::move(f), std::move(done));
    return;
  }
  // The step's env is evaluated first; the rest sees it.
  std::map<std::string, std::string> step_env;
  std::string problem;
  if (!interpolate_all(step.env, contexts_of(*f, {}, status), "env", step_env, problem)) {
    fail_step(problem);
    return;
  }
  json_context ctx = contexts_of(*f, step_env, status);
  bool continue_on_error = false;
  if (!step.continue_on_error.empty()) {
    auto v = interpolate(step.continue_on_error, ctx);
    if (!v.ok()) {
      fail_step("continue-on-error: " + v.error->format());
      return;
    }
    continue_on_error = v.text == "true";
  }
  auto self = shared_from_this();
  auto finished = [self, f, index, continue_on_error, done](frame_result r) {
    self->step_finished(f, index, continue_on_error, std::move(r), done);
  };
  if (!step.uses.empty()) {
    if (f->depth + 1 >= kMaxDepth) {
      fail_step("composite actions nest deeper than " +
                std::to_string(kMaxDepth) + " levels");
      return;
    }
    auto child = std::make_shared<frame>();
    child->uses = step.uses;
    if (step.id.empty()) {
      // GitHub's generated name for an unnamed `uses:` step: __owner_repo.
      child->id = "__";
      for (char c : step.uses.substr(0, step.uses.find('@')))
        child->id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    } else {
      child->id = step.id;
    }
    child->depth = f->depth + 1;
    child->env = f->env;
    for (auto& [k, v] : step_env)
      child->env[k] = v;
    if (!interpolate_all(step.with, ctx, "with", child->with, problem)) {
      fail_step(problem);
      return;
    }
    run_action(child, std::move(finished));
    return;
  }
  auto script = interpolate(step.run, ctx);
  if (!script.ok()) {
    fail_step("run: " + script.error->format());
    return;
  }
  auto shell_text = interpolate(step.shell, ctx);
  shell_command shell = parse_shell(shell_text.ok() ? shell_text.text : step.shell);
  if (!shell.ok) {
    fail_step(shell.error);
    return;
  }
  std::string error;
  std::string script_file = temp_ + "/" + make_uuid() + shell.extension;
  if (!write_file(script_file, shell.prologue + script.text + shell.epilogue, error)) {
    fail_step(error);
    return;
  }
  std::string cwd = workspace_;
  if (!step.working_directory.empty()) {
    auto wd = interpolate(step.working_directory, ctx);
    if (!wd.ok()) {
      fail_step("working-directory: " + wd.error->format());
      return;
    }
    cwd = !wd.text.empty() && wd.text[0] == '/' ? wd.text : workspace_ + "/" + wd.text;
  }
  step_files files = create_step_files(temp_ + "/_runner_file_commands");
  if (!files.ok) {
    fail_step(files.error);
    return;
  }
  log_->show("Run " + first_line(script.text));
  process_spec ps;
  ps.argv = shell_argv(shell, script_file);
  ps.working_dir = cwd;
  std::string previous_id = f->id;
  f->id = step.id.empty() ? "__run" + (f->unnamed++ ? "_" + std::to_string(f->unnamed) : "")
                          : step.id;
  auto env = process_env(*f, step_env, files, false);
  f->id = previous_id;
  spawn(std::move(ps), env, std::move(files), true, false,
        [finished, script_file](step_outcome o) {
          unlink(script_file.c_str());
          frame_result r;
          r.success = o.success;
          r.exit_code = o.exit_code;
          r.error = o.error;
          r.outputs = std::move(o.outputs);
          finished(std::move(r));
        });
}

void action_run::step_finished(std::shared_ptr<frame> f, size_t index, bool continue_on_error,
                               frame_result r, frame_done done) {
  const composite_step& step = f->m.runs.steps[index];
  const char* outcome = status_word(r.success);
  const char* conclusion = status_word(r.success || continue_on_error);
  if (!step.id.empty()) {
    nlohmann::json outputs = nlohmann::json::object();
    for (auto& [k, v] : r.outputs)
      outputs[k] = v;
    f->steps[step.id] = {{"outputs", outputs}, {"outcome", outcome}, {"conclusion", conclusion}};
  }
  if (!r.success && !continue_on_error && !f->failed) {
    f->failed = true;
    std::string label = !step.id.empty()     ? "`" + step.id + "`"
                        : !step.name.empty() ? "`" + step.name + "`"
                                             : "#" + std::to_string(index + 1);
    f->error = "step " + label + " of " + f->uses + " failed: " + r.error;
    f->exit_code = r.exit_code;
    f->infrastructure = r.infrastructure;
  }
  if (f->depth == 0)
    tell_composite_outputs(*f);
  next_step_later(std::move(f), std::move(done));
}

// The task's outputs as far as the steps so far make them, before the next
// step can print one: a confidential export is masked from then on.
void action_run::tell_composite_outputs(const frame& f) {
  std::map<std::string, std::string> known;
  json_context ctx = contexts_of(f, {}, f.failed ? run_status::failure : run_status::success);
  for (const action_output& o : f.m.outputs) {
    auto t = interpolate(o.value, ctx);
    if (t.ok() && !t.text.empty())
      known[o.name] = std::move(t.text);
  }
  if (!known.empty())
    log_->events().outputs_seen(std::move(known));
}

void action_run::finish_composite(std::shared_ptr<frame> f, frame_done done) {
  frame_result r;
  r.success = !f->failed;
  r.error = f->error;
  r.exit_code = f->exit_code;
  r.infrastructure = f->infrastructure;
  json_context ctx = contexts_of(*f, {}, f->failed ? run_status::failure : run_status::success);
  for (const action_output& o : f->m.outputs) {
    auto t = interpolate(o.value, ctx);
    if (!t.ok()) {
      if (r.success) {
        r.success = false;
        r.error = f->m.file + ": outputs." + o.name + ".value: " + t.error->format();
      }
      continue;
    }
    r.outputs[o.name] = t.text;
  }
  done(std::move(r));
}

// ---- the end: post stages, latest first, then the result

void action_run::main_finished(frame_result r) {
  if (finished_)
    return;
  main_ = std::move(r);
  next_post();
}

void action_run::next_post() {
  if (finished_)
    return;
  if (stopped_ || posts_.empty()) {
    frame_result r = std::move(main_);
    if (stopped_) {
      r.success = false;
      if (r.error.empty())
        r.error = "stopped";
    }
    finish(std::move(r));
    return;
  }
  std::shared_ptr<frame> f = posts_.back().owner;
  posts_.pop_back();
  run_status status = main_.success ? run_status::success : run_status::failure;
  auto cond = evaluate_condition(f->m.runs.post_if, contexts_of(*f, {}, status));
  if (!cond.ok() || !cond.run) {
    if (!cond.ok() && main_.success) {
      main_.success = false;
      main_.error = f->m.file + ": `post-if`: " + cond.error->format();
    }
    next_post();
    return;
  }
  log_->show("Post " + f->uses);
  auto self = shared_from_this();
  run_node_stage(f, "post", [self, f](step_outcome o) {
    if (!o.success && self->main_.success) {
      self->main_.success = false;
      self->main_.exit_code = o.exit_code;
      self->main_.infrastructure = o.infrastructure;
      self->main_.error = "post step of " + f->uses + " failed: " + o.error;
    }
    self->next_post();
  });
}

void action_run::finish(frame_result r) {
  if (finished_)
    return;
  finished_ = true;
  driver_result res;
  res.success = r.success && !stopped_;
  res.stopped = stopped_;
  res.exit_code = r.exit_code;
  res.infrastructure = !res.success && r.infrastructure;
  res.error = res.success ? std::string() : log_->mask(r.error);
  for (auto& [k, v] : r.outputs)
    if (log_->holds_mask(v))
      res.secret_outputs.push_back(k);
  res.outputs = std::move(r.outputs);
  if (!temp_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_, ec);
    temp_.clear();
  }
  log_->events().finished(std::move(res));
}

// ---- helpers

void action_run::spawn(process_spec ps, const std::map<std::string, std::string>& env,
                       step_files files, bool script_step, bool outputs_are_tasks,
                       std::function<void(step_outcome)> done) {
  ps.env = environment_entries(env);
  // ACTIONS_STEP_DEBUG and the other switches come from the step's env.
  command_options options = command_options_from(env);
  auto self = shared_from_this();
  auto listener = std::make_shared<step_process>(
      log_, std::move(files), options, inv_.limits, script_step, outputs_are_tasks,
      [self, done](step_outcome o) {
        self->running_ = false;
        if (self->finished_)
          return;
        self->guarded([&] {
          self->apply_job_effects(o);
          if (self->stopped_) {
            frame_result r;
            r.error = "stopped";
            self->finish(std::move(r));
            return;
          }
          done(std::move(o));
        });
      });
  running_ = true;
  current_ = setup_.r->spawn(ps, listener);
}

// GITHUB_ENV and GITHUB_PATH reach every later step, at every level.
void action_run::apply_job_effects(const step_outcome& o) {
  for (auto& [k, v] : o.env)
    added_env_[k] = v;
  add_paths(added_paths_, o.paths);
}

nlohmann::json action_run::github_of(const frame& f) const {
  nlohmann::json g = github_;
  g["action"] = f.id;
  g["action_path"] = f.dir;
  g["action_repository"] = f.repository;
  g["action_ref"] = f.ref;
  return g;
}

nlohmann::json action_run::env_context(const frame& f,
                                       const std::map<std::string, std::string>& step_env) const {
  nlohmann::json env = nlohmann::json::object();
  for (auto& [k, v] : added_env_)
    env[k] = v;
  for (auto& [k, v] : f.env)
    env[k] = v;
  for (auto& [k, v] : step_env)
    env[k] = v;
  return env;
}

json_context action_run::contexts_of(const frame& f,
                                     const std::map<std::string, std::string>& step_env,
                                     run_status status) const {
  nlohmann::json inputs = nlohmann::json::object();
  for (auto& [k, v] : f.inputs)
    inputs[k] = v;
  nlohmann::json c = {{"github", github_of(f)},
                      {"runner", runner_},
                      {"env", env_context(f, step_env)},
                      {"inputs", inputs},
                      {"steps", f.steps},
                      {"job", {{"status", status_word(status == run_status::success)}}},
                      {"strategy", nlohmann::json::object()},
                      {"matrix", nlohmann::json::object()},
                      {"secrets", nlohmann::json::object()},
                      {"vars", nlohmann::json::object()},
                      {"needs", nlohmann::json::object()}};
  return json_context(std::move(c), status);
}

// A step's environment, in the order GitHub's runner builds it (later
// wins): the runner's basics, the env context, STATE_* and INPUT_* (node
// stages), PATH with the GITHUB_PATH additions first, then the GITHUB_*,
// RUNNER_* and file-command variables, which a step's env cannot override.
std::map<std::string, std::string> action_run::process_env(
    const frame& f, const std::map<std::string, std::string>& step_env, const step_files& files,
    bool node_stage) const {
  std::map<std::string, std::string> env = base_child_environment(spec_.inherit_env);
  const nlohmann::json context = env_context(f, step_env);
  for (auto& [k, v] : context.items())
    env[k] = v.get<std::string>();
  if (node_stage) {
    for (auto& [k, v] : f.state)
      env["STATE_" + k] = v;
    for (auto& [k, v] : f.inputs)
      env[input_variable(k)] = v;
  }
  env["PATH"] = prepend_paths(added_paths_, env["PATH"]);
  for (auto& [k, v] : github_variables(github_of(f)))
    env[k] = v;
  for (auto& [k, v] : runner_variables(runner_))
    env[k] = v;
  for (auto& [k, v] : files.variables())
    env[k] = v;
  return env;
}

}  // namespace runner::gh
