#include "schema/yaml_repair.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include <yaml-cpp/exceptions.h>

namespace runner {

namespace {

const char kNbsp[] = "\xC2\xA0";  // U+00A0 in UTF-8

bool blank(char c) { return c == ' ' || c == '\t'; }

bool continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

size_t line_begin(const std::string& text, size_t pos) {
  size_t nl = pos == 0 ? std::string::npos : text.rfind('\n', pos - 1);
  return nl == std::string::npos ? 0 : nl + 1;
}

// The last non-blank character before `pos` on its line, or npos.
size_t previous_on_line(const std::string& text, size_t pos) {
  size_t begin = line_begin(text, pos);
  for (size_t k = pos; k > begin; --k)
    if (!blank(text[k - 1]))
      return k - 1;
  return std::string::npos;
}

// The last non-blank character before `pos`, across lines, or npos.
size_t previous_item_end(const std::string& text, size_t pos) {
  for (size_t k = pos; k > 0; --k)
    if (!blank(text[k - 1]) && text[k - 1] != '\n' && text[k - 1] != '\r')
      return k - 1;
  return std::string::npos;
}

size_t indentation(const std::string& text, size_t pos) {
  size_t begin = line_begin(text, pos), k = begin;
  while (k < text.size() && blank(text[k])) ++k;
  return k - begin;
}

bool tab_in_indentation(const std::string& text, size_t pos) {
  for (size_t k = line_begin(text, pos); k < text.size() && blank(text[k]); ++k)
    if (text[k] == '\t')
      return true;
  return false;
}

// The `[` and `{` still open at `pos`, innermost last. A rough scan: it
// skips quoted strings and comments, and in block context only counts a
// bracket that starts a value, so `echo [x` in a plain string is not one.
std::vector<size_t> open_brackets(const std::string& text, size_t pos) {
  std::vector<size_t> open;
  char quote = 0;
  char prev = '\n';  // last non-blank character outside strings
  for (size_t k = 0; k < pos && k < text.size(); ++k) {
    char c = text[k];
    if (quote) {
      if (quote == '"' && c == '\\')
        ++k;
      else if (c == quote && !(quote == '\'' && k + 1 < pos && text[k + 1] == '\''))
        quote = 0;
      else if (c == quote)
        ++k;
      continue;
    }
    if (blank(c))
      continue;
    bool value_start = std::strchr("\n:-[{,?", prev) != nullptr;
    if (c == '#' && (k == 0 || blank(text[k - 1]) || text[k - 1] == '\n')) {
      k = text.find('\n', k);
      if (k == std::string::npos)
        break;
      prev = '\n';
      continue;
    }
    if ((c == '"' || c == '\'') && value_start) {
      quote = c;
    } else if ((c == '[' || c == '{') && (value_start || !open.empty())) {
      open.push_back(k);
    } else if ((c == ']' || c == '}') && !open.empty()) {
      open.pop_back();
    }
    prev = c;
  }
  return open;
}

size_t open_bracket(const std::string& text, size_t pos) {
  std::vector<size_t> open = open_brackets(text, pos);
  return open.empty() ? std::string::npos : open.back();
}

int line_number(const std::string& text, size_t pos) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + pos, '\n'));
}

}  // namespace

// A non-breaking space looks like a space but YAML treats it as text, so text
// pasted from a web page fails in puzzling ways. Only those where YAML needs
// a real space count (indentation, after `- ` and `:`); inside text it may be
// meant.
void repair_non_breaking_spaces(std::string& text, const std::string& file, diagnostics& out) {
  if (text.find(kNbsp) == std::string::npos)
    return;  // the usual case: spare the copy below
  std::vector<int> lines;
  source_mark first;
  std::string fixed;
  fixed.reserve(text.size());
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find('\n', i);
    if (end == std::string::npos)
      end = text.size();
    bool found = false;
    int column = 1;
    bool in_separator = true;  // inside indentation or right after an indicator
    for (size_t k = i; k < end;) {
      bool nbsp = text.compare(k, 2, kNbsp) == 0;
      if (nbsp && in_separator) {
        if (!found && lines.empty())
          first = {line, column};
        found = true;
        fixed += ' ';
        k += 2;
      } else {
        char c = text[k];
        char next = k + 1 < end ? text[k + 1] : ' ';
        bool next_space = blank(next) || text.compare(k + 1, 2, kNbsp) == 0;
        if (!blank(c))  // blanks keep the state; an indicator starts a separator
          in_separator = (c == '-' && in_separator && next_space) || (c == ':' && next_space);
        fixed += c;
        ++k;
        while (k < end && continuation_byte(text[k])) fixed += text[k++];
      }
      ++column;
    }
    if (found)
      lines.push_back(line);
    if (end < text.size())
      fixed += '\n';
    i = end + 1;
    ++line;
  }
  if (lines.empty())
    return;
  std::string message = "non-breaking space (U+00A0) where YAML needs a plain space";
  if (lines.size() > 1) {
    message += " (also on line";
    message += lines.size() > 2 ? "s " : " ";
    for (size_t k = 1; k < lines.size() && k <= 10; ++k)
      message += (k > 1 ? ", " : "") + std::to_string(lines[k]);
    if (lines.size() > 11)
      message += ", ...";
    message += ")";
  }
  out.push_back({file, first, message,
                 "it looks like a space but YAML reads it as text (often pasted from a web "
                 "page or a chat); replace it with an ordinary space"});
  text = std::move(fixed);
}

// Turns yaml-cpp's terse message into a hint, and says how to repair the text
// so parsing can go on.
yaml_syntax_problem diagnose_yaml_error(const std::string& msg, const std::string& text,
                                        size_t pos) {
  using namespace YAML::ErrorMsg;
  const char at = pos < text.size() ? text[pos] : '\n';
  const size_t prev = previous_on_line(text, pos);
  const char before = prev == std::string::npos ? '\n' : text[prev];
  const std::string generic = "check the indentation, quotes and brackets around here";

  if (msg == END_OF_SEQ_FLOW || msg == END_OF_MAP_FLOW) {
    bool seq = msg == END_OF_SEQ_FLOW;
    // `["a" "b"]`: yaml-cpp stops at the second item, after a blank or a line
    // break that follows the end of the first.
    size_t p = previous_item_end(text, pos);
    size_t open = open_bracket(text, pos);
    // An item at the start of a line indented no deeper than the line that
    // opened the list is more likely the next field after an unclosed list.
    bool dedented = line_begin(text, p) != line_begin(text, pos) &&
                    open != std::string::npos && indentation(text, pos) <= indentation(text, open);
    if (!std::strchr(",]}\n:", at) && pos > 0 && (blank(text[pos - 1]) || text[pos - 1] == '\n') &&
        p != std::string::npos && !std::strchr(",[{:", text[p]) && !dedented)
      return {seq ? "missing comma between list items?" : "missing comma between entries?",
              yaml_fix::comma_before};
  }
  size_t open = open_bracket(text, pos);
  // `[1, 2}`: the closer does not match the bracket still open.
  if (msg == FLOW_END && open != std::string::npos && (at == ']' || at == '}')) {
    char closer = text[open] == '[' ? ']' : '}';
    // Either the right closer is missing before an outer one (`{a: [1}`),
    // or the wrong one was typed (`[1, 2}`).
    std::vector<size_t> all = open_brackets(text, pos);
    bool outer_matches = all.size() >= 2 && (text[all[all.size() - 2]] == '[' ? ']' : '}') == at;
    if (closer != at)
      return {std::string("`") + at + "` here, but the `" + text[open] + "` on line " +
                  std::to_string(line_number(text, open)) + " is still open; is a `" + closer +
                  "` missing?",
              outer_matches ? yaml_fix::insert_closer : yaml_fix::replace_closer, closer};
  }
  // A list or mapping opened on an earlier line and never closed.
  if (open != std::string::npos && line_begin(text, open) < line_begin(text, pos)) {
    char closer = text[open] == '[' ? ']' : '}';
    return {std::string("is the closing `") + closer + "` missing? the `" + text[open] +
                "` on line " + std::to_string(line_number(text, open)) + " is never closed",
            yaml_fix::close_bracket, closer};
  }
  if (msg == END_OF_SEQ_FLOW || msg == END_OF_MAP_FLOW) {
    return {msg == END_OF_SEQ_FLOW
                ? "is the closing `]` missing? items of `[a, b]` are separated by commas"
                : "is the closing `}` missing? entries of `{a: 1, b: 2}` are separated by commas",
            yaml_fix::blank_line};
  }
  if (tab_in_indentation(text, pos))
    return {"YAML does not allow tabs in indentation; indent with spaces", yaml_fix::blank_line};
  if (msg == END_OF_MAP || msg == END_OF_SEQ) {
    if (at == ',')
      return {"stray comma? block mappings and lists take no commas between entries; "
              "remove it",
              yaml_fix::drop_comma};
    if (before == '"' || before == '\'')
      return {"text after a closing quote; put the whole value inside the quotes "
              "(inside single quotes write `'` as `''`)",
              yaml_fix::blank_line};
    if (before == '\n')
      return {"wrong indentation? keys of one mapping start in the same column, and the "
              "fields of a list item line up under its first field",
              yaml_fix::blank_line};
    return {generic, yaml_fix::blank_line};
  }
  if (msg == MAP_VALUE)
    return {"a value that contains `: ` must be quoted: key: \"a: b\"", yaml_fix::blank_line};
  if (msg == UNKNOWN_TOKEN && (at == '@' || at == '`'))
    return {"`@` and `` ` `` cannot start a plain value; quote the value", yaml_fix::blank_line};
  if (msg.find("anchor") != std::string::npos || msg.find("alias") != std::string::npos)
    return {"`*` starts an alias and `&` an anchor; quote the value if you meant the character",
            yaml_fix::blank_line};
  if (msg == EOF_IN_SCALAR)
    return {"is a closing quote missing?", yaml_fix::blank_line};
  return {generic, yaml_fix::blank_line};
}

bool repair_yaml_error(const yaml_syntax_problem& p, std::string& text, size_t pos) {
  const char closer = p.closer;
  switch (p.how) {
    case yaml_fix::comma_before: {
      // A blank on the item's line becomes the comma, or the comma goes at
      // the end of the line before: either way no column moves.
      size_t p = previous_item_end(text, pos);
      if (line_begin(text, p) == line_begin(text, pos))
        text[pos - 1] = ',';
      else
        text.insert(p + 1, 1, ',');
      return true;
    }
    case yaml_fix::drop_comma:
      text[pos] = ' ';
      return true;
    case yaml_fix::insert_closer:
      text.insert(pos, 1, closer);
      return true;
    case yaml_fix::replace_closer:
      text[pos] = closer;
      return true;
    case yaml_fix::close_bracket: {
      // At the end of the last non-empty line before the error's line, where
      // the list most likely ended; appending keeps every column in place.
      size_t k = line_begin(text, pos);
      while (k > 0) {
        size_t begin = line_begin(text, k - 1);
        size_t end = k - 1;
        while (end > begin && (blank(text[end - 1]) || text[end - 1] == '\r')) --end;
        size_t first = begin;
        while (first < end && blank(text[first])) ++first;
        if (first < end && text[first] != '#') {
          text.insert(end, 1, closer);
          return true;
        }
        k = begin;
      }
      return false;
    }
    case yaml_fix::blank_line: {
      if (pos > text.size())
        return false;
      size_t begin = line_begin(text, pos);
      if (pos == text.size() && begin == pos && pos > 0)
        begin = line_begin(text, pos - 1);
      size_t end = text.find('\n', begin);
      if (end == std::string::npos)
        end = text.size();
      bool changed = false;
      std::string spaces;
      for (size_t k = begin; k < end; ++k) {
        if (continuation_byte(text[k]))
          continue;  // one space per character keeps later columns of other lines
        changed = changed || text[k] != ' ';
        spaces += ' ';
      }
      text.replace(begin, end - begin, spaces);
      return changed;
    }
    case yaml_fix::none:
      break;
  }
  return false;
}

}  // namespace runner
