#include "drivers/github_action/step_process.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "drivers/output_file.hpp"
#include "drivers/signal_name.hpp"

namespace runner::gh {

namespace {

// The log has no annotation panel: an error, warning or notice shows where
// it points and its title in the line itself.
std::string annotation_line(const annotation& a) {
  std::string where;
  if (!a.file.empty()) {
    where = a.file;
    if (!a.line.empty()) {
      where += ":" + a.line;
      if (!a.col.empty())
        where += ":" + a.col;
    }
    where += ": ";
  }
  std::string title = a.title.empty() ? std::string() : a.title + ": ";
  return "##[" + a.level + "]" + where + title + a.message;
}

}  // namespace

step_process::step_process(std::shared_ptr<action_log> log, step_files files,
                           command_options options, output_limits limits, bool script_step,
                           bool outputs_are_tasks, done_fn done)
    : log_(std::move(log)),
      files_(std::move(files)),
      commands_(std::move(options)),
      limits_(limits),
      script_step_(script_step),
      outputs_are_tasks_(outputs_are_tasks),
      done_(std::move(done)),
      lines_(std::max(limits.line_bytes, limits.total_bytes)) {}

// Both run on the reactor thread, where an exception would end the runner:
// a bug fails this step instead.
void step_process::on_output(stream_kind, std::string_view data, const flow_ticket& ticket) {
  try {
    tell_outputs_seen();
    action_log::holding hold(*log_, ticket);
    lines_.feed(data, [this](std::string_view line) { handle(line); });
  } catch (const std::exception& e) {
    if (command_failure_.empty())
      command_failure_ = std::string("internal error reading the step's output: ") + e.what();
  }
}

void step_process::handle(std::string_view line) {
  command_result r = commands_.process(line);
  for (const std::string& m : r.masks)
    log_->add_mask(m);
  if (r.issue) {
    if (r.issue->level == "error")
      last_error_ = r.issue->message;
    log_->show(annotation_line(*r.issue));
  } else {
    for (const std::string& l : r.log)
      log_->show(l);
  }
  if (r.output) {
    so_far_.outputs[r.output->name] = r.output->value;
    if (outputs_are_tasks_)
      log_->events().outputs_seen({{r.output->name, r.output->value}});
  }
  if (r.state)
    so_far_.state[r.state->name] = r.state->value;
  if (r.env)
    so_far_.env[r.env->name] = r.env->value;
  if (r.path)
    add_paths(so_far_.paths, {*r.path});
  if (!r.failure.empty() && command_failure_.empty())
    command_failure_ = r.failure;
}

// What the step wrote to GITHUB_OUTPUT so far, so that the task learns a
// confidential export before the line that prints it.
void step_process::tell_outputs_seen() {
  struct stat st;
  if (!outputs_are_tasks_ || lstat(files_.output.c_str(), &st) != 0 ||
      st.st_size == seen_output_size_)
    return;
  seen_output_size_ = st.st_size;
  std::string error;
  std::string text = read_step_file(files_.output, limits_.total_bytes * 2, error);
  auto parsed = parse_output_file(text, limits_, false, output_file_rules::github);
  if (!parsed.values.empty())
    log_->events().outputs_seen(std::move(parsed.values));
}

void step_process::read_files(step_outcome& out) {
  const size_t limit = limits_.total_bytes * 2;
  auto read = [&](file_command which, const std::string& path) {
    std::string error;
    std::string text = read_step_file(path, limit, error);
    file_command_result r = read_file_command(which, text, limits_);
    if (!error.empty() && r.failure.empty())
      r.failure = error;
    for (const std::string& l : r.log)
      log_->show(l);
    if (!r.failure.empty() && command_failure_.empty())
      command_failure_ = r.failure;
    return r;
  };
  for (auto& [k, v] : read(file_command::output, files_.output).values)
    out.outputs[k] = v;
  for (auto& [k, v] : read(file_command::env, files_.env).values)
    out.env[k] = v;
  for (auto& [k, v] : read(file_command::state, files_.state).values)
    out.state[k] = v;
  add_paths(out.paths, read(file_command::path, files_.path).paths);
  remove_step_files(files_);
}

void step_process::on_exit(const process_exit& how) {
  step_outcome out;
  try {
    lines_.flush([this](std::string_view line) { handle(line); });
    out = std::move(so_far_);
    read_files(out);
  } catch (const std::exception& e) {
    if (command_failure_.empty())
      command_failure_ = std::string("internal error reading the step's results: ") + e.what();
  }
  if (!how.spawn_error.empty()) {
    out.error = how.spawn_error;
  } else if (how.signal) {
    out.error = "killed by " + signal_name(*how.signal);
  } else if (how.exit_code && *how.exit_code != 0) {
    out.exit_code = how.exit_code;
    if (script_step_) {
      out.error = "Process completed with exit code " + std::to_string(*how.exit_code) + ".";
      log_->show("##[error]" + out.error);
    } else {
      out.error = "exit status " + std::to_string(*how.exit_code);
      if (!last_error_.empty())
        out.error += ": " + last_error_;
    }
  } else {
    out.exit_code = 0;
    if (!command_failure_.empty())
      out.error = command_failure_;
    else
      out.success = true;
  }
  auto done = std::move(done_);
  done(std::move(out));
}

}  // namespace runner::gh
