#include "schema/yaml_source.hpp"

#include <algorithm>
#include <istream>
#include <iterator>
#include <streambuf>

#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include "schema/yaml_repair.hpp"
#include "schema/yaml_tree_builder.hpp"

namespace runner {

namespace {

bool continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The last column counted: a list written on one line (a `depends_on` of
// 100,000 names) asks for the column of every item, and counting each from
// the start of the line made reading it quadratic (30 s). load_yaml forgets
// it before every parse, as a repair may change the text in place.
struct column_count {
  const char* data = nullptr;
  size_t size = 0, line_begin = 0, pos = 0;
  int chars = 0;
};
thread_local column_count last_column;

// Characters (not bytes) from line_begin to pos.
int chars_between(const std::string& text, size_t line_begin, size_t pos) {
  auto& c = last_column;
  size_t from = line_begin;
  int chars = 0;
  if (c.data == text.data() && c.size == text.size() && c.line_begin == line_begin &&
      c.pos <= pos) {
    from = c.pos;
    chars = c.chars;
  }
  for (size_t k = from; k < pos; ++k)
    chars += continuation_byte(text[k]) ? 0 : 1;
  c = {text.data(), text.size(), line_begin, pos, chars};
  return chars;
}

// yaml-cpp reads from a stream; this one reads the text in place rather than
// from a copy, which for a large group would be another megabyte or more.
class text_buffer : public std::streambuf {
 public:
  explicit text_buffer(const std::string& text) {
    // The get area is only read: putback just steps back over what was read.
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

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

// Builds the first document's tree, reporting an unclosed quoted string as
// the parser meets it (there is at most one: it runs to the end of the file).
class checking_builder : public yaml_tree_builder {
 public:
  checking_builder(yaml_tree& tree, const yaml_list_reader* list, const std::string& text,
                   const std::string& file, diagnostics& out)
      : yaml_tree_builder(tree, list ? list->key : std::string(),
                          list ? list->item : item_handler()),
        text_(text), file_(file), out_(out) {}

  YAML::Mark start = YAML::Mark::null_mark();  // of the document

  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (!reported_ && tag == "!" && mark.pos >= 0) {
      size_t pos = static_cast<size_t>(mark.pos);
      if (pos < text_.size() && (text_[pos] == '"' || text_[pos] == '\'') &&
          !closed_quote(text_, pos)) {
        out_.push_back({file_, mark_of(mark, text_), "unterminated quoted string",
                        std::string("close it with `") + text_[pos] +
                            "`; without it YAML reads the rest of the file into this value"});
        reported_ = true;
      }
    }
    yaml_tree_builder::OnScalar(mark, tag, anchor, value);
  }

 private:
  const std::string& text_;
  const std::string& file_;
  diagnostics& out_;
  bool reported_ = false;
};

// The documents after the first are only counted: a task group is one.
class document_counter : public YAML::EventHandler {
 public:
  explicit document_counter(const YAML::Mark& first_start) : last_start_(first_start) {}

  size_t documents = 0;
  YAML::Mark first_root = YAML::Mark::null_mark();  // of the second document

  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp 0.7 makes an empty document of a token it cannot start one
    // with (a `,` at the top) but leaves the token there, so asking for the
    // next document would loop forever. A document starting where the last
    // one did is that: the syntax error it is.
    if (mark.pos == last_start_.pos)
      throw YAML::ParserException(mark, YAML::ErrorMsg::UNKNOWN_TOKEN);
    last_start_ = mark;
    ++documents;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override {
    node(m);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    node(m);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& m) {
    if (first_root.is_null())
      first_root = m;
  }

  YAML::Mark last_start_;
};

// One parse of the whole text. Throws YAML::ParserException on a syntax error.
yaml_tree parse(const std::string& text, const std::string& file, const yaml_list_reader* list,
                diagnostics& out) {
  if (list)
    list->start(text);
  text_buffer buffer(text);
  std::istream in(&buffer);
  YAML::Parser parser(in);
  yaml_tree tree;
  checking_builder builder(tree, list, text, file, out);
  if (!parser.HandleNextDocument(builder))
    return tree;  // no document at all
  document_counter rest(builder.start);
  while (parser.HandleNextDocument(rest)) {
  }
  // First, as it is about the whole file.
  if (rest.documents > 0)
    out.insert(out.begin(),
               diagnostic{file, mark_of(rest.first_root, text),
                          "the file holds " + std::to_string(rest.documents + 1) +
                              " YAML documents",
                          "a task group is one document; remove the `---` separator or split "
                          "the file"});
  return tree;
}

}  // namespace

source_mark mark_of(const YAML::Mark& mark, const std::string& text) {
  if (mark.line < 0 || mark.column < 0)
    return {};
  source_mark m{mark.line + 1, mark.column + 1};
  // yaml-cpp counts bytes; editors count characters.
  if (mark.pos >= mark.column && static_cast<size_t>(mark.pos) <= text.size()) {
    size_t begin = static_cast<size_t>(mark.pos - mark.column);
    if (begin == 0 || text[begin - 1] == '\n')
      m.column = chars_between(text, begin, static_cast<size_t>(mark.pos)) + 1;
  }
  return m;
}

source_mark mark_of(yaml_node node, const std::string& text) {
  return mark_of(node.mark(), text);
}

source_mark content_mark_of(yaml_node node, const std::string& text) {
  source_mark m = mark_of(node, text);
  YAML::Mark raw = node.mark();
  if (!node.is_scalar() || raw.pos < 0 || static_cast<size_t>(raw.pos) >= text.size())
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

yaml_document load_yaml(std::string text, const std::string& file, diagnostics& out,
                        const yaml_list_reader* list) {
  yaml_document doc;
  doc.text = std::move(text);
  repair_non_breaking_spaces(doc.text, file, out);

  // After a guess (blanking a line) the errors that follow are often echoes of
  // the first, so only errors found after exact repairs are reported.
  bool guessed = false;
  for (int attempt = 0; attempt < 50; ++attempt) {
    last_column = {};
    diagnostics found;  // by this attempt; kept only if it gets through
    try {
      doc.tree = parse(doc.text, file, list, found);
      out.insert(out.end(), std::make_move_iterator(found.begin()),
                 std::make_move_iterator(found.end()));
      return doc;
    } catch (const yaml_too_deep& e) {
      out.push_back({file, mark_of(e.mark, doc.text), e.msg,
                     "a task group needs a few levels; keep deep data in a file the task reads"});
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
