#include "schema/diagnostic.hpp"

#include <algorithm>
#include <tuple>

namespace runner {

// Messages quote the document (names, values): a control character in it
// must neither cut the line (NUL ends a C string) nor reach a terminal
// (an escape sequence could rewrite what the user sees). Printed as \xNN.
std::string escape_controls(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string format_diagnostic(const diagnostic& d) {
  std::string out = d.file.empty() ? std::string("<input>") : escape_controls(d.file);
  if (d.mark.line > 0) {
    out += ':' + std::to_string(d.mark.line);
    if (d.mark.column > 0)
      out += ':' + std::to_string(d.mark.column);
  }
  out += ": error: " + escape_controls(d.message) + '\n';
  if (!d.hint.empty())
    out += "  hint: " + escape_controls(d.hint) + '\n';
  return out;
}

void sort_diagnostics(diagnostics& d) {
  std::stable_sort(d.begin(), d.end(), [](const diagnostic& a, const diagnostic& b) {
    return std::tie(a.mark.line, a.mark.column) < std::tie(b.mark.line, b.mark.column);
  });
}

std::string format_diagnostics(const diagnostics& ds, size_t shown) {
  std::string out;
  for (size_t i = 0; i < ds.size() && i < shown; ++i)
    out += format_diagnostic(ds[i]);
  if (ds.size() > shown)
    out += "... and " + std::to_string(ds.size() - shown) + " more problem" +
           (ds.size() - shown == 1 ? "" : "s") + " not shown\n";
  return out;
}

}  // namespace runner
