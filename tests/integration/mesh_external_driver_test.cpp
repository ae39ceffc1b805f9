// External drivers on a mesh node (`runner serve`): the node starts its
// drivers the first time forwarded work names a type it lacks, and runnerctl
// pauses and resumes a task the driver runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "faulty_driver.hpp"
#include "harness.hpp"
#include "mesh_harness.hpp"

namespace runner::test {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// node-b runs the faulty driver for node-a, which submits without listening.
class MeshExternalDriver : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(markers);
    b = std::make_unique<node_process>(m.config(
        "node-b", "accept:\n  - {from: node-a, task_types: [faulty, os_exec]}\n"
                  "drivers:\n  - command: [python3, " + faulty_driver() + "]\n"
                  "    env: {FAULTY_MARKER_DIR: " + markers + "}\n"));
    ASSERT_TRUE(b->started()) << b->output();
    a = m.config("node-a", "", false);
  }

  mesh_dir m;
  std::string markers = m.file("markers");
  std::unique_ptr<node_process> b;
  std::string a;  // node-a's config
};

}  // namespace

TEST_F(MeshExternalDriver, AForwardedGroupUsesTheNodesDriverAndRunnerctlPausesItsTask) {
  auto group = m.write("g.yaml",
                       "id: pausable\ntaskGroup:\n"
                       "  - name: w\n    type: faulty\n    spec: {behave: wait_for_signal}\n"
                       "    exports: [{name: signals, scope: global}]\n");
  process run({runner_binary(), "run", group, "--config", a, "--to", b->address(), "--output",
               "json"});
  ASSERT_TRUE(eventually([&] { return reached_driver(markers, "w"); })) << b->output();

  auto ctl = [&](std::vector<std::string> more) {
    std::vector<std::string> args{"--runner", b->address(), "--config", a};
    args.insert(args.end(), more.begin(), more.end());
    return run_runnerctl(args, 30s);
  };
  auto missing = ctl({"pause", "pausable", "nope"});
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("has no task `nope`"), std::string::npos) << missing.err;

  auto paused = ctl({"pause", "pausable", "w"});
  EXPECT_EQ(paused.exit_code, 0) << paused.out << paused.err;
  EXPECT_NE(paused.out.find("pausing task `w`"), std::string::npos) << paused.out;
  // Only one task runs, so its name may be left out.
  auto resumed = ctl({"resume", "pausable"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;

  auto r = run.wait(60s);
  ASSERT_EQ(r.exit_code, 0) << r.err << b->output();
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["w"]["outputs"]["signals"], "pause,start") << r.out;
  EXPECT_EQ(j["results"]["w"]["runner"], "node-b");
}

TEST_F(MeshExternalDriver, RunnerctlCancelSendsDestroyAndTheProcessServesOn) {
  auto group = m.write("g.yaml", "id: stoppable\ntaskGroup:\n"
                                 "  - name: h\n    type: faulty\n"
                                 "    spec: {behave: hang_until_destroy}\n");
  process run({runner_binary(), "run", group, "--config", a, "--to", b->address(), "--output",
               "json"});
  ASSERT_TRUE(eventually([&] { return reached_driver(markers, "h"); })) << b->output();
  auto cancel = run_runnerctl({"--runner", b->address(), "--config", a, "cancel", "stoppable"}, 30s);
  EXPECT_EQ(cancel.exit_code, 0) << cancel.out << cancel.err;
  auto r = run.wait(60s);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_EQ(parse_json(r.out)["results"]["h"]["status"], "cancelled") << r.out;
  // The driver answered `destroy`, so its process was kept: the next group's
  // task is its second.
  auto next = m.write("n.yaml", "taskGroup:\n  - name: c\n    type: faulty\n"
                                "    spec: {behave: count}\n"
                                "    exports: [{name: execs, scope: global}]\n");
  auto again = run_runner({"run", next, "--config", a, "--to", b->address(), "--output", "json"},
                          60s);
  ASSERT_EQ(again.exit_code, 0) << again.err << b->output();
  EXPECT_EQ(parse_json(again.out)["results"]["c"]["outputs"]["execs"], "2") << again.out;
}

TEST_F(MeshExternalDriver, AForwardedTaskOfADriverTypeRunsOnTheNode) {
  auto group = m.write("g.yaml",
                       "taskGroup:\n"
                       "  - name: there\n    type: faulty\n    forward: {to: " + b->address() +
                           "}\n    spec: {behave: ok, outputs: {v: from-b}}\n"
                           "    exports: [{name: v, scope: global}]\n"
                           "  - name: here\n    type: os_exec\n"
                           "    imports: [{from: there, variable: v}]\n"
                           "    spec: {command: 'echo {{ .there.v }}'}\n");
  auto r = run_runner({"run", group, "--config", a, "--output", "json"}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err << b->output();
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["there"]["outputs"]["v"], "from-b");
  EXPECT_EQ(j["results"]["there"]["runner"], "node-b");
  EXPECT_NE(r.err.find("[here] from-b"), std::string::npos) << r.err;
}

}  // namespace runner::test
