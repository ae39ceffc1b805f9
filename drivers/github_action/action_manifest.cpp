#include "drivers/github_action/action_manifest.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <utility>

namespace runner::gh {
namespace {

struct manifest_error {
  YAML::Mark mark;
  std::string message;
};

[[noreturn]] void fail(const YAML::Mark& mark, std::string message) {
  throw manifest_error{mark, std::move(message)};
}

const char* kind_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "empty";
    default: return "a scalar";
  }
}

// A key of a mapping with its position; `value` is undefined when absent.
struct entry {
  bool found = false;
  YAML::Mark key_mark;
  YAML::Node value;
};

entry find(const YAML::Node& map, std::string_view key) {
  for (const auto& kv : map) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) {
      return {true, kv.first.Mark(), kv.second};
    }
  }
  return {};
}

void require_map(const YAML::Node& n, const YAML::Mark& at, const std::string& what) {
  if (!n.IsMap()) fail(at, "`" + what + "` must be a mapping, not " + kind_name(n));
}

// A scalar value; null (`key:`) reads as "".
std::string scalar(const entry& e, const std::string& what) {
  if (!e.found || e.value.IsNull()) return {};
  if (!e.value.IsScalar()) {
    fail(e.key_mark, "`" + what + "` must be a string, not " + kind_name(e.value));
  }
  return e.value.Scalar();
}

std::string scalar(const YAML::Node& map, std::string_view key, const std::string& path) {
  return scalar(find(map, key), path.empty() ? std::string(key) : path + "." + std::string(key));
}

std::map<std::string, std::string> string_map(const YAML::Node& map, std::string_view key,
                                              const std::string& path) {
  std::map<std::string, std::string> out;
  const entry e = find(map, key);
  const std::string what = path + "." + std::string(key);
  if (!e.found || e.value.IsNull()) return out;
  require_map(e.value, e.key_mark, what);
  for (const auto& kv : e.value) {
    const std::string name = kv.first.Scalar();
    out[name] = scalar(entry{true, kv.first.Mark(), kv.second}, what + "." + name);
  }
  return out;
}

std::vector<action_input> read_inputs(const YAML::Node& root) {
  std::vector<action_input> out;
  const entry e = find(root, "inputs");
  if (!e.found || e.value.IsNull()) return out;
  require_map(e.value, e.key_mark, "inputs");
  for (const auto& kv : e.value) {
    action_input in;
    in.name = kv.first.Scalar();
    const std::string path = "inputs." + in.name;
    const YAML::Node body = kv.second;
    if (!body.IsNull()) {
      require_map(body, kv.first.Mark(), path);
      in.description = scalar(body, "description", path);
      in.deprecation_message = scalar(body, "deprecationMessage", path);
      const entry req = find(body, "required");
      if (req.found && !req.value.IsNull()) {
        bool value = false;
        if (!req.value.IsScalar() || !YAML::convert<bool>::decode(req.value, value)) {
          fail(req.key_mark, "`" + path + ".required` must be true or false");
        }
        in.required = value;
      }
      const entry def = find(body, "default");
      if (def.found) in.default_value = scalar(def, path + ".default");
    }
    out.push_back(std::move(in));
  }
  return out;
}

std::vector<action_output> read_outputs(const YAML::Node& root) {
  std::vector<action_output> out;
  const entry e = find(root, "outputs");
  if (!e.found || e.value.IsNull()) return out;
  require_map(e.value, e.key_mark, "outputs");
  for (const auto& kv : e.value) {
    action_output o;
    o.name = kv.first.Scalar();
    const std::string path = "outputs." + o.name;
    if (!kv.second.IsNull()) {
      require_map(kv.second, kv.first.Mark(), path);
      o.description = scalar(kv.second, "description", path);
      o.value = scalar(kv.second, "value", path);
    }
    out.push_back(std::move(o));
  }
  return out;
}

composite_step read_step(const YAML::Node& node, size_t index) {
  const std::string path = "runs.steps[" + std::to_string(index) + "]";
  if (!node.IsMap()) fail(node.Mark(), "`" + path + "` must be a mapping, not " + kind_name(node));
  composite_step s;
  s.id = scalar(node, "id", path);
  s.name = scalar(node, "name", path);
  s.if_condition = scalar(node, "if", path);
  s.run = scalar(node, "run", path);
  s.shell = scalar(node, "shell", path);
  s.uses = scalar(node, "uses", path);
  s.with = string_map(node, "with", path);
  s.env = string_map(node, "env", path);
  s.working_directory = scalar(node, "working-directory", path);
  s.continue_on_error = scalar(node, "continue-on-error", path);
  const entry run = find(node, "run");
  const entry uses = find(node, "uses");
  if (run.found && uses.found) {
    fail(uses.key_mark, "`" + path + "` has both `run` and `uses`: a step does one of them; "
                        "split it into two steps");
  }
  if (!run.found && !uses.found) {
    fail(node.Mark(), "`" + path + "` has neither `run` nor `uses`: add `run:` with a `shell:`, "
                      "or `uses:` naming an action");
  }
  if (run.found && s.run.empty()) fail(run.key_mark, "`" + path + ".run` is empty");
  if (uses.found && s.uses.empty()) fail(uses.key_mark, "`" + path + ".uses` is empty");
  if (run.found && s.shell.empty()) {
    fail(run.key_mark, "`" + path + "` runs a command but has no `shell`: composite actions "
                       "require it (e.g. `shell: bash`)");
  }
  return s;
}

action_runs read_runs(const YAML::Node& root, const std::string& file) {
  const entry e = find(root, "runs");
  if (!e.found) {
    fail(root.Mark(), "top level `runs:` section is required for " + file +
                          ": add `runs:` with `using:` and its entry point");
  }
  require_map(e.value, e.key_mark, "runs");
  const YAML::Node& runs = e.value;
  action_runs r;
  const entry using_entry = find(runs, "using");
  if (!using_entry.found || using_entry.value.IsNull()) {
    fail(e.key_mark, "`runs.using` is missing: it requires composite, docker, node12, node16, "
                     "node20 or node24");
  }
  r.using_ = scalar(using_entry, "runs.using");
  std::transform(r.using_.begin(), r.using_.end(), r.using_.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (r.using_ == "node12" || r.using_ == "node16" || r.using_ == "node20" ||
      r.using_ == "node24") {
    r.kind = action_kind::node;
    r.main = scalar(runs, "main", "runs");
    if (r.main.empty()) {
      fail(e.key_mark, "`runs.main` is missing: a JavaScript action (using: " + r.using_ +
                           ") needs its entry file, e.g. `main: dist/index.js`");
    }
    r.pre = scalar(runs, "pre", "runs");
    r.post = scalar(runs, "post", "runs");
    r.pre_if = scalar(runs, "pre-if", "runs");
    r.post_if = scalar(runs, "post-if", "runs");
    if (!r.pre.empty() && r.pre_if.empty()) r.pre_if = "always()";
    if (!r.post.empty() && r.post_if.empty()) r.post_if = "always()";
  } else if (r.using_ == "composite") {
    r.kind = action_kind::composite;
    const entry steps = find(runs, "steps");
    if (!steps.found || steps.value.IsNull()) {
      fail(e.key_mark, "`runs.steps` is missing: a composite action needs a list of steps");
    }
    if (!steps.value.IsSequence()) {
      fail(steps.key_mark, std::string("`runs.steps` must be a list, not ") +
                               kind_name(steps.value));
    }
    for (size_t i = 0; i < steps.value.size(); ++i) r.steps.push_back(read_step(steps.value[i], i));
  } else if (r.using_ == "docker") {
    r.kind = action_kind::docker;
    r.image = scalar(runs, "image", "runs");
    if (r.image.empty()) {
      fail(e.key_mark, "`runs.image` is missing: a container action needs an image, e.g. "
                       "`image: Dockerfile` or `image: docker://alpine:3`");
    }
  } else {
    fail(using_entry.key_mark, "`runs.using` `" + using_entry.value.Scalar() +
                                   "` is not supported (node12, node16, node20, node24, "
                                   "composite, docker)");
  }
  return r;
}

std::string position(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return file + ":1:1: ";
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) +
         ": ";
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

action_manifest_result parse_action_manifest(std::string_view text, const std::string& file_name) {
  action_manifest_result result;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (!root.IsMap()) {
      fail(root.Mark(), std::string("the file must be a mapping with `runs:`, not ") +
                            kind_name(root));
    }
    action_manifest m;
    m.file = file_name;
    m.name = scalar(root, "name", "");
    m.description = scalar(root, "description", "");
    m.inputs = read_inputs(root);
    m.outputs = read_outputs(root);
    m.runs = read_runs(root, file_name);
    result.manifest = std::move(m);
  } catch (const manifest_error& e) {
    result.error = position(file_name, e.mark) + e.message;
  } catch (const YAML::Exception& e) {
    result.error = position(file_name, e.mark) + "not valid YAML: " + e.msg;
  }
  return result;
}

action_manifest_result load_action_manifest(const std::string& dir) {
  for (const char* name : {"action.yml", "action.yaml"}) {
    const std::string path = dir + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    std::ostringstream text;
    text << in.rdbuf();
    auto result = parse_action_manifest(text.str(), base_name(path));
    if (result.manifest) result.manifest->file = path;
    return result;
  }
  return {std::nullopt, "Can't find 'action.yml' or 'action.yaml' under '" + dir +
                            "': the action's directory needs its metadata file"};
}

}  // namespace runner::gh
