// `{{ .task.variable }}` templates (schema/template.hpp): what the scan
// reports lies inside the text, in order, each reference spelled as `{{`
// ... `}}` and never a GitHub `${{ }}`, and rendering replaces exactly the
// references it found, each once, with what the lookup returned.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "schema/template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  runner::template_scan scan = runner::scan_templates(text);

  size_t after_last = 0;
  std::string expected;
  for (const runner::template_ref& r : scan.refs) {
    if (r.begin < after_last || r.end > text.size() || r.end < r.begin + 4 ||
        text.substr(r.begin, 2) != "{{" || text.substr(r.end - 2, 2) != "}}" ||
        (r.begin > 0 && text[r.begin - 1] == '$') || r.task.empty() || r.variable.empty() ||
        text.substr(r.begin, r.end - r.begin).find(r.task + "." + r.variable) ==
            std::string_view::npos)
      std::abort();
    expected.append(text.substr(after_last, r.begin - after_last));
    expected += "<" + r.task + "|" + r.variable + ">{{ .x.y }}";
    after_last = r.end;
  }
  expected.append(text.substr(after_last));
  for (const runner::template_error& e : scan.errors)
    if (e.offset >= text.size() || text.substr(e.offset, 2) != "{{" || e.message.empty())
      std::abort();

  // A value that looks like a template stays as it is: rendering is one pass.
  std::string rendered = runner::render_templates(
      text, [](const std::string& task, const std::string& variable) {
        return "<" + task + "|" + variable + ">{{ .x.y }}";
      });
  if (rendered != expected)
    std::abort();
  return 0;
}
