#include "schema/yaml_source.hpp"

#include <unordered_set>
#include <vector>

#include "schema/yaml_json.hpp"
#include "schema/yaml_repair.hpp"

namespace runner {

namespace {

bool continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// yaml-cpp 0.7 accepts a quoted string that is never closed and reads the rest
// of the file into it, silently swallowing the tasks that follow. Find such a
// string: its opening quote has no closing one.
bool closed_quote(const std::string& text, size_t open) {
  const char q = text[open];
  for (size_t k = open + 1; k < text.size(); ++k) {
    if (q == '"' && text[k] == '\\')
      ++k;
    else if (q == '\'' && text[k] == '\'' && k + 1 < text.size() && text[k + 1] == '\'')
      ++k;
    else if (text[k] == q)
      return true;
  }
  return false;
}

void report_unclosed_quote(const YAML::Node& root, const std::string& text,
                           const std::string& file, diagnostics& out) {
  std::vector<YAML::Node> todo = {root};
  // An alias repeats its anchor's subtree, marks and all: walk each once, or
  // a few nested aliases would make this walk endless.
  std::unordered_set<int> walked;
  while (!todo.empty()) {
    YAML::Node n = todo.back();
    todo.pop_back();
    if ((n.IsMap() || n.IsSequence()) && !walked.insert(n.Mark().pos).second)
      continue;
    if (n.IsMap()) {
      for (auto it = n.begin(); it != n.end(); ++it) {
        todo.push_back(it->first);
        todo.push_back(it->second);
      }
    } else if (n.IsSequence()) {
      for (auto it = n.begin(); it != n.end(); ++it) todo.push_back(*it);
    } else if (n.IsScalar() && n.Tag() == "!" && n.Mark().pos >= 0) {
      size_t pos = static_cast<size_t>(n.Mark().pos);
      if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'') &&
          !closed_quote(text, pos)) {
        out.push_back({file, mark_of(n.Mark(), text), "unterminated quoted string",
                       std::string("close it with `") + text[pos] +
                           "`; without it YAML reads the rest of the file into this value"});
        return;  // it runs to the end of the file: there is only one
      }
    }
  }
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
      report_unclosed_quote(*doc.root, doc.text, file, out);
      return doc;
    } catch (const YAML::ParserException& e) {
      size_t pos = e.mark.pos < 0 ? doc.text.size()
                                  : std::min(static_cast<size_t>(e.mark.pos), doc.text.size());
      yaml_syntax_problem p = diagnose_yaml_error(e.msg, doc.text, pos);
      if (!guessed)
        out.push_back({file, mark_of(e.mark, doc.text), "YAML syntax error: " + e.msg, p.hint});
      if (p.how == yaml_fix::blank_line)
        guessed = true;
      if (!repair_yaml_error(p, doc.text, pos))
        return doc;
    } catch (const YAML::Exception& e) {
      out.push_back({file, {}, std::string("cannot read YAML: ") + e.what(), ""});
      return doc;
    }
  }
  return doc;
}

}  // namespace runner
