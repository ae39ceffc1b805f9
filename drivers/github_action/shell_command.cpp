#include "drivers/github_action/shell_command.hpp"

namespace runner::gh {

namespace {

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start)
      out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

}  // namespace

shell_command parse_shell(std::string_view shell) {
  shell_command c;
  c.ok = true;
  if (shell == "bash") {
    c.extension = ".sh";
    c.argv_format = {"bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "{0}"};
  } else if (shell == "sh") {
    c.extension = ".sh";
    c.argv_format = {"sh", "-e", "{0}"};
  } else if (shell == "python") {
    c.extension = ".py";
    // Debian has no `python`; GitHub's images point it at python3.
    c.argv_format = {"python3", "{0}"};
  } else if (shell == "pwsh") {
    c.extension = ".ps1";
    c.prologue = "$ErrorActionPreference = 'stop'\n";
    c.epilogue = "\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }\n";
    c.argv_format = {"pwsh", "-command", ". '{0}'"};
  } else if (shell.find("{0}") != std::string_view::npos) {
    c.argv_format = split_words(shell);
  } else {
    c.ok = false;
    c.error =
        "Invalid shell option. Shell must be a valid built-in (bash, sh, cmd, powershell, pwsh) "
        "or a format string containing '{0}'";
  }
  return c;
}

std::vector<std::string> shell_argv(const shell_command& c, const std::string& script) {
  std::vector<std::string> argv;
  for (const std::string& a : c.argv_format) {
    std::string out;
    size_t done = 0;
    for (size_t at = a.find("{0}"); at != std::string::npos; at = a.find("{0}", done)) {
      out.append(a, done, at - done);
      out += script;
      done = at + 3;
    }
    out.append(a, done, std::string::npos);
    argv.push_back(std::move(out));
  }
  return argv;
}

}  // namespace runner::gh
