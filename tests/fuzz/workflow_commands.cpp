// GitHub workflow commands (drivers/github_action/workflow_commands.hpp): the
// input is a step's output, fed line by line as the action runner feeds it,
// once with GitHub's defaults and once with debug, unsecure commands and
// unsecure stop tokens allowed. Any output gives log lines and results, never
// a crash; an `::add-mask::` value is never empty.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drivers/github_action/workflow_commands.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace runner::gh;
  std::string_view output(reinterpret_cast<const char*>(data), size);
  command_options lax;
  lax.step_debug = lax.allow_unsecure_commands = lax.allow_unsecure_stop_tokens = true;
  lax.workspace = "/tmp/runner-fuzz-workspace";
  for (const command_options& options : {command_options{}, lax}) {
    workflow_commands commands(options);
    std::string_view rest = output;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      command_result r = commands.process(rest.substr(0, nl));
      for (const auto& m : r.masks)
        if (m.empty())
          std::abort();
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    }
  }
  return 0;
}
