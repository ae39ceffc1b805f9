// github_action tasks (SPEC.md §6) through the real binary: unmodified
// GitHub-style test actions (tests/github_actions/) using the real
// @actions/core from the committed lockfile, installed by the ctest fixture
// `action_toolkit` (tools/scripts/install-action-toolkit.sh).
//
// Node's ES modules ignore NODE_PATH, so each test copies the actions into a
// workspace of its own and links <workspace>/node_modules to the toolkit's:
// node finds @actions/core by walking up from the action's directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness.hpp"

namespace runner::test {
namespace {

namespace fs = std::filesystem;

std::string toolkit_dir() { return ACTION_TOOLKIT_DIR; }
std::string test_actions_dir() { return std::string(GITHUB_ACTIONS_TEST_DIR) + "/actions"; }
std::string remote_actions_dir() { return std::string(GITHUB_ACTIONS_TEST_DIR) + "/remote"; }

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

#define EXPECT_HAS(haystack, needle) \
  EXPECT_TRUE(has(haystack, needle)) << "expected `" << (needle) << "` in:\n" << (haystack)
#define EXPECT_LACKS(haystack, needle) \
  EXPECT_FALSE(has(haystack, needle)) << "did not expect `" << (needle) << "` in:\n" << (haystack)

// Runs `cmd` under sh (stopping at the first failing command) with its
// output in `log`; returns its exit status.
int sh(const std::string& cmd, const std::string& log) {
  return std::system(("set -e; exec >'" + log + "' 2>&1; " + cmd).c_str());
}

std::string single_quoted(const std::string& path) { return "'" + path + "'"; }

std::string canonical(const std::string& p) {
  std::error_code ec;
  auto c = fs::weakly_canonical(p, ec);
  return ec ? p : c.string();
}

struct group_run {
  run_output raw;
  nlohmann::json result = nlohmann::json::object();  // empty when stdout was not JSON

  const nlohmann::json& task(const std::string& name) const {
    static const nlohmann::json none = nlohmann::json::object();
    auto results = result.find("results");
    if (results == result.end() || !results->is_object()) return none;
    auto t = results->find(name);
    return t == results->end() ? none : *t;
  }
  std::string field(const std::string& name, const char* key) const {
    const auto& t = task(name);
    auto v = t.find(key);
    return v != t.end() && v->is_string() ? v->get<std::string>() : std::string{};
  }
  std::string status(const std::string& name) const { return field(name, "status"); }
  std::string error(const std::string& name) const { return field(name, "error"); }
  std::optional<int> exit_code(const std::string& name) const {
    const auto& t = task(name);
    auto v = t.find("exit_code");
    if (v == t.end() || !v->is_number_integer()) return std::nullopt;
    return v->get<int>();
  }
  // A global export as shown in the result; nullopt when absent.
  std::optional<std::string> output(const std::string& name, const std::string& var) const {
    const auto& t = task(name);
    auto outs = t.find("outputs");
    if (outs == t.end() || !outs->is_object()) return std::nullopt;
    auto v = outs->find(var);
    if (v == outs->end() || !v->is_string()) return std::nullopt;
    return v->get<std::string>();
  }
  std::string everything() const { return raw.out + "\n" + raw.err; }
};

// Restores the working directory when it goes out of scope.
struct cwd_guard {
  std::string saved = fs::current_path().string();
  ~cwd_guard() {
    std::error_code ec;
    fs::current_path(saved, ec);
  }
};

class GithubAction : public ::testing::Test {
 protected:
  temp_dir tmp;
  std::string ws;       // the tasks' workspace: actions/ and a node_modules link
  std::string state;    // the runner's state_dir (action store)
  std::string remotes;  // actions.base_url: bare repositories <owner>/<repo>.git
  std::string config;

  void SetUp() override {
    ASSERT_TRUE(fs::exists(toolkit_dir() + "/node_modules/@actions/core/package.json"))
        << "the action toolkit is not installed in " << toolkit_dir()
        << ": run `ctest -R action_toolkit_install` in the build directory, or "
           "tools/scripts/install-action-toolkit.sh "
        << toolkit_dir();
    ws = tmp.path() + "/ws";
    state = tmp.path() + "/state";
    remotes = tmp.path() + "/remotes";
    fs::create_directories(ws);
    fs::create_directories(state);
    fs::create_directories(remotes);
    fs::copy(test_actions_dir(), ws + "/actions", fs::copy_options::recursive);
    fs::create_directory_symlink(toolkit_dir() + "/node_modules", ws + "/node_modules");
    config = write_config(state);
  }

  std::string write_config(const std::string& state_dir, const std::string& name = "runner.yaml") {
    return tmp.write(name, "name: gh-test\n"
                           "tls: off\n"
                           "state_dir: " + single_quoted(state_dir) + "\n"
                           "actions: {base_url: " + single_quoted("file://" + remotes + "/") + "}\n");
  }

  group_run run(const std::string& yaml, const std::string& cfg = {}) {
    auto file = tmp.write("group.yaml", yaml);
    group_run g;
    g.raw = run_runner({"run", file, "--config", cfg.empty() ? config : cfg, "--output", "json"});
    EXPECT_FALSE(g.raw.timed_out) << g.raw.err;
    auto parsed = parse_json(g.raw.out);
    if (parsed.is_object())
      g.result = std::move(parsed);
    else
      ADD_FAILURE() << "stdout is not the result JSON (exit " << g.raw.exit_code << ")\nstdout:\n"
                    << g.raw.out << "\nstderr:\n"
                    << g.raw.err;
    return g;
  }

  // `workspace: <ws>` for a task's spec, indented for the task lists below.
  std::string workspace_line() const { return "      workspace: " + single_quoted(ws) + "\n"; }

  // A real git repository with the repository action (and a real copy of the
  // toolkit's node_modules, as a published JavaScript action carries it),
  // tagged v1, cloned bare to <remotes>/octo-org/hello-action.git.
  std::string make_remote_action() {
    std::string work = tmp.path() + "/hello-action-src";
    std::string bare = remotes + "/octo-org/hello-action.git";
    fs::copy(remote_actions_dir() + "/hello-action", work, fs::copy_options::recursive);
    fs::copy(toolkit_dir() + "/node_modules", work + "/node_modules",
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    fs::create_directories(remotes + "/octo-org");
    const std::string git = "git -c user.name=runner-test -c user.email=runner-test@localhost "
                            "-c commit.gpgsign=false -c tag.gpgsign=false -c init.defaultBranch=main ";
    int rc = sh("export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null\n"
                "cd " + single_quoted(work) + "\n" +
                git + "init -q .\n" +
                git + "add -A -f .\n" +
                git + "commit -q -m 'hello-action v1'\n" +
                git + "tag v1\n" +
                git + "clone -q --bare . " + single_quoted(bare) + "\n",
                tmp.file("git.log"));
    EXPECT_EQ(rc, 0) << "could not build the repository action in " << work << ":\n"
                     << read_file(tmp.file("git.log"));
    return bare;
  }
};

// --- inputs ------------------------------------------------------------------

TEST_F(GithubAction, InputsDefaultsGivenValuesAndNamesWithSpaces) {
  auto g = run("taskGroup:\n"
               "  - name: hello\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/greet\n"
               "      with: {who-to-greet: Mona}\n" +
               workspace_line() +
               "    exports: [{name: message, scope: global}]\n"
               "  - name: hi\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/greet\n"
               "      with:\n"
               "        who-to-greet: Lisa\n"
               "        greeting: Hi\n"
               "        input with spaces: given value\n" +
               workspace_line() + "    exports: [{name: message, scope: global}]\n");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_EQ(g.status("hello"), "success");
  EXPECT_EQ(g.status("hi"), "success");
  // Required input given, defaults from action.yml.
  EXPECT_HAS(g.raw.err, "[hello] who-to-greet=Mona");
  EXPECT_HAS(g.raw.err, "[hello] greeting=Hello");
  EXPECT_HAS(g.raw.err, "[hello] input with spaces=spaced");
  // GitHub's INPUT_ names: spaces become '_', upper case, '-' kept.
  EXPECT_HAS(g.raw.err, "[hello] env INPUT_INPUT_WITH_SPACES=spaced");
  EXPECT_HAS(g.raw.err, "[hello] env INPUT_WHO-TO-GREET=Mona");
  EXPECT_HAS(g.raw.err, "[hello] env INPUT_WHO_TO_GREET=(unset)");
  // Given values win over defaults.
  EXPECT_HAS(g.raw.err, "[hi] greeting=Hi");
  EXPECT_HAS(g.raw.err, "[hi] input with spaces=given value");
  EXPECT_HAS(g.raw.err, "[hi] env INPUT_INPUT_WITH_SPACES=given value");
  EXPECT_EQ(g.output("hello", "message"), "Hello, Mona!");
  EXPECT_EQ(g.output("hi", "message"), "Hi, Lisa!");
}

TEST_F(GithubAction, MissingRequiredInputIsRefusedBeforeAnythingRuns) {
  auto report = tmp.file("report.json");
  auto g = run("taskGroup:\n"
               "  - name: hello\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/greet\n" +
               workspace_line() +
               "  - name: st\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/stateful\n" +
               workspace_line() +
               "  - name: after\n"
               "    type: os_exec\n"
               "    depends_on: [hello]\n"
               "    spec: {command: echo after ran}\n");
  EXPECT_EQ(g.raw.exit_code, 1) << g.raw.err;
  EXPECT_EQ(g.status("hello"), "failed");
  EXPECT_HAS(g.error("hello"), "input 'who-to-greet' is required");
  EXPECT_EQ(g.status("st"), "failed");
  EXPECT_HAS(g.error("st"), "input 'report' is required");
  EXPECT_EQ(g.status("after"), "skipped");
  // Nothing of either action ran: no log line of greet, and stateful's pre
  // (which would write the order file first thing) did not start.
  EXPECT_LACKS(g.raw.err, "[hello] who-to-greet=");
  EXPECT_LACKS(g.raw.err, "stateful pre ran");
  EXPECT_FALSE(fs::exists(ws + "/stateful-order.txt"));
  EXPECT_LACKS(g.raw.err, "after ran");
}

TEST_F(GithubAction, ExpressionsEnvAndGithubContextInWith) {
  auto g = run("taskGroup:\n"
               "  - name: ctx\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/greet\n"
               "      with:\n"
               "        who-to-greet: ${{ github.repository }}\n"
               "        greeting: ${{ runner.os }}\n"
               "        input with spaces: env says ${{ env.FOO }}\n"
               "      env: {FOO: bar}\n"
               "      github: {repository: octo/demo, sha: abc123, ref: refs/heads/main}\n" +
               workspace_line() + "    exports: [{name: message, scope: global}]\n");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_HAS(g.raw.err, "[ctx] who-to-greet=octo/demo");
  EXPECT_HAS(g.raw.err, "[ctx] greeting=Linux");
  EXPECT_HAS(g.raw.err, "[ctx] input with spaces=env says bar");
  EXPECT_HAS(g.raw.err, "[ctx] FOO=bar");
  EXPECT_HAS(g.raw.err, "[ctx] GITHUB_REPOSITORY=octo/demo");
  EXPECT_HAS(g.raw.err, "[ctx] GITHUB_SHA=abc123");
  EXPECT_HAS(g.raw.err, "[ctx] GITHUB_REF=refs/heads/main");
  EXPECT_HAS(g.raw.err, "[ctx] GITHUB_ACTIONS=true CI=true RUNNER_OS=Linux");
  // Node actions run in the workspace, which is GITHUB_WORKSPACE.
  EXPECT_HAS(g.raw.err, "[ctx] cwd=" + ws + "\n");
  EXPECT_HAS(g.raw.err, "[ctx] GITHUB_WORKSPACE=" + ws + "\n");
  EXPECT_EQ(g.output("ctx", "message"), "Linux, octo/demo!");
}

TEST_F(GithubAction, WorkspaceDefaultsToTheRunnersDirectory) {
  cwd_guard guard;
  fs::current_path(ws);
  auto g = run("taskGroup:\n"
               "  - name: here\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/greet\n"
               "      with: {who-to-greet: cwd}\n");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_HAS(g.raw.err, "[here] cwd=" + ws + "\n");
  EXPECT_HAS(g.raw.err, "[here] GITHUB_WORKSPACE=" + ws + "\n");
}

// --- outputs and logs --------------------------------------------------------

TEST_F(GithubAction, OutputsAreExportedAndImportedByLaterTasks) {
  auto g = run("taskGroup:\n"
               "  - name: who\n"
               "    type: os_exec\n"
               "    spec: {command: 'echo \"name=Mona Lisa\" >> \"$OUTPUT_FILE\"'}\n"
               "    exports: [{name: name}]\n"
               "  - name: hello\n"
               "    type: github_action\n"
               "    imports: [{from: who, variable: name}]\n"
               "    spec:\n"
               "      uses: ./actions/greet\n"
               "      with: {who-to-greet: '{{ .who.name }}'}\n" +
               workspace_line() +
               "    exports:\n"
               "      - {name: message, scope: global}\n"
               "      - {name: letter, scope: global}\n"
               "  - name: show\n"
               "    type: os_exec\n"
               "    imports: [{from: hello, variable: message}, {from: hello, variable: letter}]\n"
               "    spec:\n"
               "      command: |\n"
               "        echo \"got: $MESSAGE\"\n"
               "        printf '%s\\n' \"$LETTER\" | sed 's/^/letter: /'\n"
               "      envs: {MESSAGE: '{{ .hello.message }}', LETTER: '{{ .hello.letter }}'}\n");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_EQ(g.status("show"), "success");
  EXPECT_EQ(g.output("hello", "message"), "Hello, Mona Lisa!");
  EXPECT_EQ(g.output("hello", "letter"),
            "Dear Mona Lisa,\nHello from the greet action.\nYours, Runner");
  EXPECT_HAS(g.raw.err, "[show] got: Hello, Mona Lisa!");
  EXPECT_HAS(g.raw.err, "[show] letter: Dear Mona Lisa,\n");
  EXPECT_HAS(g.raw.err, "[show] letter: Hello from the greet action.\n");
  EXPECT_HAS(g.raw.err, "[show] letter: Yours, Runner\n");
}

TEST_F(GithubAction, ToolkitLogCommandsAreInterpretedNotPrintedRaw) {
  auto g = run("taskGroup:\n"
               "  - name: hello\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/greet\n"
               "      with: {who-to-greet: Mona}\n" +
               workspace_line());
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_HAS(g.raw.err, "greet warning line");
  EXPECT_HAS(g.raw.err, "greet notice line");
  EXPECT_HAS(g.raw.err, "greet inputs");  // the group's title
  EXPECT_HAS(g.raw.err, "[hello] Hello, Mona!");
  for (const char* raw : {"::warning::", "::notice::", "::group::", "::endgroup::", "::debug::",
                          "ghadelimiter_"})
    EXPECT_LACKS(g.raw.err, raw);
}

TEST_F(GithubAction, LegacyStdoutCommandsAndErrorAnnotationDoNotFail) {
  auto g = run("taskGroup:\n"
               "  - name: old\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/legacy-commands\n" +
               workspace_line() + "    exports: [{name: legacy, scope: global}]\n");
  // `::error::` alone does not fail a step; only the exit code does.
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_EQ(g.status("old"), "success");
  EXPECT_EQ(g.output("old", "legacy"), "old-style");
  EXPECT_HAS(g.raw.err, "an error annotation that does not fail the step");
  EXPECT_HAS(g.raw.err, "[old] legacy action done");
  EXPECT_LACKS(g.raw.err, "::set-output");
}

// --- masking -----------------------------------------------------------------

const char kSecret[] = "s3cr3t-Pa55-for-masking";

TEST_F(GithubAction, SetSecretMasksEverywhereAfterwards) {
  // The secret comes from a file, so it is in no spec the runner could print:
  // only ::add-mask:: can hide it.
  auto secret_file = tmp.write("secret.txt", std::string(kSecret) + "\n");
  auto g = run("taskGroup:\n"
               "  - name: mask\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/masker\n"
               "      with: {secret-file: " + single_quoted(secret_file) + "}\n" +
               workspace_line() +
               "    exports:\n"
               "      - {name: echoed, scope: global}\n"
               "      - {name: plain, scope: global}\n"
               "  - name: consume\n"
               "    type: os_exec\n"
               "    imports: [{from: mask, variable: echoed}]\n"
               "    spec: {command: 'echo \"consumer got {{ .mask.echoed }}\"'}\n");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_EQ(g.status("consume"), "success");
  EXPECT_LACKS(g.raw.out, kSecret);
  EXPECT_LACKS(g.raw.err, kSecret);
  EXPECT_HAS(g.raw.err, "[mask] before the mask");
  EXPECT_HAS(g.raw.err, "[mask] the secret is ***");
  EXPECT_HAS(g.raw.err, "[mask] stdout: ***");
  EXPECT_HAS(g.raw.err, "[mask] stderr: the secret is ***");
  EXPECT_HAS(g.raw.err, "warning with ***");
  EXPECT_HAS(g.raw.err, "[consume] consumer got ");
  // An output holding a masked value is confidential: `***` in the result.
  auto echoed = g.output("mask", "echoed");
  ASSERT_TRUE(echoed.has_value()) << g.raw.out;
  EXPECT_LACKS(*echoed, kSecret);
  EXPECT_HAS(*echoed, "***");
  EXPECT_EQ(g.output("mask", "plain"), "nothing to hide");
  EXPECT_LACKS(g.raw.err, "::add-mask::");
}

TEST_F(GithubAction, SetSecretOfAnInputValue) {
  auto g = run("taskGroup:\n"
               "  - name: mask\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/masker\n"
               "      with: {secret: " + std::string(kSecret) + "}\n" +
               workspace_line() + "    exports: [{name: echoed, scope: global}]\n");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_LACKS(g.raw.out, kSecret);
  EXPECT_LACKS(g.raw.err, kSecret);
  EXPECT_HAS(g.raw.err, "[mask] the secret is ***");
  EXPECT_HAS(g.raw.err, "[mask] stderr: the secret is ***");
  auto echoed = g.output("mask", "echoed");
  ASSERT_TRUE(echoed.has_value()) << g.raw.out;
  EXPECT_HAS(*echoed, "***");
}

TEST_F(GithubAction, AddMaskInACompositeStepMasksLaterStepsAndOutputs) {
  auto secret_file = tmp.write("secret.txt", std::string(kSecret) + "\n");
  auto g = run("taskGroup:\n"
               "  - name: comp\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/composite-mask\n"
               "      with: {secret-file: " + single_quoted(secret_file) + "}\n" +
               workspace_line() + "    exports: [{name: leak, scope: global}]\n");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_LACKS(g.raw.out, kSecret);
  EXPECT_LACKS(g.raw.err, kSecret);
  EXPECT_HAS(g.raw.err, "masked in the same step: ***");
  EXPECT_HAS(g.raw.err, "masked in a later step: ***");
  EXPECT_EQ(g.output("comp", "leak"), "***");
}

// --- pre / main / post -------------------------------------------------------

TEST_F(GithubAction, StateEnvAndPathCarryFromPreAndMainToPost) {
  auto report = tmp.file("report.json");
  auto g = run("taskGroup:\n"
               "  - name: st\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/stateful\n"
               "      with: {report: " + single_quoted(report) + "}\n" +
               workspace_line() + "    exports: [{name: pre-state, scope: global}]\n");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_EQ(g.status("st"), "success");
  EXPECT_EQ(g.output("st", "pre-state"), "pre-value-1");
  EXPECT_HAS(g.raw.err, "[st] stateful main sees from-pre=pre-value-1");
  auto seen = parse_json(read_file(report));
  ASSERT_TRUE(seen.is_object()) << "post wrote no report to " << report << "\n" << g.raw.err;
  EXPECT_EQ(seen["order"], "pre\nmain\npost\n");
  EXPECT_EQ(seen["fromPre"], "pre-value-1");
  EXPECT_EQ(seen["fromMain"], "main-value-2");
  EXPECT_EQ(seen["statefulVar"], "exported-by-main");
  EXPECT_HAS(seen["path"].get<std::string>(), ws + "/stateful-bin");
}

TEST_F(GithubAction, PostRunsAfterAFailedMain) {
  auto report = tmp.file("report.json");
  auto g = run("taskGroup:\n"
               "  - name: st\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/stateful\n"
               "      with: {report: " + single_quoted(report) + ", fail-main: 'true'}\n" +
               workspace_line());
  EXPECT_EQ(g.raw.exit_code, 1) << g.raw.err;
  EXPECT_EQ(g.status("st"), "failed");
  EXPECT_HAS(g.error("st"), "main failed after saving its state");
  auto seen = parse_json(read_file(report));
  ASSERT_TRUE(seen.is_object()) << "post (post-if: always()) did not run\n" << g.raw.err;
  EXPECT_EQ(seen["order"], "pre\nmain\npost\n");
  EXPECT_EQ(seen["fromMain"], "main-value-2");
}

// --- failure -----------------------------------------------------------------

TEST_F(GithubAction, SetFailedFailsTheTaskWithItsMessage) {
  auto g = run("taskGroup:\n"
               "  - name: boom\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/failing\n" +
               workspace_line() +
               "  - name: after\n"
               "    type: os_exec\n"
               "    depends_on: [boom]\n"
               "    spec: {command: echo after ran}\n");
  EXPECT_EQ(g.raw.exit_code, 1) << g.raw.err;
  EXPECT_EQ(g.status("boom"), "failed");
  EXPECT_EQ(g.exit_code("boom"), 1);
  EXPECT_HAS(g.error("boom"), "the action failed on purpose");
  EXPECT_EQ(g.status("after"), "skipped");
  // setFailed only sets the exit code; the action runs to its end.
  EXPECT_HAS(g.raw.err, "[boom] still running after setFailed");
}

// --- composite ---------------------------------------------------------------

TEST_F(GithubAction, CompositeNestsANodeActionMapsOutputsAndPropagatesEnvAndPath) {
  auto g = run("taskGroup:\n"
               "  - name: comp\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/composite-outer\n"
               "      with: {name: Mona}\n" +
               workspace_line() +
               "    exports:\n"
               "      - {name: shout, scope: global}\n"
               "      - {name: greeting-message, scope: global}\n"
               "      - {name: seen, scope: global}\n");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_EQ(g.status("comp"), "success");
  // ${{ inputs.x }} in a run step; its GITHUB_OUTPUT feeds the nested action.
  EXPECT_HAS(g.raw.err, "prep step for Mona");
  EXPECT_HAS(g.raw.err, "who-to-greet=Mona via prep");
  EXPECT_HAS(g.raw.err, "greeting=Howdy");
  // GITHUB_ENV and GITHUB_PATH reach the later steps.
  EXPECT_HAS(g.raw.err, "later step sees COMPOSITE_VAR=from-env-file");
  EXPECT_HAS(g.raw.err, "composite-tool ran");
  // if: failure() and a false condition skip; if: ${{ always() }} runs.
  EXPECT_LACKS(g.raw.err, "failure-step-ran-42");
  EXPECT_LACKS(g.raw.err, "conditional-step-ran-42");
  EXPECT_HAS(g.raw.err, "always-step-ran-42");
  // outputs.*.value, one of them from the nested node action.
  EXPECT_EQ(g.output("comp", "shout"), "Mona!");
  EXPECT_EQ(g.output("comp", "greeting-message"), "Howdy, Mona via prep!");
  EXPECT_EQ(g.output("comp", "seen"), "from-env-file");
}

TEST_F(GithubAction, CompositeStepFailureRunsOnlyFailureAndAlwaysSteps) {
  auto g = run("taskGroup:\n"
               "  - name: comp\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/composite-failing\n" +
               workspace_line());
  EXPECT_EQ(g.raw.exit_code, 1) << g.raw.err;
  EXPECT_EQ(g.status("comp"), "failed");
  EXPECT_HAS(g.raw.err, "about to fail");
  EXPECT_HAS(g.error("comp") + "\n" + g.raw.err, "exit code 3");
  EXPECT_LACKS(g.raw.err, "after-failure-step-ran-42");
  EXPECT_HAS(g.raw.err, "cleanup-step-ran-42");
  EXPECT_HAS(g.raw.err, "always-step-ran-42");
}

TEST_F(GithubAction, CompositeShowsTheOutputOfEveryStep) {
  // Short steps one after the other: each starts as the one before ends.
  auto g = run("taskGroup:\n"
               "  - name: comp\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/composite-steps\n" +
               workspace_line());
  EXPECT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_EQ(g.status("comp"), "success") << g.error("comp");
  for (int i = 1; i <= 20; ++i)
    EXPECT_HAS(g.raw.err, "[comp] step-" + std::to_string(i) + "-done\n");
}

// --- repository actions ------------------------------------------------------

TEST_F(GithubAction, RepositoryActionIsClonedIntoTheStoreAndReused) {
  auto bare = make_remote_action();
  const std::string group =
      "taskGroup:\n"
      "  - name: remote\n"
      "    type: github_action\n"
      "    spec:\n"
      "      uses: octo-org/hello-action@v1\n"
      "      with: {who: Mona}\n" +
      workspace_line() +
      "    exports: [{name: greeting, scope: global}, {name: where, scope: global}]\n"
      "  - name: sub\n"
      "    type: github_action\n"
      "    spec:\n"
      "      uses: octo-org/hello-action/sub@v1\n" +
      workspace_line() +
      "    exports: [{name: greeting, scope: global}, {name: where, scope: global}]\n";
  const std::string entry = state + "/actions/octo-org/hello-action/v1";

  auto first = run(group);
  ASSERT_EQ(first.raw.exit_code, 0) << first.raw.err;
  EXPECT_EQ(first.output("remote", "greeting"), "hello Mona from the repository action");
  EXPECT_EQ(canonical(first.output("remote", "where").value_or("")), canonical(entry));
  EXPECT_EQ(first.output("sub", "greeting"), "hello from the sub directory");
  EXPECT_EQ(canonical(first.output("sub", "where").value_or("")), canonical(entry + "/sub"));
  EXPECT_HAS(first.raw.err, "[remote] hello-action GITHUB_ACTION_REPOSITORY=octo-org/hello-action\n");
  EXPECT_HAS(first.raw.err, "[remote] hello-action GITHUB_ACTION_REF=v1\n");
  EXPECT_TRUE(fs::exists(entry + "/action.yml"));

  // The store is reused: without the repository the action still runs.
  fs::remove_all(bare);
  auto second = run(group);
  ASSERT_EQ(second.raw.exit_code, 0) << second.raw.err;
  EXPECT_EQ(second.output("remote", "greeting"), "hello Mona from the repository action");
  EXPECT_EQ(second.output("sub", "greeting"), "hello from the sub directory");
}

TEST_F(GithubAction, RepositoryActionWithAnUnknownRefFails) {
  make_remote_action();
  auto g = run("taskGroup:\n"
               "  - name: remote\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: octo-org/hello-action@v9\n" +
               workspace_line() +
               "  - name: missing\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: octo-org/no-such-action@v1\n" +
               workspace_line());
  EXPECT_EQ(g.raw.exit_code, 1) << g.raw.err;
  EXPECT_EQ(g.status("remote"), "failed");
  EXPECT_HAS(g.error("remote"), "v9");
  EXPECT_EQ(g.status("missing"), "failed");
  EXPECT_HAS(g.error("missing"), "octo-org/no-such-action");
  EXPECT_FALSE(fs::exists(state + "/actions/octo-org/hello-action/v9"));
}

TEST_F(GithubAction, StateDirIsCreatedWhenMissing) {
  auto fresh = tmp.path() + "/not/yet/there";
  auto cfg = write_config(fresh, "fresh.yaml");
  auto g = run("taskGroup:\n"
               "  - name: hello\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/greet\n"
               "      with: {who-to-greet: Mona}\n" +
               workspace_line(),
               cfg);
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_EQ(g.status("hello"), "success");
}

// --- refused actions ---------------------------------------------------------

TEST_F(GithubAction, DockerActionNeedsAContainerEngine) {
  // action.yml says `using: docker`: known only once the action is read.
  auto g = run("taskGroup:\n"
               "  - name: local-docker\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/docker-action\n" +
               workspace_line());
  EXPECT_EQ(g.raw.exit_code, 1) << g.raw.err;
  EXPECT_EQ(g.status("local-docker"), "failed");
  EXPECT_HAS(g.error("local-docker"), "no container engine configured");
  EXPECT_LACKS(g.raw.err, "docker action ran");
}

TEST_F(GithubAction, DockerImageReferenceNeedsAContainerEngine) {
  // `uses: docker://...` is known from the document alone: refusing it when
  // validating (exit 2, nothing run) is as good as failing the task.
  auto file = tmp.write("group.yaml", "taskGroup:\n"
                                      "  - name: image\n"
                                      "    type: github_action\n"
                                      "    spec:\n"
                                      "      uses: docker://alpine:3.19\n" +
                                          workspace_line());
  auto r = run_runner({"run", file, "--config", config, "--output", "json"});
  ASSERT_FALSE(r.timed_out);
  if (r.exit_code == 2) {
    EXPECT_HAS(r.err, "no container engine configured");
    EXPECT_HAS(r.err, "nothing was run");
  } else {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    auto result = parse_json(r.out);
    ASSERT_TRUE(result.is_object()) << r.out << r.err;
    EXPECT_EQ(result["results"]["image"]["status"], "failed");
    EXPECT_HAS(result["results"]["image"].value("error", ""), "no container engine configured");
  }
}

TEST_F(GithubAction, UnknownLocalActionDirectory) {
  auto g = run("taskGroup:\n"
               "  - name: nope\n"
               "    type: github_action\n"
               "    spec:\n"
               "      uses: ./actions/does-not-exist\n" +
               workspace_line());
  EXPECT_EQ(g.raw.exit_code, 1) << g.raw.err;
  EXPECT_EQ(g.status("nope"), "failed");
  // The error names the missing metadata file and where it was looked for
  // (the driver uses GitHub's words: "Can't find 'action.yml' or 'action.yaml'
  // under '<dir>'").
  EXPECT_HAS(g.error("nope"), "action.yml");
  EXPECT_HAS(g.error("nope"), ws + "/actions/does-not-exist");
}

}  // namespace
}  // namespace runner::test
