#pragma once
// How a composite `run:` step is started, from its `shell:` (GitHub's runner,
// ScriptHandlerHelpers.cs): bash, sh, python, pwsh or a custom "prog {0}"
// format. Pure: the caller writes the script file and spawns argv.
#include <string>
#include <string_view>
#include <vector>

namespace runner::gh {

struct shell_command {
  bool ok = false;
  std::string error;           // when !ok: GitHub's message
  std::string extension;       // of the script file: ".sh", ".py", ".ps1", ""
  std::string prologue;        // written before the script (pwsh)
  std::string epilogue;        // written after it (pwsh)
  std::vector<std::string> argv_format;  // "{0}" stands for the script path
};

shell_command parse_shell(std::string_view shell);

// argv_format with every "{0}" replaced by `script`.
std::vector<std::string> shell_argv(const shell_command& c, const std::string& script);

}  // namespace runner::gh
