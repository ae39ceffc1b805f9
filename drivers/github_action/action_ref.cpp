#include "drivers/github_action/action_ref.hpp"

namespace runner::gh {
namespace {

std::string quoted(std::string_view s) { return "`" + std::string(s) + "`"; }

std::string not_a_reference(std::string_view uses) {
  return "`uses: " + std::string(uses) +
         "` is not an action reference: write ./path or owner/repo[/path]@ref";
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_' || c == '.';
}

}  // namespace

std::string check_repo_name(std::string_view what, std::string_view name) {
  if (name.empty())
    return std::string(what) + " is empty";
  if (name == "." || name == "..")
    return std::string(what) + " " + quoted(name) + " is not allowed";
  if (name.front() == '-')
    return std::string(what) + " " + quoted(name) + " must not start with '-'";
  for (char c : name)
    if (!is_name_char(c))
      return std::string(what) + " " + quoted(name) +
             " may only contain letters, digits, '-', '_' and '.'";
  return {};
}

std::string check_git_ref(std::string_view ref) {
  if (ref.empty())
    return "the ref after '@' is empty";
  if (ref.front() == '-')
    return "ref " + quoted(ref) + " must not start with '-'";
  if (ref.find("..") != std::string_view::npos || ref.find("@{") != std::string_view::npos)
    return "ref " + quoted(ref) + " is not a valid git ref";
  for (unsigned char c : ref)
    if (c < 0x21 || c == 0x7f || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' ||
        c == '[' || c == '\\')
      return "ref " + quoted(ref) + " is not a valid git ref";
  if (ref.front() == '/' || ref.back() == '/' || ref.find("//") != std::string_view::npos ||
      ref.back() == '.')
    return "ref " + quoted(ref) + " is not a valid git ref";
  // No component may be "." or start with '.' (git's rule; also keeps the
  // store's directory names safe).
  size_t start = 0;
  while (start <= ref.size()) {
    size_t end = ref.find('/', start);
    if (end == std::string_view::npos)
      end = ref.size();
    if (end > start && ref[start] == '.')
      return "ref " + quoted(ref) + " is not a valid git ref";
    start = end + 1;
  }
  return {};
}

std::string check_sub_path(std::string_view path) {
  if (path.empty())
    return "the action's path inside the repository is empty";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos)
      end = path.size();
    auto part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..")
      return "path " + quoted(path) + " inside the repository must not contain empty, '.' or "
             "'..' parts";
    for (unsigned char c : part)
      if (c < 0x20 || c == '\\')
        return "path " + quoted(path) + " inside the repository contains a forbidden character";
    start = end + 1;
  }
  return {};
}

action_ref_parse parse_action_ref(std::string_view uses, std::string_view workspace) {
  action_ref_parse out;
  if (uses.empty()) {
    out.error = "`uses:` is empty: write ./path or owner/repo[/path]@ref";
    return out;
  }
  constexpr std::string_view docker = "docker://";
  if (uses.substr(0, docker.size()) == docker) {
    auto image = uses.substr(docker.size());
    if (image.empty()) {
      out.error = "`uses: " + std::string(uses) + "` names no image after docker://";
      return out;
    }
    out.ref.kind = uses_kind::docker;
    out.ref.image = std::string(image);
    out.ok = true;
    return out;
  }
  if (uses.substr(0, 2) == "./" || uses == ".") {
    auto rel = uses.size() > 2 ? uses.substr(2) : std::string_view{};
    while (!rel.empty() && rel.back() == '/')
      rel.remove_suffix(1);
    if (!rel.empty()) {
      if (auto e = check_sub_path(rel); !e.empty()) {
        out.error = "`uses: " + std::string(uses) + "`: the local path must stay inside the "
                    "workspace (no '..' parts)";
        return out;
      }
    }
    out.ref.kind = uses_kind::local;
    out.ref.path = std::string(workspace);
    if (!rel.empty()) {
      if (out.ref.path.empty() || out.ref.path.back() != '/')
        out.ref.path += '/';
      out.ref.path += std::string(rel);
    }
    out.ok = true;
    return out;
  }
  auto at = uses.find('@');
  if (at == std::string_view::npos) {
    out.error = not_a_reference(uses);
    return out;
  }
  auto name = uses.substr(0, at);
  auto ref = uses.substr(at + 1);
  auto slash = name.find('/');
  if (slash == std::string_view::npos) {
    out.error = not_a_reference(uses);
    return out;
  }
  auto owner = name.substr(0, slash);
  auto rest = name.substr(slash + 1);
  auto slash2 = rest.find('/');
  auto repo = rest.substr(0, slash2);
  std::string_view sub;
  if (slash2 != std::string_view::npos) {
    sub = rest.substr(slash2 + 1);
    if (sub.empty()) {
      out.error = not_a_reference(uses);
      return out;
    }
  }
  std::string problem = check_repo_name("owner", owner);
  if (problem.empty())
    problem = check_repo_name("repository", repo);
  if (problem.empty() && !sub.empty())
    problem = check_sub_path(sub);
  if (problem.empty())
    problem = check_git_ref(ref);
  if (!problem.empty()) {
    out.error = "`uses: " + std::string(uses) + "`: " + problem;
    return out;
  }
  out.ref.kind = uses_kind::repository;
  out.ref.owner = std::string(owner);
  out.ref.repo = std::string(repo);
  out.ref.sub_path = std::string(sub);
  out.ref.ref = std::string(ref);
  out.ok = true;
  return out;
}

}  // namespace runner::gh
