#include "drivers/github_action/action_task_spec.hpp"

#include "drivers/github_action/action_ref.hpp"
#include "drivers/github_action/gh_expressions.hpp"
#include "drivers/spec_problems.hpp"
#include "schema/spec_envs.hpp"
#include "schema/suggest.hpp"

namespace runner::gh {

namespace {

const std::vector<std::string> kFields = {"uses", "with", "env", "workspace", "github",
                                          "inherit_env"};

std::map<std::string, std::string> scalar_map(const json& spec, const char* field) {
  std::map<std::string, std::string> out;
  if (spec.contains(field) && spec[field].is_object())
    for (auto& [k, v] : spec[field].items())
      out[k] = spec_scalar_text(v);
  return out;
}

// `with:` and `env:`: a mapping of scalars whose `${{ }}` parse.
void check_scalar_map(const json& spec, const std::string& field, const char* example,
                      spec_problems& problems) {
  if (!spec.contains(field))
    return;
  const json& m = spec[field];
  if (!m.is_object()) {
    problems.report("/" + field, "`" + field + "` must be a mapping", example);
    return;
  }
  for (auto& [k, v] : m.items()) {
    std::string pointer = "/" + field + "/" + k;
    if (v.is_object() || v.is_array()) {
      problems.report(pointer, "`" + field + "." + k + "` must be a single value",
                      "quote it, or write a JSON text with toJSON() in the action");
      continue;
    }
    if (field == "env" && (k.empty() || k.find('=') != std::string::npos))
      problems.report(pointer, "environment variable name `" + k + "` is not valid",
                      "names may not be empty or contain `=`");
    if (!v.is_string())
      continue;
    auto parsed = parse_template(v.get<std::string>());
    if (!parsed.ok())
      problems.report(pointer, "`" + field + "." + k + "`: " + parsed.error->format(),
                      "GitHub expressions look like ${{ github.sha }} or ${{ env.NAME }}");
  }
}

}  // namespace

const std::vector<std::string>& settable_github_keys() {
  static const std::vector<std::string> keys = {
      "repository", "repository_owner", "sha",        "ref",         "ref_name",
      "ref_type",   "head_ref",         "base_ref",   "event_name",  "actor",
      "triggering_actor", "workflow",   "job",        "run_id",      "run_number",
      "run_attempt", "server_url",      "api_url",    "graphql_url", "retention_days"};
  return keys;
}

action_task_spec read_action_task_spec(const json& spec) {
  action_task_spec s;
  if (spec.contains("uses") && spec["uses"].is_string())
    s.uses = spec["uses"].get<std::string>();
  s.with = scalar_map(spec, "with");
  s.env = scalar_map(spec, "env");
  if (spec.contains("workspace") && spec["workspace"].is_string())
    s.workspace = spec["workspace"].get<std::string>();
  s.github = scalar_map(spec, "github");
  s.inherit_env = spec.contains("inherit_env") && spec["inherit_env"].is_boolean() &&
                  spec["inherit_env"].get<bool>();
  return s;
}

void check_action_task_spec(const task_decl& task, const std::string& file, diagnostics& out) {
  spec_problems problems(task, file, out);
  const json& spec = task.spec;
  if (!spec.is_object()) {
    problems.report("", "github_action needs a `spec` mapping with `uses`",
                    "spec: {uses: ./actions/hello, with: {who-to-greet: Mona}}");
    return;
  }
  for (auto& [key, value] : spec.items()) {
    if (std::find(kFields.begin(), kFields.end(), key) != kFields.end())
      continue;
    auto guess = closest_match(key, kFields);
    problems.report("/" + key, "unknown github_action field `" + key + "`",
                    guess.empty() ? "github_action takes uses, with, env, workspace, github, "
                                    "inherit_env"
                                  : "did you mean `" + guess + "`?");
  }
  if (!spec.contains("uses")) {
    problems.report("", "github_action needs `uses`",
                    "uses: ./path/to/action, or owner/repo@v1, or owner/repo/sub/path@v1");
  } else if (!spec["uses"].is_string()) {
    problems.report("/uses", "`uses` must be a string", "uses: actions/hello@v1");
  } else {
    auto ref = parse_action_ref(spec["uses"].get<std::string>(), "/");
    if (!ref.ok)
      problems.report("/uses", ref.error,
                      "uses: ./path/to/action, or owner/repo@v1, or owner/repo/sub/path@v1");
    else if (ref.ref.kind == uses_kind::docker)
      problems.report("/uses",
                      "`" + spec["uses"].get<std::string>() +
                          "` is a container image, and no container engine configured on this "
                          "runner",
                      "use a node or composite action");
  }
  check_scalar_map(spec, "with", "with: {who-to-greet: Mona}", problems);
  check_scalar_map(spec, "env", "env: {GREETING: hello}", problems);
  if (spec.contains("workspace") &&
      (!spec["workspace"].is_string() || spec["workspace"].get<std::string>().empty()))
    problems.report("/workspace", "`workspace` must be a directory path",
                    "workspace: /srv/checkout (GITHUB_WORKSPACE; default: the runner's "
                    "working directory)");
  if (spec.contains("inherit_env") && !spec["inherit_env"].is_boolean())
    problems.report("/inherit_env", "`inherit_env` must be true or false", "inherit_env: true");
  if (spec.contains("github")) {
    const json& g = spec["github"];
    if (!g.is_object()) {
      problems.report("/github", "`github` must be a mapping",
                      "github: {repository: octo/demo, sha: 0123abc, ref: refs/heads/main}");
    } else {
      const auto& keys = settable_github_keys();
      for (auto& [k, v] : g.items()) {
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
          auto guess = closest_match(k, keys);
          problems.report("/github/" + k, "`github." + k + "` cannot be set",
                          guess.empty() ? "settable: repository, sha, ref, event_name, actor, "
                                          "workflow, job, run_id, run_number, ..."
                                        : "did you mean `" + guess + "`?");
        } else if (v.is_object() || v.is_array()) {
          problems.report("/github/" + k, "`github." + k + "` must be a single value",
                          "quote it");
        }
      }
    }
  }
}

}  // namespace runner::gh
