#include "drivers/github_action/file_commands.hpp"

#include <algorithm>
#include <cctype>

#include "drivers/output_file.hpp"

namespace runner::gh {

namespace {

// The github context key each file belongs to, as the runner names it.
const char* key_of(file_command which) {
  switch (which) {
    case file_command::output: return "output";
    case file_command::env: return "env";
    case file_command::state: return "state";
    case file_command::path: return "path";
  }
  return "";
}

// Compared ignoring case, as the runner does.
bool is_node_options(const std::string& name) {
  static const std::string node = "NODE_OPTIONS";
  auto same = [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; };
  return name.size() == node.size() && std::equal(name.begin(), name.end(), node.begin(), same);
}

// File.ReadAllLines: "\r\n", "\n" and a lone "\r" all end a line.
std::vector<std::string> read_all_lines(std::string_view content) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find_first_of("\r\n", start);
    if (end == std::string_view::npos)
      end = content.size();
    lines.emplace_back(content.substr(start, end - start));
    if (end + 1 < content.size() && content[end] == '\r' && content[end + 1] == '\n')
      ++end;
    start = end + 1;
  }
  return lines;
}

}  // namespace

file_command_result read_file_command(file_command which, std::string_view content,
                                      const output_limits& limits) {
  file_command_result r;
  std::string error;
  if (which == file_command::path) {
    if (content.size() > limits.value_bytes) {
      error = "GITHUB_PATH holds " + std::to_string(content.size()) + " bytes, over the " +
              std::to_string(limits.value_bytes) + " bytes limit for one value";
    } else {
      for (std::string& line : read_all_lines(content)) {
        if (!line.empty())  // not trimmed: a path may end in a space
          r.paths.push_back(std::move(line));
      }
    }
  } else {
    output_file_result parsed =
        parse_output_file(content, limits, true, output_file_rules::github);
    r.values = std::move(parsed.values);
    error = parsed.error.value_or("");
  }

  if (which == file_command::env) {
    // A later step's node would load whatever NODE_OPTIONS names
    // (--require): the runner refuses it, reports it, and goes on.
    for (auto it = r.values.begin(); it != r.values.end();) {
      if (is_node_options(it->first)) {
        r.log.push_back(
            "##[error]Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.");
        it = r.values.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (!error.empty()) {
    r.log.push_back(std::string("##[error]Unable to process file command '") + key_of(which) +
                    "' successfully.");
    r.log.push_back("##[error]" + error);
    r.failure = std::move(error);
  }
  return r;
}

void add_paths(std::vector<std::string>& prepended, const std::vector<std::string>& added) {
  for (const std::string& p : added) {
    prepended.erase(std::remove(prepended.begin(), prepended.end(), p), prepended.end());
    prepended.push_back(p);
  }
}

std::string prepend_paths(const std::vector<std::string>& prepended, std::string_view path) {
  std::string out;
  for (auto it = prepended.rbegin(); it != prepended.rend(); ++it) {
    if (it != prepended.rbegin())
      out += ':';
    out += *it;
  }
  if (prepended.empty())
    return std::string(path);
  if (!path.empty())
    out += ':' + std::string(path);
  return out;
}

}  // namespace runner::gh
