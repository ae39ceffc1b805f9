// The OUTPUT_FILE format (drivers/output_file.hpp), both dialects, read as
// os_exec reads it while the task runs and once it has ended: what a prefix
// ending in a newline gave while running (outputs shown early so masking
// learns them) is never taken back: its names stay, its error stays the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drivers/output_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace runner;
  std::string_view content(reinterpret_cast<const char*>(data), size);
  output_limits limits;
  limits.value_bytes = 64;
  limits.total_bytes = 256;
  for (output_file_rules rules : {output_file_rules::os_exec, output_file_rules::github}) {
    output_file_result final_result = parse_output_file(content, limits, true, rules);
    for (const auto& [name, value] : final_result.values)
      if (name.empty() || value.size() > limits.value_bytes)
        std::abort();
    // At most 8 prefixes, spread over the content.
    size_t step = content.size() / 8 + 1;
    for (size_t at = content.find('\n'); at != std::string_view::npos;
         at = content.find('\n', at + step)) {
      output_file_result early = parse_output_file(content.substr(0, at + 1), limits, false, rules);
      if (early.error && early.error != final_result.error)
        std::abort();
      for (const auto& kv : early.values)
        if (!final_result.values.count(kv.first))
          std::abort();
    }
  }
  return 0;
}
