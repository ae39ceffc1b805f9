#include "schema/diagnostic.hpp"

#include <algorithm>
#include <tuple>

namespace runner {

std::string format_diagnostic(const diagnostic& d) {
  std::string out = d.file.empty() ? std::string("<input>") : d.file;
  if (d.mark.line > 0) {
    out += ':' + std::to_string(d.mark.line);
    if (d.mark.column > 0)
      out += ':' + std::to_string(d.mark.column);
  }
  out += ": error: " + d.message + '\n';
  if (!d.hint.empty())
    out += "  hint: " + d.hint + '\n';
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
