// The shipped examples, run through the real binary, with their results checked.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace runner::test {

namespace {

nlohmann::json run_json(const std::string& file, int expected_exit) {
  auto r = run_runner({"run", file, "--output", "json"});
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, expected_exit) << r.err;
  auto j = parse_json(r.out);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  return j;
}

}  // namespace

TEST(Examples, DiamondPassesVariablesThroughBothBranches) {
  auto j = run_json(example("diamond.yaml"), 0);
  EXPECT_EQ(j["id"], "diamond-example");
  EXPECT_EQ(j["status"], "success");
  for (auto name : {"split", "left", "right", "join"})
    EXPECT_EQ(j["results"][name]["status"], "success") << name;
  EXPECT_EQ(j["results"]["join"]["outputs"]["summary"], "3 apples and 5 oranges");
  // Only global exports are listed in the result.
  EXPECT_TRUE(j["results"]["split"]["outputs"].empty());
  EXPECT_EQ(j["results"]["join"]["cached"], false);
  EXPECT_TRUE(j["results"]["join"]["started_at"].is_string());
  EXPECT_TRUE(j["results"]["join"]["duration_ms"].is_number());
  EXPECT_EQ(j["results"]["join"]["id"].get<std::string>().size(), 36u);
  EXPECT_NE(j["results"]["join"]["id"], j["results"]["left"]["id"]);
}

TEST(Examples, ExpressionsRenderImportsStatusesAndEnvs) {
  auto j = run_json(example("expressions.yaml"), 0);
  EXPECT_EQ(j["results"]["label"]["outputs"]["result"], "1.4-PROD n=42 ok=yes");
  EXPECT_EQ(j["results"]["label"]["status"], "success");
  EXPECT_EQ(j["results"]["show"]["status"], "success");
}

TEST(Examples, WhenConditionsSkipOrRunAfterAnyOutcome) {
  auto j = run_json(example("when.yaml"), 1);
  auto& r = j["results"];
  EXPECT_EQ(r["tests"]["status"], "failed");
  EXPECT_EQ(r["deploy"]["status"], "skipped");
  EXPECT_EQ(r["deploy"]["error"], "`when` is false: <+ check.deploy >");
  EXPECT_EQ(r["announce"]["status"], "skipped");
  EXPECT_EQ(r["on-failure"]["status"], "success");
  EXPECT_EQ(r["on-success"]["status"], "skipped");
}

TEST(Examples, AWhenConditionWithAMistakeRunsNothing) {
  temp_dir tmp;
  auto file = tmp.write("w.yaml", "taskGroup:\n  - {name: a, type: os_exec, spec: {command: 'true'}}\n"
                                  "  - {name: b, type: os_exec, spec: {command: 'true'}, when: \"<+ a.status == >\"}\n");
  auto r = run_runner({"run", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("w.yaml:3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("`when`: expression at 1:16: expected a value"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("started"), std::string::npos) << r.err;
}

TEST(Examples, FailingBranchSkipsDependentsOnly) {
  auto j = run_json(example("failing_branch.yaml"), 1);
  EXPECT_EQ(j["status"], "failed");
  EXPECT_EQ(j["results"]["prepare"]["status"], "success");
  EXPECT_EQ(j["results"]["flaky"]["status"], "failed");
  EXPECT_EQ(j["results"]["flaky"]["exit_code"], 3);
  EXPECT_EQ(j["results"]["flaky"]["error"], "exit status 3");
  EXPECT_EQ(j["results"]["after-flaky"]["status"], "skipped");
  EXPECT_EQ(j["results"]["independent"]["status"], "success");
  EXPECT_EQ(j["results"]["independent"]["outputs"]["result"], "fine");
}

TEST(Examples, ConfidentialValueNeverShown) {
  temp_dir tmp;
  auto result_file = tmp.file("result.json");
  auto r = run_runner({"run", example("confidential.yaml"), "--result-file", result_file});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = parse_json(read_file(result_file));
  EXPECT_EQ(j["results"]["fetch"]["outputs"]["password"], "***");
  // The secret is "s3cr3t-<epoch>-token": neither it nor its base64 may show.
  EXPECT_EQ(r.out.find("s3cr3t-"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("s3cr3t-"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("czNjcjN0"), std::string::npos) << r.out;  // base64("s3cr3t")
  EXPECT_NE(r.out.find("[fetch] fetched ***"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[use] using ***"), std::string::npos) << r.out;
}

TEST(Examples, MultilineOutputs) {
  auto r = run_runner({"run", example("multiline.yaml")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("[consume] line one\n[consume] line two\n"), std::string::npos) << r.out;
}

TEST(Examples, GitHubActionCompositeNestsANodeAction) {
  // `./examples/actions/...` is relative to the workspace, the runner's
  // working directory: run it from the repository's root, as the README does.
  process p({"/bin/sh", "-c", "cd \"$0\" && exec \"$1\" run examples/github_action.yaml --output json",
             RUNNER_SOURCE_DIR, runner_binary()});
  auto r = p.wait();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["greet"]["outputs"]["message"], "Welcome, mona!");
  EXPECT_EQ(j["results"]["greet"]["outputs"]["words"], "2");
  EXPECT_EQ(j["results"]["show"]["status"], "success");
  EXPECT_NE(r.err.find("[greet] greeted mona on Linux; the message has 2 words"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("only after a failed step"), std::string::npos) << r.err;
}

TEST(Examples, SeedSampleRunsOnceCorrected) {
  auto j = run_json(example("seed_sample.yaml"), 0);
  EXPECT_EQ(j["results"]["bar"]["status"], "success");
}

TEST(Examples, SeedSampleAsWrittenListsEveryMistake) {
  auto r = run_runner({"validate", example("seed_sample_as_written.yaml")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing comma"), std::string::npos) << r.err;
}

}  // namespace runner::test
