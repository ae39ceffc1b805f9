#pragma once
// A problem found in user input, with where it is and what to do about it.
// Every validator collects these instead of stopping at the first one, so a
// user sees all mistakes of a document at once.
#include <string>
#include <vector>

namespace runner {

struct source_mark {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

struct diagnostic {
  std::string file;
  source_mark mark;
  std::string message;
  std::string hint;  // what to do; may be empty
};

using diagnostics = std::vector<diagnostic>;

// "file:line:col: error: message\n  hint: ..." (one diagnostic, trailing newline).
std::string format_diagnostic(const diagnostic& d);

// Orders by line and column, keeping the order of problems at the same place,
// so a user reads them top to bottom like the file.
void sort_diagnostics(diagnostics& d);

}  // namespace runner
