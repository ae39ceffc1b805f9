#include "drivers/github_action/action_context.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <cctype>
#include <functional>

namespace runner::gh {

namespace {

// The keys GitHub's runner exports as GITHUB_<KEY> (GitHubContext.cs), plus
// the file-command ones, which reach the process from the step's files.
const char* const kExported[] = {
    "action",      "action_path",  "action_ref",   "action_repository", "actor",
    "api_url",     "base_ref",     "event_name",   "event_path",        "graphql_url",
    "head_ref",    "job",          "ref",          "ref_name",          "ref_protected",
    "ref_type",    "repository",   "repository_owner", "retention_days", "run_attempt",
    "run_id",      "run_number",   "server_url",   "sha",               "triggering_actor",
    "workflow",    "workspace"};

std::string upper(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string arch() {
  struct utsname u;
  if (uname(&u) != 0)
    return "X64";
  std::string m = u.machine;
  if (m == "x86_64") return "X64";
  if (m == "aarch64" || m == "arm64") return "ARM64";
  if (m.rfind("arm", 0) == 0) return "ARM";
  if (m.size() == 4 && m[0] == 'i' && m.substr(2) == "86") return "X86";
  return upper(m);
}

}  // namespace

nlohmann::json make_github_context(const action_task_spec& spec, const run_facts& facts) {
  nlohmann::json g = nlohmann::json::object();
  // GitHub's run ids are numbers; some actions parse them.
  std::string run_id = std::to_string(std::hash<std::string>{}(facts.run_id) % 10000000000ULL);
  g["workflow"] = facts.group_id;
  g["job"] = facts.task_name;
  g["run_id"] = run_id;
  g["run_number"] = "1";
  g["run_attempt"] = std::to_string(facts.attempt);
  g["event_name"] = "workflow_dispatch";
  g["event_path"] = facts.event_path;
  g["event"] = nlohmann::json::object();
  g["server_url"] = "https://github.com";
  g["api_url"] = "https://api.github.com";
  g["graphql_url"] = "https://api.github.com/graphql";
  g["retention_days"] = "90";
  g["workspace"] = facts.workspace;
  for (const char* k : {"repository", "repository_owner", "sha", "ref", "ref_name", "ref_type",
                        "head_ref", "base_ref", "actor", "triggering_actor"})
    g[k] = "";
  g["token"] = "";
  for (auto& [k, v] : spec.github)
    g[k] = v;
  // Derived the way GitHub fills them, unless given.
  std::string repo = g["repository"];
  if (!spec.github.count("repository_owner") && repo.find('/') != std::string::npos)
    g["repository_owner"] = repo.substr(0, repo.find('/'));
  std::string ref = g["ref"];
  for (auto [prefix, type] : {std::pair{"refs/heads/", "branch"}, std::pair{"refs/tags/", "tag"}}) {
    std::string p = prefix;
    if (ref.rfind(p, 0) == 0) {
      if (!spec.github.count("ref_name"))
        g["ref_name"] = ref.substr(p.size());
      if (!spec.github.count("ref_type"))
        g["ref_type"] = type;
    }
  }
  if (!spec.github.count("triggering_actor"))
    g["triggering_actor"] = g["actor"];
  return g;
}

nlohmann::json make_runner_context(const std::string& node_name, const std::string& temp,
                                   const std::string& tool_cache) {
  return {{"os", "Linux"},           {"arch", arch()},      {"name", node_name},
          {"temp", temp},            {"tool_cache", tool_cache},
          {"environment", "self-hosted"}};
}

std::map<std::string, std::string> github_variables(const nlohmann::json& github) {
  std::map<std::string, std::string> out;
  for (const char* k : kExported) {
    auto i = github.find(k);
    if (i != github.end() && i->is_string())
      out["GITHUB_" + upper(k)] = i->get<std::string>();
  }
  out["GITHUB_ACTIONS"] = "true";
  out["CI"] = "true";
  return out;
}

std::map<std::string, std::string> runner_variables(const nlohmann::json& runner) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : runner.items())
    if (v.is_string())
      out["RUNNER_" + upper(k)] = v.get<std::string>();
  return out;
}

std::string input_variable(const std::string& input_name) {
  std::string n = input_name;
  std::replace(n.begin(), n.end(), ' ', '_');
  return "INPUT_" + upper(n);
}

}  // namespace runner::gh
