#pragma once
// A step's `uses:` value: a local action (./path, relative to the workspace),
// a repository action (owner/repo[/sub/path]@ref) or a docker:// image (parsed
// so the caller can refuse it with a clear message). Pure.
#include <cstdint>
#include <string>
#include <string_view>

namespace runner::gh {

enum class uses_kind : uint8_t { local, repository, docker };

struct action_ref {
  uses_kind kind = uses_kind::local;
  std::string path;      // local: workspace + "/" + the relative path
  std::string owner;     // repository
  std::string repo;      // repository
  std::string sub_path;  // repository: "" or "sub/path" (no leading or trailing '/')
  std::string ref;       // repository: branch, tag or SHA
  std::string image;     // docker: what follows docker://
};

struct action_ref_parse {
  bool ok = false;
  action_ref ref;
  std::string error;  // when !ok
};

action_ref_parse parse_action_ref(std::string_view uses, std::string_view workspace);

// Validation used by the parser and the action store (path traversal and
// option injection): empty string when valid, otherwise why not.
std::string check_repo_name(std::string_view what, std::string_view name);  // owner or repo
std::string check_git_ref(std::string_view ref);
std::string check_sub_path(std::string_view path);

}  // namespace runner::gh
