#pragma once
// An action's metadata file (action.yml / action.yaml) read into a struct, with
// the rules of GitHub's runner (ActionManifestManager, design notes §4):
// runs.using node12/16/20/24 needs `main`, composite needs `steps`, docker needs
// `image`; pre-if/post-if default to `always()` when pre/post are given; a
// composite `run` step needs `shell`. Nothing is evaluated: `${{ }}` stays as
// written. Unknown top-level keys (branding, author, ...) are ignored.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace runner::gh {

struct action_input {
  std::string name;
  std::string description;
  bool required = false;
  std::optional<std::string> default_value;  // as written; may hold `${{ }}`
  std::string deprecation_message;           // deprecationMessage
};

struct action_output {
  std::string name;
  std::string description;
  std::string value;  // composite only: evaluated after the steps
};

enum class action_kind { node, composite, docker };

struct composite_step {
  std::string id;
  std::string name;
  std::string if_condition;  // empty: success() applies
  std::string run;           // exactly one of run and uses is set
  std::string shell;         // set whenever run is
  std::string uses;
  std::map<std::string, std::string> with;
  std::map<std::string, std::string> env;
  std::string working_directory;
  std::string continue_on_error;  // as written ("true", "false", `${{ }}`); empty: false
};

struct action_runs {
  action_kind kind = action_kind::node;
  std::string using_;  // lower case, e.g. "node20"
  // node
  std::string main;
  std::string pre;
  std::string post;
  std::string pre_if;   // `always()` when pre is given and pre-if is not
  std::string post_if;  // `always()` when post is given and post-if is not
  // composite
  std::vector<composite_step> steps;
  // docker
  std::string image;
};

struct action_manifest {
  std::string file;  // the file read (full path for load_action_manifest)
  std::string name;
  std::string description;
  std::vector<action_input> inputs;    // in file order
  std::vector<action_output> outputs;  // in file order
  action_runs runs;
};

struct action_manifest_result {
  std::optional<action_manifest> manifest;
  // Set when manifest is not: "<file>:<line>:<column>: <problem and what to fix>"
  // (positions 1-based; the file name as passed / the base name when loaded).
  std::string error;
};

// `file_name` is used in messages only.
action_manifest_result parse_action_manifest(std::string_view text, const std::string& file_name);

// Reads `dir`/action.yml, else `dir`/action.yaml.
action_manifest_result load_action_manifest(const std::string& dir);

}  // namespace runner::gh
