#include "schema/template.hpp"

namespace runner {

namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Reads an identifier at `i`: a first character accepted by `first`, then
// letters, digits, '_' and '-'.
template <class First>
bool read_identifier(std::string_view s, size_t& i, std::string& out, First first) {
  if (i >= s.size() || !first(s[i]))
    return false;
  size_t start = i++;
  while (i < s.size() && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '_' || s[i] == '-'))
    ++i;
  out.assign(s.substr(start, i - start));
  return true;
}

// The inside of "{{ ... }}" must be exactly ".task.variable", spaces around.
bool parse_reference(std::string_view inner, std::string& task, std::string& variable) {
  size_t i = 0;
  while (i < inner.size() && is_space(inner[i])) ++i;
  if (i >= inner.size() || inner[i] != '.')
    return false;
  ++i;
  if (!read_identifier(inner, i, task, is_alpha))
    return false;
  if (i >= inner.size() || inner[i] != '.')
    return false;
  ++i;
  if (!read_identifier(inner, i, variable, [](char c) { return is_alpha(c) || c == '_'; }))
    return false;
  while (i < inner.size() && is_space(inner[i])) ++i;
  return i == inner.size();
}

}  // namespace

template_scan scan_templates(std::string_view text) {
  template_scan scan;
  size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    size_t close = text.find("}}", pos + 2);
    // `${{ }}` is a GitHub Actions expression (github_action specs), never
    // one of ours: it is left as written for the action's runner to read.
    if (pos > 0 && text[pos - 1] == '$') {
      if (close == std::string_view::npos)
        break;
      pos = close + 2;
      continue;
    }
    if (close == std::string_view::npos) {
      scan.errors.push_back({pos, "unterminated template",
                             "close it with `}}`: {{ .task.variable }}"});
      break;  // everything after an unclosed "{{" belongs to it
    }
    std::string_view inner = text.substr(pos + 2, close - pos - 2);
    template_ref ref;
    if (parse_reference(inner, ref.task, ref.variable)) {
      ref.begin = pos;
      ref.end = close + 2;
      scan.refs.push_back(std::move(ref));
    } else {
      std::string shown(text.substr(pos, close + 2 - pos));
      if (shown.size() > 60)
        shown = shown.substr(0, 57) + "...";
      std::string hint = "write a reference as `{{ .task.variable }}`: a dot, the task name, "
                         "a dot, the variable name";
      // "{{ foo.password }}" is the usual slip: show the fixed form.
      std::string_view trimmed = inner;
      while (!trimmed.empty() && is_space(trimmed.front())) trimmed.remove_prefix(1);
      std::string task, variable;
      if (parse_reference("." + std::string(trimmed), task, variable))
        hint = "did you mean `{{ ." + task + "." + variable + " }}`? " + hint;
      scan.errors.push_back({pos, "malformed template `" + shown + "`", hint});
    }
    pos = close + 2;
  }
  return scan;
}

std::string render_templates(
    std::string_view text,
    const std::function<std::string(const std::string&, const std::string&)>& lookup) {
  template_scan scan = scan_templates(text);
  std::string out;
  size_t done = 0;
  for (const template_ref& ref : scan.refs) {
    out.append(text.substr(done, ref.begin - done));
    out += lookup(ref.task, ref.variable);
    done = ref.end;
  }
  out.append(text.substr(done));
  return out;
}

}  // namespace runner
