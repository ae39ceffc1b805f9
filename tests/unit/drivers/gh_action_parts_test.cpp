// The pure parts of the github_action task type: its spec, the shells of
// composite `run:` steps, and the contexts and variables a step gets.
#include <gtest/gtest.h>

#include "drivers/github_action/action_context.hpp"
#include "drivers/github_action/action_task_spec.hpp"
#include "drivers/github_action/shell_command.hpp"

namespace runner::gh {
namespace {

std::string problems_of(json spec) {
  task_decl t;
  t.name = "act";
  t.type = "github_action";
  t.spec = std::move(spec);
  diagnostics out;
  check_action_task_spec(t, "g.yaml", out);
  std::string all;
  for (auto& d : out) all += d.message + " | " + d.hint + "\n";
  return all;
}

TEST(GhActionSpec, AGoodSpecHasNoProblems) {
  EXPECT_EQ(problems_of({{"uses", "./actions/hello"},
                         {"with", {{"who-to-greet", "${{ github.actor }}"}, {"n", 3}}},
                         {"env", {{"A", "b"}}},
                         {"workspace", "/srv/ws"},
                         {"github", {{"repository", "octo/demo"}, {"sha", "abc"}}}}),
            "");
  EXPECT_EQ(problems_of({{"uses", "octo/tools/sub@v1"}}), "");
}

// Whether checking `spec` reports `text`.
bool reports(const json& spec, const std::string& text) {
  std::string all = problems_of(spec);
  if (all.find(text) != std::string::npos)
    return true;
  ADD_FAILURE() << "no `" << text << "` in:\n" << all;
  return false;
}

TEST(GhActionSpec, Mistakes) {
  reports(json::object(), "github_action needs `uses`");
  reports({{"uses", 3}}, "`uses` must be a string");
  reports({{"uses", "octo/repo"}}, "task `act`");
  reports({{"uses", "docker://alpine:3"}}, "no container engine configured");
  reports({{"uses", "./a"}, {"wiht", json::object()}}, "did you mean `with`?");
  reports({{"uses", "./a"}, {"with", {{"x", {1, 2}}}}}, "`with.x` must be a single value");
  reports({{"uses", "./a"}, {"with", {{"x", "${{ github.sha"}}}}, "with.x");
  reports({{"uses", "./a"}, {"env", {{"A=B", "x"}}}}, "is not valid");
  reports({{"uses", "./a"}, {"github", {{"shaa", "x"}}}}, "did you mean `sha`?");
  reports({{"uses", "./a"}, {"workspace", ""}}, "`workspace` must be");
}

TEST(GhActionSpec, ReadsScalarsAsText) {
  auto s = read_action_task_spec({{"uses", "./a"}, {"with", {{"n", 3}, {"b", true}, {"z", nullptr}}}});
  EXPECT_EQ(s.with.at("n"), "3");
  EXPECT_EQ(s.with.at("b"), "true");
  EXPECT_EQ(s.with.at("z"), "");
}

TEST(GhShell, BuiltInShellsAsGitHubRunsThem) {
  auto bash = parse_shell("bash");
  ASSERT_TRUE(bash.ok);
  EXPECT_EQ(bash.extension, ".sh");
  EXPECT_EQ(shell_argv(bash, "/t/s.sh"),
            (std::vector<std::string>{"bash", "--noprofile", "--norc", "-e", "-o", "pipefail",
                                      "/t/s.sh"}));
  EXPECT_EQ(shell_argv(parse_shell("sh"), "/t/s.sh"),
            (std::vector<std::string>{"sh", "-e", "/t/s.sh"}));
  EXPECT_EQ(parse_shell("python").extension, ".py");
  auto pwsh = parse_shell("pwsh");
  EXPECT_EQ(shell_argv(pwsh, "/t/s.ps1").back(), ". '/t/s.ps1'");
  EXPECT_NE(pwsh.prologue.find("ErrorActionPreference"), std::string::npos);
}

TEST(GhShell, CustomFormatAndMistakes) {
  auto perl = parse_shell("perl -w {0} --x={0}");
  ASSERT_TRUE(perl.ok);
  EXPECT_EQ(perl.extension, "");
  EXPECT_EQ(shell_argv(perl, "/s"), (std::vector<std::string>{"perl", "-w", "/s", "--x=/s"}));
  auto bad = parse_shell("zsh");
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("format string containing '{0}'"), std::string::npos);
}

TEST(GhContext, InputVariablesKeepDashesAndReplaceSpaces) {
  EXPECT_EQ(input_variable("who-to-greet"), "INPUT_WHO-TO-GREET");
  EXPECT_EQ(input_variable("input with spaces"), "INPUT_INPUT_WITH_SPACES");
  EXPECT_EQ(input_variable("MiXed_case"), "INPUT_MIXED_CASE");
}

TEST(GhContext, GithubContextDefaultsAndDerivedValues) {
  action_task_spec spec;
  spec.github = {{"repository", "octo/demo"}, {"ref", "refs/tags/v2.1"}, {"actor", "mona"}};
  run_facts facts{"group-7", "build", "run-uuid", 2, "/ws", "/tmp/event.json"};
  auto g = make_github_context(spec, facts);
  EXPECT_EQ(g["repository_owner"], "octo");
  EXPECT_EQ(g["ref_name"], "v2.1");
  EXPECT_EQ(g["ref_type"], "tag");
  EXPECT_EQ(g["workflow"], "group-7");
  EXPECT_EQ(g["job"], "build");
  EXPECT_EQ(g["run_attempt"], "2");
  EXPECT_EQ(g["triggering_actor"], "mona");
  std::string run_id = g["run_id"];
  EXPECT_FALSE(run_id.empty());
  EXPECT_EQ(run_id.find_first_not_of("0123456789"), std::string::npos) << "GitHub's run ids are numbers";
  auto vars = github_variables(g);
  EXPECT_EQ(vars["GITHUB_REPOSITORY"], "octo/demo");
  EXPECT_EQ(vars["GITHUB_WORKSPACE"], "/ws");
  EXPECT_EQ(vars["GITHUB_EVENT_PATH"], "/tmp/event.json");
  EXPECT_EQ(vars["GITHUB_ACTIONS"], "true");
  EXPECT_EQ(vars["CI"], "true");
  EXPECT_EQ(vars.count("GITHUB_EVENT"), 0u) << "objects are not variables";
  EXPECT_EQ(vars.count("GITHUB_TOKEN"), 0u);
}

TEST(GhContext, RunnerVariables) {
  auto vars = runner_variables(make_runner_context("node-a", "/tmp/rt", "/state/tool_cache"));
  EXPECT_EQ(vars["RUNNER_OS"], "Linux");
  EXPECT_EQ(vars["RUNNER_NAME"], "node-a");
  EXPECT_EQ(vars["RUNNER_TEMP"], "/tmp/rt");
  EXPECT_EQ(vars["RUNNER_TOOL_CACHE"], "/state/tool_cache");
  EXPECT_EQ(vars["RUNNER_ENVIRONMENT"], "self-hosted");
  EXPECT_FALSE(vars["RUNNER_ARCH"].empty());
}

}  // namespace
}  // namespace runner::gh
