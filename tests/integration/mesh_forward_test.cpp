// Forwarding between real runner processes over mutual TLS on loopback: a
// whole group (--to and `forward:`), single tasks whose exports come back,
// several hops, and runnerctl asking a node's actors.
#include <gtest/gtest.h>

#include "mesh_harness.hpp"
#include "tests/support/base64.hpp"

namespace runner::test {
namespace {

const std::string kSecret = "pa55-Zebra-9931";

// The secret as `base64` wraps it after 50 bytes: characters 67..75 of the
// first line and 76..86 of the second are the secret's alone.
const std::string kWrapped = test::base64(std::string(50, 'x') + kSecret + "\n");
const std::string kWrappedHead = kWrapped.substr(67, 9), kWrappedTail = kWrapped.substr(76, 10);

// Every place a secret could leak to: what the submitter printed, the result
// file, and each node's own output.
void expect_no_secret(const std::string& where, const std::string& text) {
  for (const std::string& form : {kSecret, kWrappedHead, kWrappedTail})
    EXPECT_EQ(text.find(form), std::string::npos) << "secret leaked into " << where << ":\n"
                                                    << text;
}

TEST(MeshForward, GroupRunsOnTheNodeItIsSentToAndReportsLikeALocalRun) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "", false);
  auto group = m.write("g.yaml",
                       "taskGroup:\n"
                       "  - name: first\n    type: os_exec\n"
                       "    spec: {command: 'echo on-the-node; echo v=42 >> $OUTPUT_FILE'}\n"
                       "    exports: [{name: v, scope: global}]\n"
                       "  - name: second\n    type: os_exec\n"
                       "    imports: [{from: first, variable: v}]\n"
                       "    spec: {command: 'echo got {{ .first.v }}'}\n");
  auto result = m.file("result.json");
  auto r = run_runner({"run", group, "--config", a, "--to", b.address(), "--result-file", result});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("[first] on-the-node"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[second] got 42"), std::string::npos) << r.out;
  auto j = parse_json(read_file(result));
  EXPECT_EQ(j["status"], "success");
  EXPECT_EQ(j["results"]["first"]["runner"], "node-b");
  EXPECT_EQ(j["results"]["second"]["runner"], "node-b");
  EXPECT_EQ(j["results"]["first"]["outputs"]["v"], "42");
}

TEST(MeshForward, GroupLevelForwardFieldAndExitCodesOfAFailingGroup) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto group = m.write("g.yaml",
                       "forward: {to: node-b}\n"
                       "taskGroup:\n"
                       "  - {name: bad, type: os_exec, spec: {command: 'exit 4'}}\n"
                       "  - {name: after, type: os_exec, depends_on: bad, spec: {command: 'true'}}\n");
  auto r = run_runner({"run", group, "--config", a, "--output", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["status"], "failed");
  EXPECT_EQ(j["results"]["bad"]["exit_code"], 4);
  EXPECT_EQ(j["results"]["bad"]["runner"], "node-b");
  EXPECT_EQ(j["results"]["after"]["status"], "skipped");
}

TEST(MeshForward, TheNodeValidatesAForwardedGroupAgainstItsOwnTaskTypes) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "", false);
  auto group = m.write("g.yaml", "taskGroup:\n  - {name: x, type: no_such_type, spec: {}}\n");
  auto r = run_runner({"run", group, "--config", a, "--to", b.address()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("unknown task type `no_such_type`"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("g.yaml:2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("node-b"), std::string::npos) << r.err;
}

// A group that names its node in `forward:` is still checked there.
TEST(MeshForward, AGroupForwardedByItsForwardFieldIsValidatedOnTheNode) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto group = m.write("g.yaml", "forward: {to: node-b}\ntaskGroup:\n"
                                 "  - {name: x, type: no_such_type, spec: {}}\n");
  auto r = run_runner({"run", group, "--config", a});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("unknown task type `no_such_type`"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("node-b"), std::string::npos) << r.err;
}

// The seed's scenario: only node-b can fetch the secret; a task on node-a uses it.
TEST(MeshForward, ASecretFetchedOnOneNodeIsUsedOnAnotherAndShownNowhere) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all("node-a")));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto used = m.file("used.txt");
  auto group = m.write(
      "g.yaml",
      "taskGroup:\n"
      "  - name: fetch\n    type: os_exec\n    forward: {to: node-b}\n"
      "    spec: {command: 'echo fetching; echo password=" + kSecret +
          " >> $OUTPUT_FILE; echo the secret is " + kSecret + "; echo " + std::string(50, 'x') +
          kSecret + " | base64'}\n"
      "    exports: [{name: password, confidential: true, scope: global}]\n"
      "  - name: use\n    type: os_exec\n"
      "    imports: [{from: fetch, variable: password}]\n"
      "    spec: {command: 'printf %s \"{{ .fetch.password }}\" > " + used +
          "; echo using {{ .fetch.password }}'}\n");
  auto result = m.file("result.json");
  auto r = run_runner({"--log-level", "debug", "run", group, "--config", a, "--result-file",
                       result});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(read_file(used), kSecret) << "the importing task must get the real value";
  EXPECT_NE(r.out.find("[fetch] fetching"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[fetch] the secret is ***"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[fetch] " + kWrapped.substr(0, 67) + "***\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[use] using ***"), std::string::npos) << r.out;
  auto j = parse_json(read_file(result));
  EXPECT_EQ(j["results"]["fetch"]["runner"], "node-b");
  EXPECT_EQ(j["results"]["use"]["runner"], "node-a");
  EXPECT_EQ(j["results"]["fetch"]["outputs"]["password"], "***");
  expect_no_secret("stdout", r.out);
  expect_no_secret("stderr", r.err);
  expect_no_secret("result file", read_file(result));
  auto ctl = run_runnerctl({"--runner", b.address(), "--config", a, "groups", "--output", "json"});
  EXPECT_EQ(ctl.exit_code, 0) << ctl.err;
  expect_no_secret("runnerctl", ctl.out);
  expect_no_secret("node-b's log", b.output());
}

// The node that ran a forwarded task says that a value is too short to mask;
// the submitter, which learns the value from the outcome, does not say it again.
TEST(MeshForward, AForwardedValueTooShortToMaskIsNamedOnce) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all("node-a")));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto group = m.write("g.yaml",
                       "taskGroup:\n"
                       "  - name: fetch\n    type: os_exec\n    forward: {to: node-b}\n"
                       "    spec: {command: 'echo pin=7f3 >> $OUTPUT_FILE'}\n"
                       "    exports: [{name: pin, confidential: true, scope: global}]\n");
  auto r = run_runner({"run", group, "--config", a});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string warning = "the confidential value of `fetch.pin` is shorter than 4";
  std::string all = r.out + r.err;
  size_t at = all.find(warning);
  ASSERT_NE(at, std::string::npos) << all;
  EXPECT_EQ(all.find(warning, at + 1), std::string::npos) << "warned twice:\n" << all;
}

// An expression task reads its imports directly: they travel with it.
TEST(MeshForward, AForwardedExpressionTaskGetsItsImports) {
  mesh_dir m;
  node_process b(m.config(
      "node-b", "accept:\n  - {from: node-a, task_types: [os_exec, expression_evaluation]}\n"));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto group = m.write("g.yaml",
                       "taskGroup:\n"
                       "  - name: build\n    type: os_exec\n"
                       "    spec: {command: 'echo version=2.0 >> $OUTPUT_FILE'}\n"
                       "    exports: [{name: version}]\n"
                       "  - name: label\n    type: expression_evaluation\n"
                       "    forward: {to: node-b}\n"
                       "    imports: [{from: build, variable: version}]\n"
                       "    spec: {string_to_evaluate: \"v<+ build.version > <+ build.status >\"}\n"
                       "    exports: [{name: result, scope: global}]\n"
                       "  - name: tests\n    type: os_exec\n    spec: {command: 'exit 1'}\n"
                       "  - name: triage\n    type: expression_evaluation\n"
                       "    forward: {to: node-b}\n    when: \"tests.status == 'failed'\"\n"
                       "    spec: {string_to_evaluate: \"tests <+ tests.status >\"}\n"
                       "    exports: [{name: result, scope: global}]\n");
  auto r = run_runner({"run", group, "--config", a, "--output", "json"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["label"]["runner"], "node-b");
  EXPECT_EQ(j["results"]["label"]["outputs"]["result"], "v2.0 success");
  // A `when` that reads a status runs after a failure; the status travels with the task.
  EXPECT_EQ(j["results"]["triage"]["runner"], "node-b");
  EXPECT_EQ(j["results"]["triage"]["outputs"]["result"], "tests failed");
}

// A knows only B; B knows C. A task for C goes through B.
TEST(MeshForward, ATaskForANodeThatIsNoPeerIsRoutedThroughOne) {
  mesh_dir m;
  node_process c(m.config("node-c", accept_all("node-b")));
  ASSERT_TRUE(c.started()) << c.output();
  node_process b(m.config("node-b", accept_all("node-a") + "peers: {node-c: " + c.address() + "}\n"));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto group = m.write("g.yaml",
                       "taskGroup:\n"
                       "  - name: far\n    type: os_exec\n    forward: {to: node-c}\n"
                       "    spec: {command: 'echo far away; echo where=c >> $OUTPUT_FILE'}\n"
                       "    exports: [{name: where}]\n"
                       "  - name: near\n    type: os_exec\n"
                       "    imports: [{from: far, variable: where}]\n"
                       "    spec: {command: 'echo came from {{ .far.where }}'}\n");
  auto r = run_runner({"run", group, "--config", a, "--output", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["far"]["runner"], "node-c");
  EXPECT_NE(r.err.find("[far] far away"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[near] came from c"), std::string::npos) << r.err;
}

TEST(MeshForward, RunnerctlAnswersFromTheNodesActors) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "", false);
  auto group = m.write("g.yaml",
                       "id: ctl-group\ntaskGroup:\n"
                       "  - {name: one, type: os_exec, spec: {command: 'true'}}\n"
                       "  - {name: two, type: os_exec, depends_on: one, spec: {command: 'exit 3'}}\n");
  auto r = run_runner({"run", group, "--config", a, "--to", b.address()});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto admin = m.pki().make_leaf("admin");
  std::vector<std::string> id{"--runner", b.address(), "--cert", admin.cert, "--key", admin.key,
                              "--ca", m.pki().ca_cert(), "--output", "json"};
  auto with = [&](std::vector<std::string> more) {
    auto v = id;
    v.insert(v.end(), more.begin(), more.end());
    return v;
  };
  auto status = run_runnerctl(with({"status"}));
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto s = parse_json(status.out);
  EXPECT_EQ(s["node"], "node-b");
  EXPECT_EQ(s["recent_groups"], 1);
  EXPECT_GE(s["uptime_ms"].get<int64_t>(), 0);
  auto groups = parse_json(run_runnerctl(with({"groups"})).out);
  ASSERT_EQ(groups["groups"].size(), 1u) << groups.dump();
  EXPECT_EQ(groups["groups"][0]["id"], "ctl-group");
  EXPECT_EQ(groups["groups"][0]["submitter"], "node-a");
  EXPECT_EQ(groups["groups"][0]["state"], "failed");
  auto describe = parse_json(run_runnerctl(with({"describe", "ctl-group"})).out);
  auto tasks = describe["groups"][0]["tasks"];
  ASSERT_EQ(tasks.size(), 2u) << describe.dump();
  EXPECT_EQ(tasks[0]["state"], "success");
  EXPECT_EQ(tasks[1]["state"], "failed");
  EXPECT_EQ(tasks[1]["runner"], "node-b");
  auto unknown = run_runnerctl(with({"describe", "nope"}));
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("knows no group or task `nope`"), std::string::npos) << unknown.err;
  auto text = run_runnerctl({"--runner", b.address(), "--config", a, "status"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("node-b"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace runner::test
