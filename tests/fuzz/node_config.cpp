// A node config (config/node_config.hpp), parsed and validated as `runner
// serve --config` does it: any bytes give either a config or problems with
// positions inside the file, never both, never a crash. Relative paths point
// into a directory that does not exist; the only file access is the check
// that the `tls` files named exist and can be opened.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/node_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  int lines = 1;
  for (char c : text)
    lines += c == '\n';
  const std::string file = "/nonexistent-runner-fuzz/runner.yaml";
  runner::config_result r = runner::parse_node_config(text, file);
  if (r.config.has_value() == !r.problems.empty())
    std::abort();
  for (const runner::diagnostic& d : r.problems)
    if (d.mark.line < 0 || d.mark.line > lines + 1 || d.mark.column < 0)
      std::abort();
  runner::format_diagnostics(r.problems);
  return 0;
}
