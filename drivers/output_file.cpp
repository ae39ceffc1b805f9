#include "drivers/output_file.hpp"

#include <cstdio>
#include <vector>

namespace runner {

namespace {

std::string human_size(size_t bytes) {
  char buf[64];
  if (bytes < 1024)
    std::snprintf(buf, sizeof buf, "%zu bytes", bytes);
  else if (bytes < (1u << 20))
    std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
  else
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1024.0 * 1024.0));
  return buf;
}

// "2.0 MiB, over the 1.0 MiB limit"; exact byte counts when rounding would
// make the two look equal.
std::string over_limit(size_t size, size_t limit) {
  std::string s = human_size(size), l = human_size(limit);
  if (s == l) {
    s = std::to_string(size) + " bytes";
    l = std::to_string(limit) + " bytes";
  }
  return s + ", over the " + l + " limit";
}

bool valid_name(std::string_view name) {
  auto letter = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  };
  if (name.empty() || !letter(name[0]))
    return false;
  for (char c : name) {
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '-')
      return false;
  }
  return true;
}

bool blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

struct line {
  std::string_view text;  // without "\n" (os_exec: nor "\r\n")
  size_t number;          // 1-based
  bool ended;             // a "\n" followed it
};

// While the task runs, its last line may be half written, so only lines that
// end in "\n" count; once it has ended, a missing final newline is fine.
std::vector<line> split_lines(std::string_view content, bool complete, bool keep_cr) {
  std::vector<line> lines;
  size_t number = 0;
  while (!content.empty()) {
    size_t nl = content.find('\n');
    if (nl == std::string_view::npos && !complete)
      break;
    std::string_view text = content.substr(0, nl);
    if (!keep_cr && !text.empty() && text.back() == '\r')
      text.remove_suffix(1);
    lines.push_back({text, ++number, nl != std::string_view::npos});
    content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
  }
  return lines;
}

}  // namespace

output_file_result parse_output_file(std::string_view content, const output_limits& limits,
                                     bool complete, output_file_rules rules) {
  const bool github = rules == output_file_rules::github;
  output_file_result result;
  size_t total = 0;
  auto fail = [&](size_t number, const std::string& message) {
    result.error =
        github ? message : "OUTPUT_FILE line " + std::to_string(number) + ": " + message;
    return result;
  };

  // .NET's File.ReadAllText drops a byte order mark (PowerShell 5 writes one).
  if (github && content.substr(0, 3) == "\xEF\xBB\xBF")
    content.remove_prefix(3);
  std::vector<line> lines = split_lines(content, complete, github);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view text = lines[i].text;
    size_t number = lines[i].number;
    if (github ? text.empty() : blank(text))
      continue;
    // GitHub quotes the line; the caller masks what it shows.
    auto quoted = [&] { return "Invalid format '" + std::string(text) + "'"; };

    // Whichever of '=' and '<<' comes first decides, as in GitHub's runner:
    // `a=b<<c` is a plain value, `a<<x=y` a block with delimiter "x=y".
    size_t eq = text.find('=');
    size_t heredoc = text.find("<<");
    if (eq == std::string_view::npos && heredoc == std::string_view::npos)
      return fail(number, github ? quoted()
                                 : "expected `name=value` or `name<<DELIMITER`; "
                                   "write one output per line in one of these forms");
    bool is_block = heredoc < eq;
    std::string_view name = text.substr(0, is_block ? heredoc : eq);
    std::string_view delimiter = is_block ? text.substr(heredoc + 2) : std::string_view();
    if (github && is_block && (name.empty() || delimiter.empty()))
      return fail(number, quoted() + ". Name must not be empty and delimiter must not be empty");
    if (github && name.empty())
      // The runner means to refuse this but tests the line, not the name
      // (a bug); an unnamed value is of no use to anyone, so it is refused.
      return fail(number, quoted() + ". Name must not be empty");
    if (name.empty())
      return fail(number, "the output name is empty; write `name=value`");
    if (!github && !valid_name(name))
      // The text is not quoted: a task that wrote a bare secret here would
      // find part of it in the error, where masking does not know it.
      return fail(number, "the output name is not valid; use letters, digits, '_' and '-', "
                          "starting with a letter or '_'");

    std::string value;
    if (!is_block) {
      value = text.substr(eq + 1);
    } else {
      if (delimiter.empty())
        return fail(number, "`" + std::string(name) +
                                "<<` has no delimiter; write `" + std::string(name) +
                                "<<EOF`, the value's lines, then a line `EOF`");
      size_t end = i + 1;
      while (end < lines.size() && lines[end].text != delimiter) {
        // GitHub wants the newline that separates the value from the
        // delimiter even when the delimiter never comes.
        if (github && !lines[end].ended)
          return fail(number, "Invalid value. EOF marker missing new line.");
        ++end;
      }
      if (end == lines.size()) {
        if (!complete)
          break;  // still being written
        return fail(number, github ? "Invalid value. Matching delimiter not found '" +
                                         std::string(delimiter) + "'"
                                   : "the value of `" + std::string(name) +
                                         "` is not closed; end it with a line that is "
                                         "exactly `" + std::string(delimiter) + "`");
      }
      for (size_t j = i + 1; j < end; ++j) {
        if (j > i + 1)
          value += '\n';
        value.append(lines[j].text);
      }
      i = end;
    }

    const char* noun = github ? "value" : "output";
    if (value.size() > limits.value_bytes)
      return fail(number, std::string(noun) + " `" + std::string(name) + "` is " +
                              over_limit(value.size(), limits.value_bytes) +
                              " for one value; write large data to a file and "
                              "output its path instead");
    auto it = result.values.find(std::string(name));
    if (it != result.values.end())
      total -= it->second.size();
    total += value.size();
    if (total > limits.total_bytes)
      return fail(number, std::string(noun) + "s total " +
                              over_limit(total, limits.total_bytes) +
                              (github ? " for all values of one file"
                                      : " for all outputs of a task") +
                              "; write large data to a file and output its path instead");
    result.values[std::string(name)] = std::move(value);
  }
  return result;
}

}  // namespace runner
