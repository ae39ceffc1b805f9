// github_action tasks stopped from outside — timeouts and SIGINT end the
// running step and every process it started, and skip what has not run —
// and the failures that are the runner's, not the action's. The actions here
// need Node.js but not the toolkit.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>

#include "harness.hpp"

namespace runner::test {

namespace {

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// A node action whose main starts a child and waits forever, with a post
// stage that leaves a marker.
void write_hanging_action(const temp_dir& ws) {
  mkdir(ws.file("hang").c_str(), 0755);
  ws.write("hang/action.yml",
           "name: hang\ninputs:\n  pids: {required: true}\n  marker: {required: true}\n"
           "runs:\n  using: node20\n  main: main.js\n  post: post.js\n");
  ws.write("hang/main.js",
           "const {spawn} = require('child_process');\n"
           "const fs = require('fs');\n"
           "const child = spawn('sleep', ['300'], {stdio: 'ignore'});\n"
           "fs.writeFileSync(process.env['INPUT_PIDS'], `${process.pid}\\n${child.pid}\\n`);\n"
           "console.log('waiting');\n"
           "setInterval(() => {}, 1000);\n");
  ws.write("hang/post.js",
           "require('fs').writeFileSync(process.env['INPUT_MARKER'], 'post ran');\n");
}

std::string hanging_group(const temp_dir& ws, const std::string& extra) {
  return ws.write("g.yaml",
                  "id: hang\ntaskGroup:\n"
                  "  - name: act\n    type: github_action\n" + extra +
                  "    spec:\n      uses: ./hang\n      workspace: " + ws.path() +
                  "\n      with: {pids: " + ws.file("pids") + ", marker: " + ws.file("marker") +
                  "}\n");
}

}  // namespace

TEST(GitHubActionLifecycle, TimeoutEndsTheStepAndItsChildrenAndSkipsPost) {
  temp_dir ws;
  write_hanging_action(ws);
  auto file = hanging_group(ws, "    timeout: 1s\n");
  auto r = run_runner({"run", file, "--output", "json", "--grace", "1s"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["act"]["status"], "failed") << r.out;
  EXPECT_EQ(j["results"]["act"]["error"], "timed out after 1s") << r.out;
  auto pids = read_pids(ws.file("pids"));
  ASSERT_EQ(pids.size(), 2u) << "the action did not start: " << r.err;
  for (pid_t p : pids)
    EXPECT_FALSE(process_alive(p)) << "left running: " << p;
  EXPECT_FALSE(exists(ws.file("marker"))) << "a stopped task runs no post stage";
}

TEST(GitHubActionLifecycle, SigintCancelsACompositeStep) {
  temp_dir ws;
  mkdir(ws.file("slow").c_str(), 0755);
  ws.write("slow/action.yml",
           "name: slow\nruns:\n  using: composite\n  steps:\n"
           "    - shell: bash\n      run: |\n        echo $$ > " + ws.file("pids") + "\n"
           "        sleep 300 & echo $! >> " + ws.file("pids") + "\n        wait\n"
           "    - if: always()\n      shell: bash\n      run: touch " + ws.file("marker") + "\n");
  auto file = ws.write("g.yaml", "id: slow\ntaskGroup:\n  - name: act\n    type: github_action\n"
                                 "    spec: {uses: ./slow, workspace: " + ws.path() + "}\n");
  process runner({runner_binary(), "run", file, "--output", "json", "--grace", "1s"});
  ASSERT_TRUE(eventually([&] { return read_pids(ws.file("pids")).size() >= 2; }));
  auto pids = read_pids(ws.file("pids"));
  kill(runner.pid(), SIGINT);
  auto r = runner.wait(std::chrono::seconds(60));
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["act"]["status"], "cancelled") << r.out;
  for (pid_t p : pids)
    EXPECT_FALSE(process_alive(p)) << "left running: " << p;
  EXPECT_FALSE(exists(ws.file("marker"))) << "a cancelled task runs no further step";
}

TEST(GitHubActionLifecycle, MissingNodeIsTheRunnersFault) {
  temp_dir ws;
  write_hanging_action(ws);
  auto file = hanging_group(ws, "");
  auto config = ws.write("runner.yaml", "name: local\ntls: off\nstate_dir: " + ws.file("state") +
                                            "\nactions: {node: " + ws.file("no/such/node") + "}\n");
  auto r = run_runner({"run", file, "--config", config, "--output", "json"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto j = parse_json(r.out);
  std::string error = j["results"]["act"]["error"];
  EXPECT_NE(error.find("no/such/node` not found"), std::string::npos) << error;
  EXPECT_NE(error.find("`actions.node`"), std::string::npos) << error;
}

TEST(GitHubActionLifecycle, SpecMistakesAreFoundBeforeAnythingRuns) {
  temp_dir ws;
  auto file = ws.write("g.yaml",
                       "id: bad\ntaskGroup:\n"
                       "  - name: a\n    type: github_action\n    spec:\n      uses: docker://alpine:3\n"
                       "  - name: b\n    type: github_action\n    spec:\n      uses: ./x\n"
                       "      with: {n: \"${{ github.sha \"}\n      wokspace: /tmp\n");
  auto r = run_runner({"validate", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("g.yaml:6:13: error: task `a`: `docker://alpine:3` is a container image, "
                       "and no container engine configured"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("g.yaml:12:17: error: task `b`: unknown github_action field `wokspace`"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("did you mean `workspace`?"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("task `b`: `with.n`"), std::string::npos) << r.err;
}

TEST(GitHubActionLifecycle, ExpressionErrorsInACompositeNameTheStepAndPosition) {
  temp_dir ws;
  mkdir(ws.file("bad").c_str(), 0755);
  ws.write("bad/action.yml",
           "name: bad\nruns:\n  using: composite\n  steps:\n"
           "    - id: first\n      shell: bash\n      run: echo ${{ inputs.x == }}\n");
  auto file = ws.write("g.yaml", "id: bad\ntaskGroup:\n  - name: act\n    type: github_action\n"
                                 "    spec: {uses: ./bad, workspace: " + ws.path() + "}\n");
  auto r = run_runner({"run", file, "--output", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = parse_json(r.out);
  std::string error = j["results"]["act"]["error"];
  EXPECT_NE(error.find("step `first` of ./bad failed: run: expression at 1:"),
            std::string::npos)
      << error;
}

TEST(GitHubActionLifecycle, TheRunnersEnvironmentOnlyWithInheritEnv) {
  temp_dir ws;
  mkdir(ws.file("show").c_str(), 0755);
  ws.write("show/action.yml",
           "name: show\nruns:\n  using: composite\n  steps:\n"
           "    - shell: bash\n      run: echo \"seen=${RUNNER_GH_TEST_ENV:-unset} ci=$CI\"\n");
  auto file = ws.write("g.yaml", "id: env\ntaskGroup:\n"
                                 "  - name: plain\n    type: github_action\n"
                                 "    spec: {uses: ./show, workspace: " + ws.path() + "}\n"
                                 "  - name: inherit\n    type: github_action\n"
                                 "    spec: {uses: ./show, workspace: " + ws.path() +
                                 ", inherit_env: true}\n");
  setenv("RUNNER_GH_TEST_ENV", "from-the-runner", 1);
  auto r = run_runner({"run", file});
  unsetenv("RUNNER_GH_TEST_ENV");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[plain] seen=unset ci=true"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[inherit] seen=from-the-runner ci=true"), std::string::npos) << r.out;
}

}  // namespace runner::test
