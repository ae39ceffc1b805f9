// os_exec through the real reactor: spawning, output, OUTPUT_FILE, exit
// statuses, stop with SIGTERM→SIGKILL, and spec checks.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <mutex>

#include "drivers/os_exec.hpp"
#include "drivers/process_tree.hpp"

namespace runner {
namespace {

// Collects what a driver reports; wait() has an upper bound so a bug fails
// the test instead of hanging it.
struct recorder : task_events {
  std::mutex mtx;
  std::condition_variable cv;
  std::string out, err;
  std::vector<std::map<std::string, std::string>> seen;
  std::optional<driver_result> result;

  void output(stream_kind s, std::string chunk, flow_ticket) override {
    std::lock_guard<std::mutex> g(mtx);
    (s == stream_kind::out ? out : err) += chunk;
  }
  void outputs_seen(std::map<std::string, std::string> o) override {
    std::lock_guard<std::mutex> g(mtx);
    seen.push_back(std::move(o));
  }
  void finished(driver_result r) override {
    std::lock_guard<std::mutex> g(mtx);
    result = std::move(r);
    cv.notify_all();
  }
  driver_result wait() {
    std::unique_lock<std::mutex> lock(mtx);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return result.has_value(); }));
    return result.value_or(driver_result{});
  }
};

struct OsExec : ::testing::Test {
  static void SetUpTestSuite() {
    reactor::block_signals();
    become_subreaper();
  }
  reactor react;
  os_exec_driver drv{react, std::chrono::milliseconds(200)};
  int runs = 0;

  std::pair<std::shared_ptr<recorder>, std::unique_ptr<running_task>> start(json spec) {
    auto rec = std::make_shared<recorder>();
    task_invocation inv;
    inv.task_name = "t";
    inv.run_id = "run-" + std::to_string(getpid()) + "-" + std::to_string(++runs);
    inv.spec = std::move(spec);
    auto h = drv.start(std::move(inv), rec);
    return {rec, std::move(h)};
  }
  std::shared_ptr<recorder> run(json spec) {
    auto [rec, h] = start(std::move(spec));
    rec->wait();
    return rec;
  }
};

TEST_F(OsExec, ShellCommandOutputAndExitCode) {
  // stdout and stderr share one pipe, so their order is kept.
  auto rec = run({{"command", "echo hi; echo oops >&2; echo again; exit 0"}});
  EXPECT_TRUE(rec->result->success);
  EXPECT_EQ(rec->out, "hi\noops\nagain\n");
  EXPECT_EQ(rec->result->exit_code, 0);
}

TEST_F(OsExec, NonZeroExitFails) {
  auto rec = run({{"command", "exit 7"}});
  EXPECT_FALSE(rec->result->success);
  EXPECT_EQ(rec->result->exit_code, 7);
  EXPECT_EQ(rec->result->error, "exit status 7");
}

TEST_F(OsExec, OutputsFromOutputFile) {
  auto rec = run({{"command", "printf 'a=1\\nb<<EOF\\nx\\ny\\nEOF\\n' >> \"$OUTPUT_FILE\""}});
  ASSERT_TRUE(rec->result->success) << rec->result->error;
  EXPECT_EQ(rec->result->outputs.at("a"), "1");
  EXPECT_EQ(rec->result->outputs.at("b"), "x\ny");
}

TEST_F(OsExec, OutputsSeenBeforeLaterOutput) {
  auto rec = run({{"command", "echo 'k=v' >> \"$OUTPUT_FILE\"; echo printed"}});
  ASSERT_FALSE(rec->seen.empty());
  EXPECT_EQ(rec->seen.front().at("k"), "v");
}

TEST_F(OsExec, BadOutputFileFailsWithLine) {
  auto rec = run({{"command", "echo 'garbage' >> \"$OUTPUT_FILE\""}});
  EXPECT_FALSE(rec->result->success);
  EXPECT_NE(rec->result->error.find("OUTPUT_FILE line 1"), std::string::npos) << rec->result->error;
}

TEST_F(OsExec, ListCommandAndEnvs) {
  auto rec = run({{"command", {"/bin/sh", "-c", "echo $X-$Y"}},
                  {"envs", json::array({{{"X", "1"}}, {{"Y", 2}}})}});
  EXPECT_EQ(rec->out, "1-2\n");
}

TEST_F(OsExec, StopKillsStubbornTreeIncludingSetsid) {
  char tmpl[] = "/tmp/os-exec-test-XXXXXX";
  ASSERT_TRUE(mkdtemp(tmpl));
  std::string pids = std::string(tmpl) + "/pids";
  auto [rec, h] = start({{"command", "trap '' TERM; setsid sh -c 'trap \"\" TERM; echo $$ >> " +
                                         pids + "; while :; do sleep 1; done' & echo started; wait"}});
  // Wait for the grandchild to exist (external effect), then stop.
  pid_t grandchild = 0;
  for (int i = 0; i < 6000 && !grandchild; ++i) {
    std::ifstream in(pids);
    in >> grandchild;
    if (!grandchild)
      usleep(5000);
  }
  ASSERT_GT(grandchild, 0);
  h->stop(stop_reason::cancelled);
  auto r = rec->wait();
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, "killed by SIGKILL");
  // The grandchild was killed too; as our adopted child it may linger as a
  // zombie until the next reap, but it must not run.
  bool gone = false;
  for (int i = 0; i < 2000 && !(gone = stopped_or_gone(grandchild)); ++i)
    usleep(5000);
  EXPECT_TRUE(gone);
  // Everything got SIGKILL; a process can still be on its way out (state R,
  // no memory left). Wait for the exits before asking what is left over.
  auto dying = [] {
    for (pid_t d : descendants_of(getpid()))
      if (!stopped_or_gone(d))
        return true;
    return false;
  };
  for (int i = 0; i < 2000 && dying(); ++i)
    usleep(5000);
  EXPECT_EQ(react.shutdown(std::chrono::milliseconds(100)), 0u);
  std::remove(pids.c_str());
  rmdir(tmpl);
}

TEST_F(OsExec, SpawnFailures) {
  auto missing = run({{"command", {"definitely-not-a-program"}}});
  EXPECT_EQ(missing->result->error, "definitely-not-a-program: command not found in PATH");
  auto wd = run({{"command", "true"}, {"working_dir", "/no/such/dir"}});
  EXPECT_EQ(wd->result->error, "working_dir /no/such/dir: No such file or directory");
}

TEST_F(OsExec, CheckSpec) {
  task_decl t;
  t.name = "t";
  t.type = "os_exec";
  auto problems = [&](json spec) {
    t.spec = std::move(spec);
    diagnostics out;
    drv.check_spec(t, "f.yaml", out);
    std::string all;
    for (auto& d : out)
      all += d.message + " | " + d.hint + "\n";
    return all;
  };
  EXPECT_EQ(problems({{"command", "echo"}}), "");
  EXPECT_NE(problems(json::object()).find("needs `command`"), std::string::npos);
  EXPECT_NE(problems({{"command", "x"}, {"workdir", "/"}}).find("did you mean `working_dir`?"),
            std::string::npos);
  EXPECT_NE(problems({{"command", json::array()}}).find("empty list"), std::string::npos);
  EXPECT_NE(problems({{"command", 5}}).find("string or a list"), std::string::npos);
  EXPECT_NE(problems({{"command", "x"}, {"envs", json::array({{{"A", 1}, {"B", 2}}})}})
                .find("one `NAME: value`"),
            std::string::npos);
  EXPECT_NE(problems({{"command", "x"}, {"inherit_env", "yes"}}).find("true or false"),
            std::string::npos);
}

TEST(OsExecEnvironment, MinimalUnlessInherited) {
  setenv("OS_EXEC_TEST_VAR", "1", 1);
  auto env = os_exec_environment({{"envs", {{"A", "b"}}}}, "/tmp/of");
  std::string joined;
  for (auto& e : env)
    joined += e + ";";
  EXPECT_NE(joined.find("PATH="), std::string::npos);
  EXPECT_NE(joined.find("A=b;"), std::string::npos);
  EXPECT_NE(joined.find("OUTPUT_FILE=/tmp/of;"), std::string::npos);
  EXPECT_EQ(joined.find("OS_EXEC_TEST_VAR"), std::string::npos);
  auto inherited = os_exec_environment({{"inherit_env", true}}, "/tmp/of");
  bool found = false;
  for (auto& e : inherited)
    found |= e == "OS_EXEC_TEST_VAR=1";
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace runner
