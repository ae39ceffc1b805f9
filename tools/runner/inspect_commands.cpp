// `runner validate` and `runner graph`: look at a group without running it.
#include <chrono>
#include <cstdio>
#include <optional>

#include "drivers/os_exec.hpp"
#include "drivers/registry.hpp"
#include "schema/graph_render.hpp"
#include "schema/validate.hpp"
#include "schema/document_file.hpp"
#include "tools/runner/commands.hpp"
#include "tools/runner/drivers_setup.hpp"

namespace runner {

namespace {

bool print_problems(const diagnostics& problems) {
  std::fputs(format_diagnostics(problems).c_str(), stderr);
  if (!problems.empty())
    std::fprintf(stderr, "%zu problem%s found; nothing was run\n", problems.size(),
                 problems.size() == 1 ? "" : "s");
  return !problems.empty();
}

}  // namespace

int validate_command(const std::string& file, const std::string& config_file) {
  std::optional<node_config> config;
  if (!config_file.empty()) {
    auto loaded = load_node_config(config_file);
    if (!loaded.config) {
      std::fputs(format_diagnostics(loaded.problems).c_str(), stderr);
      return exit_invalid_input;
    }
    config = std::move(loaded.config);
  }
  const auto grace = std::chrono::seconds(10);
  reactor r;
  read_interrupt_scope interrupt([&r] { return r.stop_signal_seen(); });
  const node_config* c = config ? &*config : nullptr;
  auto drivers = builtin_drivers(r, grace, c);
  auto externals = external_drivers_of(r, *drivers, grace, c);
  auto checked = validate_learning_types(file, *drivers, *externals, r);
  if (externals->started()) {  // asked for their types only: done with them
    externals->shutdown(grace);
    r.shutdown(grace);
  }
  if (print_problems(checked.problems))
    return exit_invalid_input;
  std::printf("%s: ok (%zu tasks)\n", file.c_str(), checked.group->tasks.size());
  return exit_success;
}

int graph_command(const std::string& file, const std::string& format) {
  reactor r;
  read_interrupt_scope interrupt([&r] { return r.stop_signal_seen(); });
  auto drivers = builtin_drivers(r, std::chrono::seconds(10));
  auto checked = load_and_validate(file, *drivers);
  if (print_problems(checked.problems))
    return exit_invalid_input;
  auto text = format == "mermaid" ? render_mermaid(*checked.group) : render_dot(*checked.group);
  std::fputs(text.c_str(), stdout);
  return exit_success;
}

}  // namespace runner
