#include "drivers/github_action/action_manifest.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

namespace runner::gh {
namespace {

namespace fs = std::filesystem;

// A directory from mkdtemp, removed with everything in it at the end of the test.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "gh_action_manifest_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ + "/" + name, std::ios::binary) << text;
  }

 private:
  std::string path_;
};

struct good_case {
  const char* name;
  const char* file;
  std::string text;
  std::function<void(const action_manifest&)> check;
};

TEST(GhActionManifest, ReadsEachKindOfAction) {
  const good_case cases[] = {
      {"node20 with inputs, defaults, required, pre/post", "action.yml",
       "name: Setup thing\n"
       "description: Sets the thing up\n"
       "author: someone\n"
       "branding: {icon: box, color: blue}\n"
       "inputs:\n"
       "  token:\n"
       "    description: The token\n"
       "    required: true\n"
       "    default: ${{ github.token }}\n"
       "  version:\n"
       "    description: Which version\n"
       "    default: '1.0'\n"
       "  old:\n"
       "    deprecationMessage: use version\n"
       "    required: false\n"
       "  bare:\n"
       "outputs:\n"
       "  path:\n"
       "    description: Where it went\n"
       "runs:\n"
       "  using: Node20\n"
       "  main: dist/index.js\n"
       "  pre: dist/pre.js\n"
       "  post: dist/post.js\n"
       "  post-if: success()\n",
       [](const action_manifest& m) {
         EXPECT_EQ(m.name, "Setup thing");
         EXPECT_EQ(m.description, "Sets the thing up");
         ASSERT_EQ(m.inputs.size(), 4u);
         EXPECT_EQ(m.inputs[0].name, "token");
         EXPECT_EQ(m.inputs[0].description, "The token");
         EXPECT_TRUE(m.inputs[0].required);
         EXPECT_EQ(m.inputs[0].default_value, std::optional<std::string>("${{ github.token }}"));
         EXPECT_EQ(m.inputs[1].name, "version");
         EXPECT_FALSE(m.inputs[1].required);
         EXPECT_EQ(m.inputs[1].default_value, std::optional<std::string>("1.0"));
         EXPECT_EQ(m.inputs[2].name, "old");
         EXPECT_EQ(m.inputs[2].deprecation_message, "use version");
         EXPECT_FALSE(m.inputs[2].default_value.has_value());
         EXPECT_EQ(m.inputs[3].name, "bare");
         ASSERT_EQ(m.outputs.size(), 1u);
         EXPECT_EQ(m.outputs[0].name, "path");
         EXPECT_EQ(m.outputs[0].description, "Where it went");
         EXPECT_EQ(m.runs.kind, action_kind::node);
         EXPECT_EQ(m.runs.using_, "node20");
         EXPECT_EQ(m.runs.main, "dist/index.js");
         EXPECT_EQ(m.runs.pre, "dist/pre.js");
         EXPECT_EQ(m.runs.pre_if, "always()");
         EXPECT_EQ(m.runs.post, "dist/post.js");
         EXPECT_EQ(m.runs.post_if, "success()");
       }},
      {"node12 without pre/post has no conditions", "action.yaml",
       "runs:\n  using: node12\n  main: index.js\n",
       [](const action_manifest& m) {
         EXPECT_EQ(m.runs.using_, "node12");
         EXPECT_EQ(m.runs.pre_if, "");
         EXPECT_EQ(m.runs.post_if, "");
         EXPECT_TRUE(m.inputs.empty());
       }},
      {"composite with steps and outputs", "action.yml",
       "name: Composite\n"
       "inputs:\n"
       "  who: {default: world}\n"
       "outputs:\n"
       "  greeting:\n"
       "    description: The greeting\n"
       "    value: ${{ steps.hello.outputs.text }}\n"
       "runs:\n"
       "  using: composite\n"
       "  steps:\n"
       "    - id: hello\n"
       "      name: Say hello\n"
       "      run: echo \"text=hi ${{ inputs.who }}\" >> \"$GITHUB_OUTPUT\"\n"
       "      shell: bash\n"
       "      env:\n"
       "        A: '1'\n"
       "        B: ${{ inputs.who }}\n"
       "      working-directory: sub\n"
       "      continue-on-error: true\n"
       "    - uses: actions/checkout@v4\n"
       "      if: failure()\n"
       "      with:\n"
       "        fetch-depth: 0\n"
       "        ref: ${{ github.sha }}\n",
       [](const action_manifest& m) {
         ASSERT_EQ(m.outputs.size(), 1u);
         EXPECT_EQ(m.outputs[0].value, "${{ steps.hello.outputs.text }}");
         EXPECT_EQ(m.runs.kind, action_kind::composite);
         ASSERT_EQ(m.runs.steps.size(), 2u);
         const composite_step& a = m.runs.steps[0];
         EXPECT_EQ(a.id, "hello");
         EXPECT_EQ(a.name, "Say hello");
         EXPECT_EQ(a.run, "echo \"text=hi ${{ inputs.who }}\" >> \"$GITHUB_OUTPUT\"");
         EXPECT_EQ(a.shell, "bash");
         EXPECT_EQ(a.env, (std::map<std::string, std::string>{{"A", "1"},
                                                              {"B", "${{ inputs.who }}"}}));
         EXPECT_EQ(a.working_directory, "sub");
         EXPECT_EQ(a.continue_on_error, "true");
         EXPECT_EQ(a.if_condition, "");
         const composite_step& b = m.runs.steps[1];
         EXPECT_EQ(b.uses, "actions/checkout@v4");
         EXPECT_EQ(b.run, "");
         EXPECT_EQ(b.if_condition, "failure()");
         EXPECT_EQ(b.with, (std::map<std::string, std::string>{{"fetch-depth", "0"},
                                                               {"ref", "${{ github.sha }}"}}));
       }},
      {"docker", "action.yml",
       "name: In a container\nruns:\n  using: docker\n  image: Dockerfile\n",
       [](const action_manifest& m) {
         EXPECT_EQ(m.runs.kind, action_kind::docker);
         EXPECT_EQ(m.runs.image, "Dockerfile");
       }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    temp_dir dir;
    dir.write(c.file, c.text);
    const auto result = load_action_manifest(dir.path());
    ASSERT_TRUE(result.manifest.has_value()) << result.error;
    EXPECT_EQ(result.error, "");
    EXPECT_EQ(result.manifest->file, dir.path() + "/" + c.file);
    c.check(*result.manifest);
  }
}

TEST(GhActionManifest, ActionYmlWinsOverActionYaml) {
  temp_dir dir;
  dir.write("action.yml", "name: yml\nruns: {using: node20, main: a.js}\n");
  dir.write("action.yaml", "name: yaml\nruns: {using: node20, main: b.js}\n");
  const auto result = load_action_manifest(dir.path());
  ASSERT_TRUE(result.manifest.has_value()) << result.error;
  EXPECT_EQ(result.manifest->name, "yml");
}

TEST(GhActionManifest, MissingFile) {
  temp_dir dir;
  const auto result = load_action_manifest(dir.path());
  EXPECT_FALSE(result.manifest.has_value());
  EXPECT_EQ(result.error, "Can't find 'action.yml' or 'action.yaml' under '" + dir.path() +
                              "': the action's directory needs its metadata file");
}

struct bad_case {
  const char* name;
  const char* file;
  std::string text;
  std::string error;
};

TEST(GhActionManifest, ErrorsNameFileLineAndColumn) {
  const bad_case cases[] = {
      {"unsupported using", "action.yml",
       "name: x\ndescription: y\ninputs:\n  a:\n    default: 1\n"
       "runs:\n  using: node99\n  main: index.js\n",
       "action.yml:7:3: `runs.using` `node99` is not supported (node12, node16, node20, node24, "
       "composite, docker)"},
      {"missing using", "action.yml", "runs:\n  main: index.js\n",
       "action.yml:1:1: `runs.using` is missing: it requires composite, docker, node12, node16, "
       "node20 or node24"},
      {"missing runs", "action.yaml", "name: x\n",
       "action.yaml:1:1: top level `runs:` section is required for action.yaml: add `runs:` with "
       "`using:` and its entry point"},
      {"node without main", "action.yml", "name: x\nruns:\n  using: node20\n  pre: p.js\n",
       "action.yml:2:1: `runs.main` is missing: a JavaScript action (using: node20) needs its "
       "entry file, e.g. `main: dist/index.js`"},
      {"docker without image", "action.yml", "runs:\n  using: docker\n",
       "action.yml:1:1: `runs.image` is missing: a container action needs an image, e.g. "
       "`image: Dockerfile` or `image: docker://alpine:3`"},
      {"composite without steps", "action.yml", "runs:\n  using: composite\n",
       "action.yml:1:1: `runs.steps` is missing: a composite action needs a list of steps"},
      {"step with neither run nor uses", "action.yml",
       "runs:\n  using: composite\n  steps:\n    - run: echo a\n      shell: sh\n"
       "    - name: nothing\n      env: {A: b}\n",
       "action.yml:6:7: `runs.steps[1]` has neither `run` nor `uses`: add `run:` with a `shell:`, "
       "or `uses:` naming an action"},
      {"run step without shell", "action.yml",
       "runs:\n  using: composite\n  steps:\n    - name: hi\n      run: echo hi\n",
       "action.yml:5:7: `runs.steps[0]` runs a command but has no `shell`: composite actions "
       "require it (e.g. `shell: bash`)"},
      {"step with run and uses", "action.yml",
       "runs:\n  using: composite\n  steps:\n    - run: echo\n      shell: sh\n"
       "      uses: a/b@v1\n",
       "action.yml:6:7: `runs.steps[0]` has both `run` and `uses`: a step does one of them; split "
       "it into two steps"},
      {"required not a boolean", "action.yml",
       "inputs:\n  a:\n    required: maybe\nruns: {using: node20, main: i.js}\n",
       "action.yml:3:5: `inputs.a.required` must be true or false"},
      {"inputs not a mapping", "action.yml", "inputs: [a, b]\nruns: {using: node20, main: i.js}\n",
       "action.yml:1:1: `inputs` must be a mapping, not a list"},
      {"with value not a string", "action.yml",
       "runs:\n  using: composite\n  steps:\n    - uses: a/b@v1\n      with:\n        x: [1]\n",
       "action.yml:6:9: `runs.steps[0].with.x` must be a string, not a list"},
      {"not YAML", "action.yml", "runs: {using: node20\n",
       "action.yml:2:1: not valid YAML: end of map flow not found"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    temp_dir dir;
    dir.write(c.file, c.text);
    const auto result = load_action_manifest(dir.path());
    EXPECT_FALSE(result.manifest.has_value());
    EXPECT_EQ(result.error, c.error);
  }
}

}  // namespace
}  // namespace runner::gh
