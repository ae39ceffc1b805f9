// A SIGKILLed runner leaves no task process behind (drivers/spawner.hpp):
// `runner run`, `runner serve` and an external driver process, each killed
// with SIGKILL while its tasks run things that try to outlive it — 50
// background sleeps, a setsid'd double fork, a shell that ignores SIGTERM,
// a loop that forks without end. The survivors are counted from /proc: every
// task process carries a marker in its environment, which what it starts
// inherits. And a `serve` restarted after its spawner was killed too ends
// what the previous one left, from the record in its state_dir.
#include <gtest/gtest.h>

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "faulty_driver.hpp"
#include "mesh_harness.hpp"

namespace runner::test {
namespace {

using namespace std::chrono_literals;

// The bound: no task process outlives a SIGKILLed runner by more.
constexpr auto kOrphanBound = 2s;

std::string unique_mark() {
  std::random_device rd;
  return "KILLED_RUNNER_TEST=" + std::to_string(rd()) + std::to_string(rd());
}

// Everything that tries to outlive the runner, each task marked.
std::string stubborn_group(const std::string& mark) {
  std::string name = mark.substr(0, mark.find('='));
  std::string value = mark.substr(mark.find('=') + 1);
  std::string envs = "      envs: {" + name + ": '" + value + "'}\n";
  return "id: stubborn\ntaskGroup:\n"
         "  - name: sleeps\n    type: os_exec\n    spec:\n" + envs +
         "      command: 'for i in $(seq 50); do sleep 1000 & done; wait'\n"
         "  - name: escapes\n    type: os_exec\n    spec:\n" + envs +
         "      command: |\n"
         "        setsid sh -c 'sh -c \"sleep 1000\" & sleep 1000' < /dev/null > /dev/null 2>&1 &\n"
         "        wait\n"
         "  - name: deaf\n    type: os_exec\n    spec:\n" + envs +
         "      command: \"trap '' TERM; while :; do sleep 0.1; done\"\n"
         "  - name: forks\n    type: os_exec\n    spec:\n" + envs +
         "      command: 'while :; do sleep 1000 & sleep 0.02; done'\n";
}

// At least 50 sleeps, the escaped three, the deaf shell and the forker.
bool all_running(const std::string& mark) {
  return processes_with_env(mark).size() >= 60;
}

// Seconds until no marked process is left, or -1 after the bound (what is
// left is then killed, so the test leaves nothing behind).
double seconds_until_none(const std::string& mark, std::chrono::steady_clock::time_point since) {
  bool gone = eventually([&] { return processes_with_env(mark).empty(); }, kOrphanBound);
  double took = seconds_since(since);
  if (!gone)
    for (pid_t p : processes_with_env(mark))
      kill(p, SIGKILL);
  return gone ? took : -1;
}

pid_t child_named(pid_t parent, const std::string& comm) {
  pid_t found = -1;
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
      std::string stat;
      if (!std::getline(in, stat))
        continue;
      auto open = stat.find('('), close = stat.rfind(')');
      if (open == std::string::npos || close == std::string::npos)
        continue;
      int ppid = 0;
      char state = 0;
      if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) == 2 && ppid == parent &&
          stat.substr(open + 1, close - open - 1) == comm)
        found = std::atoi(e->d_name);
    }
    closedir(d);
  }
  return found;
}

}  // namespace

TEST(KilledRunner, NoTaskProcessOutlivesASigkilledRun) {
  temp_dir tmp;
  auto mark = unique_mark();
  auto file = tmp.write("g.yaml", stubborn_group(mark));
  process run({runner_binary(), "run", file, "--output", "json", "--max-parallel", "4"});
  ASSERT_TRUE(eventually([&] { return all_running(mark); }, 30s))
      << processes_with_env(mark).size() << " marked processes";
  auto t0 = std::chrono::steady_clock::now();
  kill(run.pid(), SIGKILL);
  run.wait(10s);
  double took = seconds_until_none(mark, t0);
  EXPECT_GE(took, 0) << "task processes outlived the killed runner by more than 2 s";
  std::printf("all task processes gone %.2f s after the SIGKILL\n", took);
}

TEST(KilledRunner, NoTaskProcessOutlivesASigkilledServe) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all() + "max_parallel: 4\n"));
  ASSERT_TRUE(b.started()) << b.output();
  auto mark = unique_mark();
  auto group = m.write("g.yaml", stubborn_group(mark));
  process run({runner_binary(), "run", group, "--config", m.config("node-a", "", false), "--to",
               b.address(), "--output", "json"});
  ASSERT_TRUE(eventually([&] { return all_running(mark); }, 30s)) << b.output();
  auto t0 = std::chrono::steady_clock::now();
  b.signal(SIGKILL);
  b.wait_exit(10s);
  double took = seconds_until_none(mark, t0);
  EXPECT_GE(took, 0) << "task processes outlived the killed serve by more than 2 s";
  std::printf("all task processes gone %.2f s after the SIGKILL\n", took);
  // The submitter hears that the node went away.
  auto r = run.wait(60s);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
}

TEST(KilledRunner, ARestartedServeEndsWhatAKilledSpawnerLeft) {
  mesh_dir m;
  auto config = m.config("node-b", accept_all() + "max_parallel: 4\nstate_dir: " + m.file("state") + "\n");
  auto mark = unique_mark();
  {
    node_process b(config);
    ASSERT_TRUE(b.started()) << b.output();
    auto group = m.write("g.yaml", stubborn_group(mark));
    process run({runner_binary(), "run", group, "--config", m.config("node-a", "", false),
                 "--to", b.address(), "--output", "json"});
    ASSERT_TRUE(eventually([&] { return all_running(mark); }, 30s)) << b.output();
    pid_t spawner = child_named(b.pid(), "runner-spawner");
    ASSERT_GT(spawner, 0) << "no runner-spawner beside the serve";
    // Both frozen first, so neither can end the tasks: then the tasks are
    // init's, and only the record in the state dir leads to them.
    kill(b.pid(), SIGSTOP);
    kill(spawner, SIGSTOP);
    kill(spawner, SIGKILL);
    b.signal(SIGKILL);
    b.wait_exit(10s);
    ASSERT_TRUE(eventually([&] { return !process_alive(spawner); }, 10s));
    EXPECT_TRUE(all_running(mark)) << "the tasks should have outlived both here";
  }
  node_process again(config);
  ASSERT_TRUE(again.started()) << again.output();
  auto t0 = std::chrono::steady_clock::now();
  double took = seconds_until_none(mark, t0);
  EXPECT_GE(took, 0) << "the restarted serve left its predecessor's tasks running";
  EXPECT_TRUE(contains(again.output(), "left running by the previous serve")) << again.output();
}

TEST(KilledRunner, NoTaskProcessOutlivesASigkilledExternalDriver) {
  temp_dir tmp;
  auto mark = unique_mark();
  auto config = tmp.write("runner.yaml", "name: test-node\ntls: off\nstate_dir: " +
                                             tmp.file("state") + "\ndrivers:\n  - command: [python3, " +
                                             faulty_driver() + "]\n");
  // `check` runs once the driver died (its task failed) and counts what the
  // driver left, while the runner still runs.
  std::string value = mark.substr(mark.find('=') + 1);
  auto file = tmp.write(
      "g.yaml",
      "taskGroup:\n"
      "  - name: a\n    type: faulty\n    spec: {behave: die_leaving_tree, mark: '" + mark + "'}\n"
      "  - name: check\n    type: os_exec\n    depends_on: [a]\n"
      "    when: \"<+ a.status == 'failed' >\"\n"
      "    spec:\n      command: |\n"
      "        for i in $(seq 40); do\n"
      "          grep -qsa 'KILLED_RUNNER_TEST=" + value + "' /proc/[0-9]*/environ || exit 0\n"
      "          sleep 0.05\n"
      "        done\n"
      "        echo 'what the driver left still runs'; exit 1\n");
  auto r = run_runner({"run", "--config", config, file, "--output", "json"}, 90s);
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["a"]["status"], "failed") << r.out << r.err;
  EXPECT_EQ(j["results"]["check"]["status"], "success") << r.out << r.err;
  EXPECT_TRUE(processes_with_env(mark).empty());
  for (pid_t p : processes_with_env(mark))
    kill(p, SIGKILL);
}

}  // namespace runner::test
