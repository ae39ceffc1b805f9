// GitHub file commands (drivers/github_action/file_commands.hpp): the input
// is what a step left in GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE and
// GITHUB_PATH, read as each of the four, with small limits so that the limit
// errors are reached too. Any content gives values or a failure, never a
// crash, and GITHUB_ENV never sets NODE_OPTIONS (a later step's node would
// load what it names), in any case.
#include <cstddef>
#include <cstdint>
#include <cctype>
#include <cstdlib>
#include <string>
#include <string_view>

#include "drivers/github_action/file_commands.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace runner::gh;
  std::string_view content(reinterpret_cast<const char*>(data), size);
  runner::output_limits small;
  small.value_bytes = 64;
  small.total_bytes = 256;
  for (const runner::output_limits& limits : {runner::output_limits{}, small}) {
    for (file_command which :
         {file_command::output, file_command::env, file_command::state, file_command::path}) {
      file_command_result r = read_file_command(which, content, limits);
      if (which != file_command::path)
        for (const auto& [name, value] : r.values)
          if (name.empty() || value.size() > limits.value_bytes)
            std::abort();
      if (which == file_command::env)
        for (const auto& kv : r.values) {
          std::string upper = kv.first;
          for (char& c : upper)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          if (upper == "NODE_OPTIONS")
            std::abort();
        }
      for (const auto& p : r.paths)
        if (p.empty())
          std::abort();
    }
  }
  return 0;
}
