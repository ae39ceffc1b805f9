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

// Control characters (NUL, ESC, ...) of `s` as \xNN; newlines and tabs kept.
std::string escape_controls(const std::string& s);

// "file:line:col: error: message\n  hint: ..." (one diagnostic, trailing
// newline), control characters escaped.
std::string format_diagnostic(const diagnostic& d);

// The first `shown` diagnostics formatted, then "… and N more problems not
// shown" if there are more: a document with 100,000 problems gets an
// answer a person can read (and a node a reply that fits a message).
inline constexpr size_t kShownProblems = 100;
std::string format_diagnostics(const diagnostics& ds, size_t shown = kShownProblems);

// Orders by line and column, keeping the order of problems at the same place,
// so a user reads them top to bottom like the file.
void sort_diagnostics(diagnostics& d);

}  // namespace runner
