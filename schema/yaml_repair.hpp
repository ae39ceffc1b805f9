#pragma once
// How load_yaml gets past a syntax error: a hint for the user, and a repair
// of the text so that parsing can go on and the rest of the document still be
// checked. Repairs never move a column on another line, so every later
// position still points into the user's file.
#include <string>

#include "schema/diagnostic.hpp"

namespace runner {

enum class yaml_fix {
  none,
  comma_before,    // `["a" "b"]`: put the missing comma in
  drop_comma,      // `[a, b],` in block context: drop the stray comma
  close_bracket,   // a list never closed: close it where it most likely ended
  insert_closer,   // `{a: [1}`: add the `]` before the `}`
  replace_closer,  // `[1, 2}`: the wrong closer was typed
  blank_line,      // anything else: drop the line (a guess)
};

struct yaml_syntax_problem {
  std::string hint;
  yaml_fix how = yaml_fix::none;
  char closer = 0;  // for the bracket fixes
};

// yaml-cpp's message for an error at byte `pos` of `text`, turned into advice.
yaml_syntax_problem diagnose_yaml_error(const std::string& msg, const std::string& text,
                                        size_t pos);

// Applies the repair; false when it would change nothing (no progress).
bool repair_yaml_error(const yaml_syntax_problem& p, std::string& text, size_t pos);

// Replaces non-breaking spaces standing where YAML needs a real one and
// reports them (one diagnostic listing the lines).
void repair_non_breaking_spaces(std::string& text, const std::string& file, diagnostics& out);

}  // namespace runner
