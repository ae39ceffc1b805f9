// External drivers (SPEC.md §6, docs/driver-protocol.md) through the real
// binary: `runner run --config` with a `drivers:` entry that starts
// tests/drivers/faulty_driver.py, a driver that misbehaves on request. Each
// test checks that what one driver process does wrong fails only the tasks it
// should, with an error that says what happened, and that a later task gets a
// new process.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <string>
#include <vector>

#include "faulty_driver.hpp"
#include "harness.hpp"

namespace runner::test {

namespace {

namespace fs = std::filesystem;

// A node config registering the faulty driver; `env` lines go to its `env:`.
std::string driver_config(const temp_dir& tmp, const std::string& env = "") {
  return tmp.write("runner.yaml", "name: test-node\ntls: off\nstate_dir: " + tmp.file("state") +
                                      "\ndrivers:\n  - command: [python3, " + faulty_driver() +
                                      "]\n    env:\n      FAULTY_MARKER_DIR: " + tmp.path() +
                                      "\n" + env);
}

// Driver processes started / told to shut down.
size_t started(const temp_dir& tmp) { return markers(tmp.path(), "started"); }
size_t shut_down(const temp_dir& tmp) { return markers(tmp.path(), "shutdown"); }

run_output run_group(const temp_dir& tmp, const std::string& config, const std::string& group,
                     std::vector<std::string> extra = {}) {
  auto file = tmp.write("g.yaml", group);
  std::vector<std::string> args = {"run", "--config", config, file, "--output", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_runner(args, std::chrono::seconds(90));
}

// A task `a` that misbehaves, an os_exec task beside it, and `after`, which
// runs once `a` failed: on a fresh driver process when `a` broke the old one.
std::string broken_then_later(const std::string& behave, const std::string& extra_spec = "") {
  return "id: iso\ntaskGroup:\n"
         "  - name: a\n    type: faulty\n    spec: {behave: " + behave + extra_spec + "}\n"
         "  - name: builtin\n    type: os_exec\n    spec: {command: 'echo fine'}\n"
         "  - name: after\n    type: faulty\n    depends_on: [a]\n"
         "    when: \"<+ a.status == 'failed' >\"\n"
         "    spec: {behave: count}\n    exports: [{name: execs, scope: global}]\n";
}

void expect_isolated(const run_output& r, const std::string& error_part, size_t processes,
                     const temp_dir& tmp) {
  EXPECT_EQ(r.exit_code, 3) << r.err;  // a driver fault is the runner's side, not the task's
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["a"]["status"], "failed") << r.out;
  std::string error = j["results"]["a"].value("error", "");
  EXPECT_NE(error.find(error_part), std::string::npos) << error;
  EXPECT_NE(error.find("driver `faulty`"), std::string::npos) << error;
  EXPECT_EQ(j["results"]["builtin"]["status"], "success") << r.out;
  EXPECT_EQ(j["results"]["after"]["status"], "success") << r.out;
  EXPECT_EQ(started(tmp), processes);
}

}  // namespace

TEST(ExternalDriver, TheDocumentedExampleRunsItsGroup) {
  process p({"/bin/sh", "-c",
             "cd \"$0\" && exec \"$1\" run --config examples/drivers/runner.yaml "
             "examples/drivers/group.yaml --output json",
             RUNNER_SOURCE_DIR, runner_binary()});
  auto r = p.wait();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["digest"]["outputs"]["digest"].get<std::string>().size(), 64u) << r.out;
  EXPECT_EQ(j["results"]["report"]["status"], "success");
  EXPECT_NE(j["results"]["report"]["outputs"].value("summary", "").find("signature"),
            std::string::npos)
      << r.out;
  // The confidential token never shows.
  EXPECT_NE(r.err.find("[sign] got token ***"), std::string::npos) << r.err;
}

TEST(ExternalDriver, OneProcessServesSeveralTasksAtOnce) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp),
                     "taskGroup:\n"
                     "  - name: a\n    type: faulty\n    spec: {behave: count, sleep: 0.2}\n"
                     "    exports: [{name: execs, scope: global}]\n"
                     "  - name: b\n    type: faulty_b\n    spec: {behave: count, sleep: 0.2}\n"
                     "    exports: [{name: execs, scope: global}]\n"
                     "  - name: c\n    type: faulty\n    depends_on: [a, b]\n"
                     "    spec: {behave: ok, outputs: {x: done}}\n    exports: [{name: x, scope: global}]\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["c"]["outputs"]["x"], "done");
  EXPECT_EQ(started(tmp), 1u);
  // The runner says goodbye before it leaves.
  EXPECT_EQ(shut_down(tmp), 1u);
}

TEST(ExternalDriver, MaxTasksBoundsWhatOneProcessIsSent) {
  temp_dir tmp;
  std::string group = "taskGroup:\n";
  for (const char* n : {"a", "b", "c", "d"})
    group += std::string("  - name: ") + n +
             "\n    type: faulty\n    spec: {behave: count, sleep: 0.05}\n"
             "    exports: [{name: running, scope: global}]\n";
  auto r = run_group(tmp, driver_config(tmp, "      FAULTY_MAX_TASKS: \"1\"\n"), group);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = parse_json(r.out);
  for (const char* n : {"a", "b", "c", "d"})
    EXPECT_EQ(j["results"][n]["outputs"]["running"], "1") << n << ": " << r.out;
}

TEST(ExternalDriver, ResultsErrorsAndOutputsReachTheGroup) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp),
                     "taskGroup:\n"
                     "  - name: make\n    type: faulty\n"
                     "    spec: {behave: ok, log: [hello, world], outputs: {v: forty-two}}\n"
                     "    exports: [{name: v, scope: global}]\n"
                     "  - name: use\n    type: os_exec\n"
                     "    imports: [{from: make, variable: v}]\n"
                     "    spec: {command: 'echo got {{ .make.v }}'}\n"
                     "  - name: bad\n    type: faulty\n"
                     "    spec: {behave: fail, error: 'the widget is broken'}\n");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["make"]["outputs"]["v"], "forty-two");
  EXPECT_NE(r.err.find("[make] hello"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[use] got forty-two"), std::string::npos) << r.err;
  EXPECT_EQ(j["results"]["bad"]["status"], "failed");
  EXPECT_EQ(j["results"]["bad"]["exit_code"], 7);
  EXPECT_NE(j["results"]["bad"].value("error", "").find("the widget is broken"), std::string::npos);
  EXPECT_EQ(started(tmp), 1u);
}

TEST(ExternalDriver, ACrashFailsItsTasksAndTheNextTaskGetsANewProcess) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp), broken_then_later("crash"));
  expect_isolated(r, "exited with status 3", 2, tmp);
}

TEST(ExternalDriver, ADeathBySignalIsNamed) {
  // Its stdout ends before the runner learns why; the signal is what counts.
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp), broken_then_later("abort"));
  expect_isolated(r, "was killed by SIGABRT", 2, tmp);
}

TEST(ExternalDriver, WhatACrashedDriverLeftRunningIsEnded) {
  temp_dir tmp;
  auto pid_file = tmp.file("child.pid");
  // `check` runs after the crash and waits (bounded) for the orphan to go.
  auto r = run_group(tmp, driver_config(tmp),
                     "taskGroup:\n"
                     "  - name: a\n    type: faulty\n"
                     "    spec: {behave: crash_leaving_child, pid_file: " + pid_file + "}\n"
                     "  - name: check\n    type: os_exec\n    depends_on: [a]\n"
                     "    when: \"<+ a.status == 'failed' >\"\n"
                     "    spec:\n      command: |\n"
                     "        pid=$(cat " + pid_file + ")\n"
                     "        for i in $(seq 400); do kill -0 $pid 2>/dev/null || exit 0; sleep 0.05; done\n"
                     "        echo \"$pid still runs\"; exit 1\n");
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["a"]["status"], "failed") << r.out;
  EXPECT_EQ(j["results"]["check"]["status"], "success") << r.err;
}

TEST(ExternalDriver, ALineThatIsNotJsonStopsTheProcessWithoutQuotingIt) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp), broken_then_later("garbage"));
  expect_isolated(r, "not JSON", 2, tmp);
  EXPECT_EQ(r.out.find("this is not json"), std::string::npos);
  EXPECT_EQ(r.err.find("this is not json"), std::string::npos);
}

TEST(ExternalDriver, AnOversizedLineStopsTheProcess) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp), broken_then_later("oversize"));
  expect_isolated(r, "longer than the limit", 2, tmp);
}

TEST(ExternalDriver, AnAnswerForAnUnknownTaskStopsTheProcess) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp), broken_then_later("unknown_id"));
  expect_isolated(r, "answered for a task id it was not given", 2, tmp);
}

TEST(ExternalDriver, ClosingStdoutStopsTheProcess) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp), broken_then_later("close_stdout"),
                     {"--grace", "1s"});
  expect_isolated(r, "closed its stdout", 2, tmp);
}

TEST(ExternalDriver, AMalformedMessageAboutOneTaskFailsOnlyThatTask) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp), broken_then_later("malformed"));
  expect_isolated(r, "malformed message about this task", 1, tmp);
  // The same process went on serving: `after` was its second task.
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["after"]["outputs"]["execs"], "2") << r.out;
}

TEST(ExternalDriver, AHangPastTheTimeoutFailsTheTaskAndRetiresTheProcess) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp),
                     "taskGroup:\n"
                     "  - name: a\n    type: faulty\n    timeout: 500ms\n    spec: {behave: hang}\n"
                     "  - name: after\n    type: faulty\n    depends_on: [a]\n"
                     "    when: \"<+ a.status != 'success' >\"\n"
                     "    spec: {behave: count}\n    exports: [{name: execs, scope: global}]\n",
                     {"--grace", "500ms"});
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["a"]["status"], "failed") << r.out;
  EXPECT_NE(j["results"]["a"].value("error", "").find("timed out after"), std::string::npos);
  EXPECT_NE(j["results"]["a"].value("error", "").find("did not answer `destroy`"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(j["results"]["after"]["status"], "success") << r.out;
  EXPECT_EQ(j["results"]["after"]["outputs"]["execs"], "1") << r.out;
  EXPECT_EQ(started(tmp), 2u);
}

TEST(ExternalDriver, TimeoutSendsDestroyAndTheDriverAnswers) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp),
                     "taskGroup:\n"
                     "  - name: a\n    type: faulty\n    timeout: 300ms\n"
                     "    spec: {behave: hang_until_destroy}\n");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["a"]["status"], "failed") << r.out;
  EXPECT_NE(j["results"]["a"].value("error", "").find("timed out after"), std::string::npos);
  EXPECT_EQ(started(tmp), 1u);
}

TEST(ExternalDriver, SigintDestroysRunningTasksAndShutsTheDriverDown) {
  temp_dir tmp;
  auto config = driver_config(tmp);
  auto file = tmp.write("g.yaml",
                        "taskGroup:\n"
                        "  - name: a\n    type: faulty\n    spec: {behave: hang_until_destroy, "
                        "log: waiting}\n");
  process runner({runner_binary(), "run", "--config", config, file, "--output", "json"});
  ASSERT_TRUE(eventually([&] { return reached_driver(tmp.path(), "a"); }));
  kill(runner.pid(), SIGINT);
  auto r = runner.wait(std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 130) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["a"]["status"], "cancelled") << r.out;
  EXPECT_EQ(shut_down(tmp), 1u);
}

TEST(ExternalDriver, SecretsAreMaskedInTaskLogsDriverStderrAndErrors) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp),
                     "taskGroup:\n"
                     "  - name: s\n    type: os_exec\n"
                     "    spec: {command: 'echo pw=hunter2-s3cret > $OUTPUT_FILE'}\n"
                     "    exports: [{name: pw, confidential: true}]\n"
                     "  - name: leak\n    type: faulty\n    imports: [{from: s, variable: pw}]\n"
                     "    spec: {behave: secret_log}\n"
                     "  - name: leak_error\n    type: faulty\n    imports: [{from: s, variable: pw}]\n"
                     "    spec: {behave: secret_error}\n");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out.find("hunter2-s3cret"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("hunter2-s3cret"), std::string::npos) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["leak"]["status"], "success") << r.out;
  EXPECT_EQ(j["results"]["leak_error"]["status"], "failed") << r.out;
}

TEST(ExternalDriver, ADriverThatExitsAtStartLeavesItsTypesUnknownWithTheReason) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp, "      FAULTY_STARTUP: exit\n"),
                     "taskGroup:\n  - name: a\n    type: faulty\n    spec: {behave: ok}\n");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("unknown task type `faulty`"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("exited with status 4 before answering the handshake"), std::string::npos)
      << r.err;
}

TEST(ExternalDriver, SigintWhileWaitingForAHandshakeEndsTheRunnerAtOnce) {
  temp_dir tmp;
  auto config = driver_config(tmp, "      FAULTY_STARTUP: no_handshake\n");
  auto file = tmp.write("g.yaml", "taskGroup:\n  - name: a\n    type: faulty\n    spec: {}\n");
  process runner({runner_binary(), "run", "--config", config, file});
  ASSERT_TRUE(eventually([&] { return started(tmp) == 1; }));
  kill(runner.pid(), SIGINT);
  auto r = runner.wait(std::chrono::seconds(60));
  // Not the validation error the 10 s handshake timeout would end in.
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_NE(r.err.find("nothing was run"), std::string::npos) << r.err;
}

TEST(ExternalDriver, AnotherProtocolVersionIsRefused) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp, "      FAULTY_STARTUP: bad_protocol\n"),
                     "taskGroup:\n  - name: a\n    type: faulty\n    spec: {behave: ok}\n");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("speaks driver protocol version 99"), std::string::npos) << r.err;
}

TEST(ExternalDriver, AHandshakeThatIsNotJsonIsRefused) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp, "      FAULTY_STARTUP: not_json\n"),
                     "taskGroup:\n  - name: a\n    type: faulty\n    spec: {behave: ok}\n");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("not JSON"), std::string::npos) << r.err;
}

TEST(ExternalDriver, ADriverClaimingABuiltInTypeIsNotUsed) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp, "      FAULTY_STARTUP: types_clash\n"),
                     "taskGroup:\n  - name: a\n    type: faulty\n    spec: {behave: ok}\n"
                     "  - name: b\n    type: os_exec\n    spec: {command: 'true'}\n");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("`os_exec`, a built-in task type"), std::string::npos) << r.err;
}

TEST(ExternalDriver, ADriverIsStartedOnlyWhenAGroupUsesItsTypes) {
  temp_dir tmp;
  auto r = run_group(tmp, driver_config(tmp),
                     "taskGroup:\n  - name: b\n    type: os_exec\n    spec: {command: 'true'}\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(started(tmp), 0u);
}

TEST(ExternalDriver, AProgramThatIsNotThereIsNamed) {
  temp_dir tmp;
  auto config = tmp.write("runner.yaml", "name: t\ntls: off\ndrivers:\n"
                                         "  - command: [/nonexistent/driver-binary]\n");
  auto r = run_group(tmp, config,
                     "taskGroup:\n  - name: a\n    type: mytype\n    spec: {}\n");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("could not be started"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/driver-binary"), std::string::npos) << r.err;
}

TEST(ExternalDriver, ValidateWithTheConfigKnowsTheDriversTypes) {
  temp_dir tmp;
  auto config = driver_config(tmp);
  auto file = tmp.write("g.yaml", "taskGroup:\n  - name: a\n    type: faulty\n    spec: {}\n");
  auto without = run_runner({"validate", file});
  EXPECT_EQ(without.exit_code, 2) << without.err;
  EXPECT_NE(without.err.find("unknown task type `faulty`"), std::string::npos) << without.err;
  auto with = run_runner({"validate", "--config", config, file});
  EXPECT_EQ(with.exit_code, 0) << with.err;
  // It asked the driver for its types and let it go again.
  EXPECT_EQ(started(tmp), 1u);
  EXPECT_EQ(shut_down(tmp), 1u);
}

}  // namespace runner::test
