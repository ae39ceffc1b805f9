// Execution semantics of SPEC.md §3–§6 through the real binary: os_exec
// details, timeouts, retries, limits, masking of split output, parallelism.
#include <gtest/gtest.h>

#include <fstream>

#include "harness.hpp"

namespace runner::test {

namespace {

struct group_run {
  run_output raw;
  nlohmann::json result;
};

group_run run_group(const temp_dir& tmp, const std::string& yaml,
                    std::vector<std::string> extra = {}) {
  auto file = tmp.write("group.yaml", yaml);
  std::vector<std::string> args{"run", file, "--output", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  group_run g;
  g.raw = run_runner(args);
  EXPECT_FALSE(g.raw.timed_out);
  g.result = parse_json(g.raw.out);
  return g;
}

}  // namespace

TEST(RunSemantics, ListCommandIsNotShellInterpreted) {
  temp_dir tmp;
  auto g = run_group(tmp, R"(
taskGroup:
  - name: t
    type: os_exec
    spec:
      command: ["/bin/echo", "$HOME", "a;b"]
)");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_NE(g.raw.err.find("[t] $HOME a;b"), std::string::npos) << g.raw.err;
}

TEST(RunSemantics, MinimalEnvironmentWithEnvsBothForms) {
  temp_dir tmp;
  setenv("RUNNER_TEST_LEAK", "leaked", 1);
  auto g = run_group(tmp, R"(
taskGroup:
  - name: map
    type: os_exec
    spec:
      command: echo "A=$A B=$B LEAK=${RUNNER_TEST_LEAK:-none} OF=${OUTPUT_FILE:+set}"
      envs: {A: 1, B: two}
  - name: list
    type: os_exec
    spec:
      command: echo "C=$C"
      envs:
        - C: three
  - name: inherit
    type: os_exec
    spec:
      command: echo "LEAK=$RUNNER_TEST_LEAK"
      inherit_env: true
)");
  unsetenv("RUNNER_TEST_LEAK");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_NE(g.raw.err.find("[map] A=1 B=two LEAK=none OF=set"), std::string::npos) << g.raw.err;
  EXPECT_NE(g.raw.err.find("[list] C=three"), std::string::npos) << g.raw.err;
  EXPECT_NE(g.raw.err.find("[inherit] LEAK=leaked"), std::string::npos) << g.raw.err;
}

TEST(RunSemantics, WorkingDirAndShell) {
  temp_dir tmp;
  auto g = run_group(tmp, R"(
taskGroup:
  - name: wd
    type: os_exec
    spec:
      command: pwd
      working_dir: )" + tmp.path() + R"(
  - name: bash
    type: os_exec
    spec:
      shell: /bin/bash
      command: echo "bash ${BASH_VERSINFO[0]}"
  - name: missing
    type: os_exec
    spec:
      command: "true"
      working_dir: /nonexistent/dir
)");
  EXPECT_EQ(g.raw.exit_code, 1) << g.raw.err;
  EXPECT_NE(g.raw.err.find("[wd] " + tmp.path()), std::string::npos) << g.raw.err;
  EXPECT_NE(g.raw.err.find("[bash] bash 5"), std::string::npos) << g.raw.err;
  EXPECT_EQ(g.result["results"]["missing"]["status"], "failed");
  EXPECT_NE(g.result["results"]["missing"]["error"].get<std::string>().find(
                "/nonexistent/dir: No such file or directory"),
            std::string::npos);
}

TEST(RunSemantics, CommandNotFoundIsATaskFailure) {
  temp_dir tmp;
  auto g = run_group(tmp, R"(
taskGroup:
  - name: t
    type: os_exec
    spec:
      command: [no-such-program-xyz]
)");
  EXPECT_EQ(g.raw.exit_code, 1);
  EXPECT_EQ(g.result["results"]["t"]["error"], "no-such-program-xyz: command not found in PATH");
}

TEST(RunSemantics, ExportNotProducedFailsTheTask) {
  temp_dir tmp;
  auto g = run_group(tmp, R"(
taskGroup:
  - name: t
    type: os_exec
    spec: {command: "true"}
    exports: [{name: token}]
  - name: u
    type: os_exec
    imports: [{from: t, variable: token}]
    spec: {command: "true"}
)");
  EXPECT_EQ(g.raw.exit_code, 1);
  EXPECT_EQ(g.result["results"]["t"]["status"], "failed");
  EXPECT_NE(g.result["results"]["t"]["error"].get<std::string>().find("export `token` was not produced"),
            std::string::npos);
  EXPECT_EQ(g.result["results"]["u"]["status"], "skipped");
}

TEST(RunSemantics, TimeoutKillsTheTask) {
  temp_dir tmp;
  auto g = run_group(tmp, R"(
taskGroup:
  - name: slow
    type: os_exec
    timeout: 300ms
    spec: {command: "sleep 100"}
)", {"--grace", "100ms"});
  EXPECT_EQ(g.raw.exit_code, 1);
  EXPECT_EQ(g.result["results"]["slow"]["status"], "failed");
  EXPECT_EQ(g.result["results"]["slow"]["error"], "timed out after 300ms");
}

TEST(RunSemantics, TimeoutEscalatesToSigkill) {
  temp_dir tmp;
  auto g = run_group(tmp, R"(
taskGroup:
  - name: stubborn
    type: os_exec
    timeout: 200ms
    spec: {command: "trap '' TERM; while :; do sleep 0.05; done"}
)", {"--grace", "200ms"});
  EXPECT_EQ(g.raw.exit_code, 1);
  EXPECT_EQ(g.result["results"]["stubborn"]["error"], "timed out after 200ms");
}

TEST(RunSemantics, GracefulExitAfterTimeoutIsStillATimeout) {
  temp_dir tmp;
  auto g = run_group(tmp, R"(
taskGroup:
  - name: polite
    type: os_exec
    timeout: 200ms
    spec: {command: "trap 'exit 0' TERM; sleep 100 & wait"}
)", {"--grace", "5s"});
  EXPECT_EQ(g.raw.exit_code, 1);
  EXPECT_EQ(g.result["results"]["polite"]["status"], "failed");
  EXPECT_EQ(g.result["results"]["polite"]["error"], "timed out after 200ms");
}

TEST(RunSemantics, RetryUntilSuccess) {
  temp_dir tmp;
  auto counter = tmp.file("count");
  auto g = run_group(tmp, R"(
taskGroup:
  - name: flaky
    type: os_exec
    retry: {attempts: 3, backoff: 10ms}
    spec:
      command: |
        n=$(cat )" + counter + R"( 2>/dev/null || echo 0); n=$((n+1)); echo $n > )" + counter + R"(
        [ $n -ge 3 ]
)");
  EXPECT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_EQ(g.result["results"]["flaky"]["status"], "success");
  EXPECT_EQ(g.result["results"]["flaky"]["attempts"], 3);
  EXPECT_NE(g.raw.err.find("attempt 1 of 3 failed (exit status 1); retrying in 10ms"),
            std::string::npos) << g.raw.err;
}

TEST(RunSemantics, RetryGivesUp) {
  temp_dir tmp;
  auto g = run_group(tmp, R"(
taskGroup:
  - name: bad
    type: os_exec
    retry: {attempts: 2, backoff: 1ms}
    spec: {command: "exit 4"}
)");
  EXPECT_EQ(g.raw.exit_code, 1);
  EXPECT_EQ(g.result["results"]["bad"]["attempts"], 2);
  EXPECT_EQ(g.result["results"]["bad"]["exit_code"], 4);
}

TEST(RunSemantics, SecretSplitAcrossWritesIsMasked) {
  temp_dir tmp;
  auto g = run_group(tmp, R"(
taskGroup:
  - name: src
    type: os_exec
    spec: {command: "echo 'tok=hunter2-very-secret' >> $OUTPUT_FILE"}
    exports: [{name: tok, confidential: true, scope: global}]
  - name: dst
    type: os_exec
    imports: [{from: src, variable: tok}]
    spec:
      command: ["/bin/sh", "-c", "printf 'a hunter2-'; sleep 0.05; printf 'very-secret b\n'; printf '%s' \"$1\" | base64; printf 'x%s' \"$1\" | base64; printf 'xy%s' \"$1\" | base64; printf '{\"v\":\"%s\"}\n' \"$1\"", "sh", "{{ .src.tok }}"]
)");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_EQ(g.result["results"]["src"]["outputs"]["tok"], "***");
  EXPECT_NE(g.raw.err.find("[dst] a *** b"), std::string::npos) << g.raw.err;
  for (auto leak : {"hunter2", "aHVudGVyMi12ZXJ5LXNlY3JldA", "h1bnRlcjItdmVyeS1zZWNyZX",
                    "odW50ZXIyLXZlcnktc2VjcmV0"})
    EXPECT_EQ(g.raw.err.find(leak), std::string::npos) << leak << "\n" << g.raw.err;
}

TEST(RunSemantics, OwnConfidentialExportMaskedWhenPrinted) {
  temp_dir tmp;
  auto g = run_group(tmp, R"(
taskGroup:
  - name: t
    type: os_exec
    spec:
      command: |
        echo "pw=correct-horse-battery" >> "$OUTPUT_FILE"
        echo "the password is correct-horse-battery"
    exports: [{name: pw, confidential: true}]
)");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_NE(g.raw.err.find("[t] the password is ***"), std::string::npos) << g.raw.err;
  EXPECT_EQ(g.raw.err.find("correct-horse"), std::string::npos) << g.raw.err;
}

TEST(RunSemantics, OutputValueLimit) {
  temp_dir tmp;
  auto g = run_group(tmp, R"(
taskGroup:
  - name: big
    type: os_exec
    spec: {command: "printf 'v=%02000d\n' 0 >> $OUTPUT_FILE"}
    exports: [{name: v}]
)", {"--max-output-value", "1KiB"});
  EXPECT_EQ(g.raw.exit_code, 1);
  EXPECT_NE(g.result["results"]["big"]["error"].get<std::string>().find("limit"), std::string::npos)
      << g.result.dump();
}

TEST(RunSemantics, LongLogLinesAreSplitNotDropped) {
  temp_dir tmp;
  auto g = run_group(tmp, R"(
taskGroup:
  - name: t
    type: os_exec
    spec: {command: "printf '%0300d\n' 7"}
)", {"--max-log-line", "100"});
  ASSERT_EQ(g.raw.exit_code, 0);
  std::string zeros(100, '0');
  EXPECT_NE(g.raw.err.find("[t] " + zeros + "\n[t] " + zeros + "\n[t] " + std::string(99, '0') + "7\n"),
            std::string::npos) << g.raw.err;
}

TEST(RunSemantics, MaxParallelBoundsConcurrency) {
  temp_dir tmp;
  std::string yaml = "taskGroup:\n";
  for (int i = 0; i < 6; ++i)
    yaml += "  - name: t" + std::to_string(i) + "\n    type: os_exec\n    spec:\n      command: "
            "\"mkdir " + tmp.file("lock") + " || exit 9; sleep 0.02; rmdir " + tmp.file("lock") + "\"\n";
  auto g = run_group(tmp, yaml, {"--max-parallel", "1"});
  EXPECT_EQ(g.raw.exit_code, 0) << g.result.dump(1);
}

TEST(RunSemantics, TextOutputHasPrefixedLinesAndSummary) {
  temp_dir tmp;
  auto file = tmp.write("g.yaml", R"(
id: text-out
taskGroup:
  - name: hello
    type: os_exec
    spec: {command: "echo out; echo err >&2"}
)");
  auto r = run_runner({"run", file});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("[hello] started\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[hello] out\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[hello] err\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[hello] ✓ success"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("group text-out: success — 1 success"), std::string::npos) << r.out;
}

TEST(RunSemantics, JsonLogFormat) {
  temp_dir tmp;
  auto file = tmp.write("g.yaml", "taskGroup:\n  - {name: a, type: os_exec, spec: {command: 'true'}}\n");
  auto r = run_runner({"--log-format", "json", "--log-level", "info", "run", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto first_line = r.err.substr(0, r.err.find('\n'));
  auto j = parse_json(first_line);
  ASSERT_FALSE(j.is_discarded()) << r.err;
  EXPECT_EQ(j["level"], "info");
  EXPECT_NE(j["msg"].get<std::string>().find("1 tasks"), std::string::npos);
}

TEST(RunSemantics, InvalidGroupRunsNothing) {
  temp_dir tmp;
  auto marker = tmp.file("ran");
  auto file = tmp.write("g.yaml", "taskGroup:\n  - {name: a, type: os_exec, spec: {command: 'touch " +
                                      marker + "'}}\n  - {name: b, type: nope}\n");
  auto r = run_runner({"run", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown task type"), std::string::npos) << r.err;
  EXPECT_TRUE(read_file(marker).empty());
  EXPECT_FALSE(std::ifstream(marker).good());
}

TEST(RunSemantics, InvalidUtf8OutputStillGivesAResult) {
  temp_dir tmp;
  auto g = run_group(tmp, R"(
taskGroup:
  - name: t
    type: os_exec
    spec: {command: "printf 'v=\\377\\376ok\\n' >> $OUTPUT_FILE; printf '\\377 raw\\n'"}
    exports: [{name: v, scope: global}]
)");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_EQ(g.result["results"]["t"]["outputs"]["v"], "\xEF\xBF\xBD\xEF\xBF\xBDok");
}

TEST(RunSemantics, ResultFileIsWrittenWhole) {
  temp_dir tmp;
  auto file = tmp.write("g.yaml", "id: rf\ntaskGroup:\n  - {name: a, type: os_exec, spec: {command: 'true'}}\n");
  auto r = run_runner({"run", file, "--result-file", tmp.file("out.json")});
  ASSERT_EQ(r.exit_code, 0);
  auto j = parse_json(read_file(tmp.file("out.json")));
  EXPECT_EQ(j["id"], "rf");
  EXPECT_EQ(j["status"], "success");
}

}  // namespace runner::test

namespace runner::test {

// A value derived from a secret is a secret: the export that holds it is
// masked in the result and treated as confidential by its importers, even if
// the document forgot to say so.
TEST(RunSemantics, AnExportHoldingAnImportedSecretIsConfidential) {
  temp_dir tmp;
  auto g = run_group(tmp,
                     "taskGroup:\n"
                     "  - name: fetch\n    type: os_exec\n"
                     "    spec: {command: 'echo token=Zq9-secret-77 >> $OUTPUT_FILE'}\n"
                     "    exports: [{name: token, confidential: true}]\n"
                     "  - name: derive\n    type: expression_evaluation\n"
                     "    imports: [{from: fetch, variable: token}]\n"
                     "    spec: {string_to_evaluate: 'Bearer <+ fetch.token >'}\n"
                     "    exports: [{name: result, scope: global}]\n"
                     "  - name: use\n    type: os_exec\n"
                     "    imports: [{from: derive, variable: result}]\n"
                     "    spec: {command: 'echo \"header: {{ .derive.result }}\"'}\n");
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_EQ(g.result["results"]["derive"]["outputs"]["result"], "***") << g.raw.out;
  EXPECT_EQ(g.raw.out.find("Zq9-secret-77"), std::string::npos) << g.raw.out;
  EXPECT_EQ(g.raw.err.find("Zq9-secret-77"), std::string::npos) << g.raw.err;
  EXPECT_NE(g.raw.err.find("[use] header: ***"), std::string::npos) << g.raw.err;
}

}  // namespace runner::test
