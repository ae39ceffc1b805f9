// SIGINT/SIGTERM to `runner run`: every task process ends, including one that
// left its process group with setsid, results say `cancelled`, exit code 130.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <vector>

#include "harness.hpp"

namespace runner::test {

namespace {

// Two running tasks, each leaving a setsid'd grandchild and a plain background
// child, plus a task still waiting for them.
std::string cancel_group(const temp_dir& tmp) {
  auto pids = tmp.file("pids");
  std::string task_body =
      "setsid sh -c 'echo $$ >> " + pids + "; exec sleep 1000' < /dev/null > /dev/null 2>&1 &\n"
      "        sleep 1000 < /dev/null > /dev/null 2>&1 &\n"
      "        echo $! >> " + pids + "\n"
      "        echo $$ >> " + pids + "\n"
      "        wait\n";
  return tmp.write("g.yaml", "id: cancel-me\ntaskGroup:\n"
                             "  - name: a\n    type: os_exec\n    spec:\n      command: |\n        " + task_body +
                             "  - name: b\n    type: os_exec\n    spec:\n      command: |\n        " + task_body +
                             "  - name: later\n    type: os_exec\n    depends_on: [a, b]\n"
                             "    spec: {command: 'true'}\n");
}

void cancel_and_check(int signo) {
  temp_dir tmp;
  auto file = cancel_group(tmp);
  process runner({runner_binary(), "run", file, "--output", "json", "--grace", "2s"});
  // 3 pids per task: the setsid'd one, the background child, the shell itself.
  ASSERT_TRUE(eventually([&] { return read_pids(tmp.file("pids")).size() >= 6; }));
  auto pids = read_pids(tmp.file("pids"));
  for (pid_t p : pids)
    ASSERT_TRUE(process_alive(p)) << p;
  kill(runner.pid(), signo);
  auto r = runner.wait(std::chrono::seconds(60));
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["status"], "cancelled") << r.out;
  EXPECT_EQ(j["results"]["a"]["status"], "cancelled");
  EXPECT_EQ(j["results"]["b"]["status"], "cancelled");
  EXPECT_EQ(j["results"]["later"]["status"], "cancelled");
  // The runner reaped them before it exited; none may be left, not even as
  // re-parented orphans.
  for (pid_t p : pids)
    EXPECT_FALSE(process_alive(p)) << "orphan survived: " << p;
}

}  // namespace

TEST(Cancel, SigintKillsEveryDescendant) {
  cancel_and_check(SIGINT);
}

TEST(Cancel, SigtermKillsEveryDescendant) {
  cancel_and_check(SIGTERM);
}

TEST(Cancel, SighupKillsEveryDescendant) {
  cancel_and_check(SIGHUP);
}

TEST(Cancel, LeftoverBackgroundProcessesEndWithTheGroup) {
  temp_dir tmp;
  auto pids = tmp.file("pids");
  auto file = tmp.write("g.yaml", "taskGroup:\n  - name: daemon\n    type: os_exec\n    spec:\n"
                                  "      command: \"setsid sleep 1000 < /dev/null > /dev/null 2>&1 & echo $! > " +
                                      pids + "\"\n");
  auto r = run_runner({"run", file, "--grace", "1s"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto left = read_pids(pids);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_FALSE(process_alive(left[0]));
}

}  // namespace runner::test
