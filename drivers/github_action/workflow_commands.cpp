#include "drivers/github_action/workflow_commands.hpp"

#include <cctype>
#include <climits>
#include <utility>

namespace runner::gh {

const char* const stop_token_refused_message =
    "You cannot use a endToken that is an empty string, the string 'pause-logging', or "
    "another workflow command. For more information see: "
    "https://docs.github.com/actions/learn-github-actions/"
    "workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands "
    "or opt into insecure command execution by setting the "
    "`ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment variable to `true`.";

std::string disabled_command_message(std::string_view command) {
  return "The `" + std::string(command) +
         "` command is disabled. Please upgrade to using Environment Files or opt into "
         "unsecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` "
         "environment variable to `true`. For more information see: "
         "https://github.blog/changelog/"
         "2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/";
}

std::string deprecated_command_message(std::string_view command) {
  return "The `" + std::string(command) +
         "` command is deprecated and will be disabled soon. Please upgrade to using "
         "Environment Files. For more information see: https://github.blog/changelog/"
         "2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/";
}

namespace {

// The runner's registered commands; any other name is ordinary output.
const char* const kCommands[] = {
    "stop-commands", "set-env", "set-output", "save-state", "add-mask",
    "add-path",      "add-matcher", "remove-matcher", "debug", "warning",
    "error",         "notice", "group", "endgroup", "echo"};

// Commands whose line is never echoed: their data may be a secret or is
// shown in another form anyway (OmitEcho in the runner).
const char* const kOmitEcho[] = {"add-mask", "debug", "warning", "error", "notice"};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

template <size_t N>
bool one_of(std::string_view name, const char* const (&names)[N]) {
  for (const char* n : names) {
    if (iequals(name, n))
      return true;
  }
  return false;
}

bool space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && space(s.back()))
    s.remove_suffix(1);
  return s;
}

using escape = std::pair<const char*, const char*>;
const escape kDataEscapes[] = {{"%0D", "\r"}, {"%0A", "\n"}, {"%25", "%"}};
const escape kPropertyEscapes[] = {
    {"%0D", "\r"}, {"%0A", "\n"}, {"%3A", ":"}, {"%2C", ","}, {"%25", "%"}};
const escape kLegacyEscapes[] = {
    {"%3B", ";"}, {"%0D", "\r"}, {"%0A", "\n"}, {"%5D", "]"}, {"%25", "%"}};

// One whole-string replace per escape, in the runner's order ("%25" last, so
// "%250A" stays "%0A").
template <size_t N>
std::string unescape(std::string_view s, const escape (&table)[N]) {
  std::string out(s);
  for (const escape& e : table) {
    std::string_view from = e.first;
    for (size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + 1))
      out.replace(at, from.size(), e.second);
  }
  return out;
}

// Property keys are case-insensitive; a later key replaces an earlier one.
struct properties {
  std::vector<std::pair<std::string, std::string>> items;

  std::string get(std::string_view key) const {
    for (const auto& [k, v] : items) {
      if (iequals(k, key))
        return v;
    }
    return {};
  }
  void set(std::string_view key, std::string value) {
    for (auto& [k, v] : items) {
      if (iequals(k, key)) {
        v = std::move(value);
        return;
      }
    }
    items.emplace_back(std::string(key), std::move(value));
  }
  void erase(std::string_view key) {
    for (auto it = items.begin(); it != items.end(); ++it) {
      if (iequals(it->first, key)) {
        items.erase(it);
        return;
      }
    }
  }
};

// `k=v` pieces the way .NET's Split('=', 2, RemoveEmptyEntries) cuts them:
// empty pieces do not count, so "=a=b" and "a==b" are both a=b, and a piece
// without both a key and a value is dropped.
template <size_t N>
void add_properties(properties& props, std::string_view text, char separator,
                    const escape (&table)[N]) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view piece = text.substr(start, end - start);
    start = end + 1;
    size_t k = piece.find_first_not_of('=');
    size_t eq = piece.find('=', k == std::string_view::npos ? piece.size() : k);
    size_t v = piece.find_first_not_of('=', eq == std::string_view::npos ? piece.size() : eq);
    if (v == std::string_view::npos)
      continue;
    props.set(piece.substr(k, eq - k), unescape(piece.substr(v), table));
  }
}

// int.TryParse: optional white space around, an optional sign, digits, in range.
bool parse_int(std::string_view s, long& out) {
  s = trim(s);
  bool negative = !s.empty() && s.front() == '-';
  if (!s.empty() && (s.front() == '-' || s.front() == '+'))
    s.remove_prefix(1);
  if (s.empty())
    return false;
  long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return false;
    v = v * 10 + (c - '0');
    if (v > static_cast<long long>(INT_MAX) + 1)
      return false;
  }
  if (negative)
    v = -v;
  if (v > INT_MAX)
    return false;
  out = static_cast<long>(v);
  return true;
}

// IssueCommandExtension.ValidateLinesAndColumns, rule for rule: what does not
// fit together is dropped, not refused.
void check_lines_and_columns(properties& p) {
  std::string line = p.get("line"), end_line = p.get("endLine");
  std::string col = p.get("col"), end_col = p.get("endColumn");
  long line_n = 0, end_line_n = 0, col_n = 0, end_col_n = 0;
  bool has_line = parse_int(line, line_n), has_end_line = parse_int(end_line, end_line_n);
  bool has_col = parse_int(col, col_n), has_end_col = parse_int(end_col, end_col_n);
  bool has_column = has_col || has_end_col;
  if (has_end_line && !has_line) {
    p.set("line", end_line);
    has_line = true;
    line = end_line;
  }
  if (has_end_col && !has_col) {
    p.set("col", end_col);
    has_col = true;
  }
  if (!has_line && has_column) {
    p.erase("col");
    p.erase("endColumn");
  }
  if (has_end_line && line != end_line && has_column) {
    p.erase("col");
    p.erase("endColumn");
  }
  // line_n and col_n stay 0 when they were copied above, as in the runner.
  if (has_line && has_end_line && end_line_n < line_n) {
    p.erase("line");
    p.erase("endLine");
  }
  if (has_col && has_end_col && end_col_n < col_n) {
    p.erase("col");
    p.erase("endColumn");
  }
}

// IOUtil.MakeRelative on Linux: the part below `folder`, "" for the folder
// itself, otherwise the path unchanged.
std::string make_relative(const std::string& path, const std::string& folder) {
  if (path.compare(0, folder.size(), folder) != 0)
    return path;
  if (path.size() == folder.size())
    return "";
  if (!folder.empty() && folder.back() == '/')
    return path.substr(folder.size());
  if (path[folder.size()] == '/')
    return path.substr(folder.size() + 1);
  return path;
}

bool named(std::string_view name, std::string_view extra) {
  return one_of(name, kCommands) || (!extra.empty() && iequals(name, extra));
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The masker ignores lines of a secret shorter than this too: "ab" is a line
// of many values and of much harmless output.
const size_t kMinLineMask = 4;

}  // namespace

struct command_line {
  std::string name;  // as written
  properties props;
  std::string data;
};

namespace {

// `::name k=v,k=v::data` after leading white space (TryParseV2). `extra` is
// the stop token, which counts as a command while output is stopped.
std::optional<command_line> parse_v2(std::string_view message, std::string_view extra) {
  while (!message.empty() && space(message.front()))
    message.remove_prefix(1);
  if (message.substr(0, 2) != "::")
    return std::nullopt;
  size_t end = message.find("::", 2);
  if (end == std::string_view::npos)
    return std::nullopt;
  std::string_view info = message.substr(2, end - 2);
  size_t sp = info.find(' ');
  std::string_view name = info.substr(0, sp);
  if (name.empty() || !named(name, extra))
    return std::nullopt;
  command_line c;
  c.name = name;
  if (sp != std::string_view::npos)
    add_properties(c.props, trim(info.substr(sp + 1)), ',', kPropertyEscapes);
  c.data = unescape(message.substr(end + 2), kDataEscapes);
  return c;
}

// `##[name k=v;k=v]data` anywhere in the line (TryParse, the older form the
// runner still accepts).
std::optional<command_line> parse_legacy(std::string_view message, std::string_view extra) {
  size_t prefix = message.find("##[");
  if (prefix == std::string_view::npos)
    return std::nullopt;
  size_t rb = message.find(']', prefix);
  if (rb == std::string_view::npos)
    return std::nullopt;
  std::string_view info = message.substr(prefix + 3, rb - prefix - 3);
  size_t sp = info.find(' ');
  std::string_view name = info.substr(0, sp);
  if (name.empty() || !named(name, extra))
    return std::nullopt;
  command_line c;
  c.name = name;
  if (sp != std::string_view::npos)
    add_properties(c.props, info.substr(sp + 1), ';', kLegacyEscapes);
  c.data = unescape(message.substr(rb + 1), kLegacyEscapes);
  return c;
}

}  // namespace

command_options command_options_from(const std::map<std::string, std::string>& vars) {
  // bool.TryParse: "true" in any case, white space around allowed.
  auto try_parse = [&](const char* name) {
    auto it = vars.find(name);
    return it != vars.end() && iequals(trim(it->second), "true");
  };
  // StringUtil.ConvertToBoolean: "1", "true" or "$true" in any case.
  auto convert = [&](const char* name) {
    auto it = vars.find(name);
    return it != vars.end() &&
           (it->second == "1" || iequals(it->second, "true") || iequals(it->second, "$true"));
  };
  command_options o;
  o.step_debug = try_parse("ACTIONS_STEP_DEBUG");
  o.allow_unsecure_commands = try_parse("ACTIONS_ALLOW_UNSECURE_COMMANDS");
  o.allow_unsecure_stop_tokens = convert("ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS");
  auto ws = vars.find("GITHUB_WORKSPACE");
  if (ws != vars.end())
    o.workspace = ws->second;
  return o;
}

workflow_commands::workflow_commands(command_options options)
    : options_(std::move(options)), echo_(options_.step_debug) {}

command_result workflow_commands::process(std::string_view line) {
  std::optional<command_line> cmd = parse_v2(line, stop_token_);
  if (!cmd)
    cmd = parse_legacy(line, stop_token_);
  if (cmd && !stopped_)
    return run(line, *cmd);
  // While stopped only the token resumes (its line is shown); every other
  // line, commands included, is plain output. An empty token never resumes.
  if (cmd && !stop_token_.empty() && iequals(cmd->name, stop_token_)) {
    stopped_ = false;
    stop_token_.clear();
  }
  command_result r;
  r.log.emplace_back(line);
  return r;
}

command_result workflow_commands::run(std::string_view line, const command_line& cmd) {
  command_result r;
  const std::string name = lower(cmd.name);
  const std::string& data = cmd.data;

  if (name == "stop-commands") {
    bool invalid = data.empty() || one_of(data, kCommands) || iequals(data, "pause-logging");
    if (invalid && !options_.allow_unsecure_stop_tokens) {
      // The runner throws out of its command manager: the step fails and
      // the line is not shown.
      r.log.push_back(std::string("##[error]") + stop_token_refused_message);
      r.failure = stop_token_refused_message;
      return r;
    }
    // A token long enough to be guessed by no one is kept out of the log, so
    // output cannot learn it and resume commands itself.
    if (data.size() > 6)
      r.masks.push_back(data);
    stopped_ = true;
    stop_token_ = data;
    r.log.emplace_back(line);
    return r;
  }

  const bool omit_echo = one_of(name, kOmitEcho);
  if (echo_ && !omit_echo)
    r.log.emplace_back(line);
  // What the runner prints when a command handler throws; the step fails.
  auto fail = [&](std::string message) {
    r.log.push_back("##[error]Unable to process command '" +
                    (omit_echo ? name : std::string(line)) + "' successfully.");
    r.log.push_back("##[error]" + message);
    r.failure = std::move(message);
  };
  auto warn = [&](const std::string& message) { r.log.push_back("##[warning]" + message); };
  const std::string prop_name = cmd.props.get("name");

  if (name == "set-env" || name == "add-path") {
    if (!options_.allow_unsecure_commands)
      fail(disabled_command_message(name));
    else if (name == "add-path" && data.empty())
      fail("Value cannot be null. (Parameter 'path')");  // ArgUtil.NotNullOrEmpty
    else if (name == "add-path")
      r.path = data;
    else if (prop_name.empty())
      fail("Required field 'name' is missing in ##[set-env] command.");
    else if (iequals(prop_name, "NODE_OPTIONS"))
      r.log.push_back(
          "##[error]Can't update NODE_OPTIONS environment variable using ::set-env:: command.");
    else
      r.env = named_value{prop_name, data};
  } else if (name == "set-output" || name == "save-state") {
    // GitHub warns first (server flag DeprecateStepOutputCommands, on today),
    // then still does it.
    warn(deprecated_command_message(name));
    if (prop_name.empty())
      fail("Required field 'name' is missing in ##[" + name + "] command.");
    else if (name == "set-output")
      r.output = named_value{prop_name, data};
    else
      r.state = named_value{prop_name, data};
  } else if (name == "add-mask") {
    if (trim(data).empty()) {
      warn("Can't add secret mask for empty string in ##[add-mask] command.");
    } else {
      if (echo_)
        r.log.push_back("::add-mask::***");
      r.masks.push_back(data);
      // Output reaches the log a line at a time, so each line of a multi-line
      // secret is one too (trimmed, as the runner does for secret variables).
      if (data.find_first_of("\r\n") != std::string::npos) {
        for (const std::string& l : split_lines(data)) {
          std::string t(trim(l));
          if (t.size() >= kMinLineMask && t != data)
            r.masks.push_back(std::move(t));
        }
      }
    }
  } else if (name == "debug") {
    if (options_.step_debug) {
      std::string text = data;
      for (size_t at = text.find("\r\n"); at != std::string::npos; at = text.find("\r\n", at))
        text.erase(at, 1);
      for (const std::string& l : split_lines(text))
        r.log.push_back("##[debug]" + l);
    }
  } else if (name == "error" || name == "warning" || name == "notice") {
    properties props = cmd.props;
    check_lines_and_columns(props);
    annotation a;
    a.level = name;
    a.message = data;
    a.title = props.get("title");
    a.file = props.get("file");
    if (!a.file.empty() && !options_.workspace.empty()) {
      std::string relative = make_relative(a.file, options_.workspace);
      if (relative != a.file && !relative.empty())
        a.file = relative;
    }
    a.line = props.get("line");
    a.end_line = props.get("endLine");
    a.col = props.get("col");
    a.end_column = props.get("endColumn");
    // The log shows the message only; the location goes with the annotation.
    r.log.push_back("##[" + name + "]" + data);
    r.issue = std::move(a);
  } else if (name == "group") {
    r.log.push_back("##[group]" + data);
  } else if (name == "endgroup") {
    r.log.push_back("##[endgroup]");
  } else if (name == "echo") {
    std::string value = lower(trim(data));
    if (data.empty())
      fail("Value cannot be null. (Parameter 'value')");  // ArgUtil.NotNullOrEmpty
    else if (value == "on")
      echo_ = true;
    else if (value == "off")
      echo_ = false;
    else
      fail("Invalid echo command value. Possible values can be: 'on', 'off'. Current value "
           "is: '" + data + "'.");
  }
  // add-matcher, remove-matcher: problem matchers are not supported; the
  // line is consumed as on GitHub, and nothing else happens.
  return r;
}

}  // namespace runner::gh
