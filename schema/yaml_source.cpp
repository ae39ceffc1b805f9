#include "schema/yaml_source.hpp"

#include <cstring>

namespace runner {

namespace {

const char kNbsp[] = "\xC2\xA0";  // U+00A0 in UTF-8

bool blank(char c) { return c == ' ' || c == '\t'; }

bool continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// A non-breaking space looks like a space but YAML treats it as text, so text
// pasted from a web page fails in puzzling ways. Replace those standing where
// YAML needs a real space (indentation, after `- ` and `:`) and report them.
void repair_non_breaking_spaces(std::string& text, const std::string& file, diagnostics& out) {
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
        if (blank(c))
          ;  // separators go on
        else if ((c == '-' && in_separator && next_space) || (c == ':' && next_space))
          in_separator = true;
        else
          in_separator = false;
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

enum class fix { none, comma_before, drop_comma, blank_line };

struct syntax_problem {
  std::string hint;
  fix how = fix::none;
};

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

bool tab_in_indentation(const std::string& text, size_t pos) {
  for (size_t k = line_begin(text, pos); k < text.size() && blank(text[k]); ++k)
    if (text[k] == '\t')
      return true;
  return false;
}

// Turns yaml-cpp's terse message into a hint, and says how to repair the text
// so parsing can go on.
syntax_problem diagnose(const std::string& msg, const std::string& text, size_t pos) {
  using namespace YAML::ErrorMsg;
  const char at = pos < text.size() ? text[pos] : '\n';
  const size_t prev = previous_on_line(text, pos);
  const char before = prev == std::string::npos ? '\n' : text[prev];
  const std::string generic = "check the indentation, quotes and brackets around here";

  if (msg == END_OF_SEQ_FLOW || msg == END_OF_MAP_FLOW) {
    bool seq = msg == END_OF_SEQ_FLOW;
    // `["a" "b"]`: yaml-cpp stops at the second item, one blank after the first.
    if (!std::strchr(",]}\n", at) && pos > 0 && blank(text[pos - 1]) &&
        !std::strchr("\n,[{:", before))
      return {seq ? "missing comma between list items?" : "missing comma between entries?",
              fix::comma_before};
    return {seq ? "is the closing `]` missing? items of `[a, b]` are separated by commas"
                : "is the closing `}` missing? entries of `{a: 1, b: 2}` are separated by commas",
            fix::blank_line};
  }
  if (tab_in_indentation(text, pos))
    return {"YAML does not allow tabs in indentation; indent with spaces", fix::blank_line};
  if (msg == END_OF_MAP || msg == END_OF_SEQ) {
    if (at == ',')
      return {"stray comma? block mappings and lists take no commas between entries; "
              "remove it",
              fix::drop_comma};
    if (before == '"' || before == '\'')
      return {"text after a closing quote; put the whole value inside the quotes "
              "(inside single quotes write `'` as `''`)",
              fix::blank_line};
    if (before == '\n')
      return {"wrong indentation? keys of one mapping start in the same column, and the "
              "fields of a list item line up under its first field",
              fix::blank_line};
    return {generic, fix::blank_line};
  }
  if (msg == MAP_VALUE)
    return {"a value that contains `: ` must be quoted: key: \"a: b\"", fix::blank_line};
  if (msg == UNKNOWN_TOKEN && (at == '@' || at == '`'))
    return {"`@` and `` ` `` cannot start a plain value; quote the value", fix::blank_line};
  if (msg.find("anchor") != std::string::npos || msg.find("alias") != std::string::npos)
    return {"`*` starts an alias and `&` an anchor; quote the value if you meant the character",
            fix::blank_line};
  if (msg == EOF_IN_SCALAR)
    return {"is a closing quote missing?", fix::blank_line};
  return {generic, fix::blank_line};
}

// Applies a repair; false when it would change nothing (no progress).
bool apply(fix how, std::string& text, size_t pos) {
  switch (how) {
    case fix::comma_before:  // a blank becomes the comma: columns stay right
      text[pos - 1] = ',';
      return true;
    case fix::drop_comma:
      text[pos] = ' ';
      return true;
    case fix::blank_line: {
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
    case fix::none:
      break;
  }
  return false;
}

}  // namespace

source_mark mark_of(const YAML::Mark& mark, const std::string& text) {
  if (mark.line < 0 || mark.column < 0)
    return {};
  source_mark m{mark.line + 1, mark.column + 1};
  // yaml-cpp counts bytes; editors count characters.
  if (mark.pos >= mark.column && static_cast<size_t>(mark.pos) <= text.size()) {
    size_t begin = static_cast<size_t>(mark.pos - mark.column);
    if (begin == 0 || text[begin - 1] == '\n') {
      int chars = 0;
      for (size_t k = begin; k < static_cast<size_t>(mark.pos); ++k)
        chars += continuation_byte(text[k]) ? 0 : 1;
      m.column = chars + 1;
    }
  }
  return m;
}

source_mark mark_of(const YAML::Node& node, const std::string& text) {
  return mark_of(node.Mark(), text);
}

source_mark content_mark_of(const YAML::Node& node, const std::string& text) {
  source_mark m = mark_of(node, text);
  YAML::Mark raw = node.Mark();
  if (!node.IsScalar() || raw.pos < 0 || static_cast<size_t>(raw.pos) >= text.size())
    return m;
  size_t pos = static_cast<size_t>(raw.pos);
  char c = text[pos];
  if (c == '"' || c == '\'') {
    m.column += 1;
  } else if (c == '|' || c == '>') {
    // The block's text starts on the first non-empty line after the indicator.
    size_t k = text.find('\n', pos);
    while (k != std::string::npos) {
      ++m.line;
      size_t indent = k + 1;
      while (indent < text.size() && text[indent] == ' ') ++indent;
      if (indent < text.size() && text[indent] != '\n') {
        m.column = static_cast<int>(indent - k);
        break;
      }
      k = text.find('\n', k + 1);
    }
  }
  return m;
}

yaml_document load_yaml(const std::string& text, const std::string& file, diagnostics& out) {
  yaml_document doc;
  doc.text = text;
  repair_non_breaking_spaces(doc.text, file, out);

  // After a guess (blanking a line) the errors that follow are often echoes of
  // the first, so only errors found after exact repairs are reported.
  bool guessed = false;
  for (int attempt = 0; attempt < 50; ++attempt) {
    try {
      std::vector<YAML::Node> docs = YAML::LoadAll(doc.text);
      if (docs.size() > 1)
        out.push_back({file, mark_of(docs[1], doc.text),
                       "the file holds " + std::to_string(docs.size()) + " YAML documents",
                       "a task group is one document; remove the `---` separator or split "
                       "the file"});
      doc.root = docs.empty() ? YAML::Node() : docs.front();
      return doc;
    } catch (const YAML::ParserException& e) {
      size_t pos = e.mark.pos < 0 ? doc.text.size()
                                  : std::min(static_cast<size_t>(e.mark.pos), doc.text.size());
      syntax_problem p = diagnose(e.msg, doc.text, pos);
      if (!guessed)
        out.push_back({file, mark_of(e.mark, doc.text), "YAML syntax error: " + e.msg, p.hint});
      if (p.how == fix::blank_line)
        guessed = true;
      if (!apply(p.how, doc.text, pos))
        return doc;
    } catch (const YAML::Exception& e) {
      out.push_back({file, {}, std::string("cannot read YAML: ") + e.what(), ""});
      return doc;
    }
  }
  return doc;
}

}  // namespace runner
