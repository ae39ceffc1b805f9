// A restarted serve ends what its previous incarnation left (drivers/incarnation.hpp),
// but never the processes of a serve that still runs.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "drivers/incarnation.hpp"

namespace runner {
namespace {

// `sleep 1000` with `mark` in its environment.
pid_t marked_sleep(const std::string& mark) {
  std::string m = mark;
  char* argv[] = {const_cast<char*>("sleep"), const_cast<char*>("1000"), nullptr};
  char* envp[] = {m.data(), nullptr};
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, "/bin/sleep", nullptr, nullptr, argv, envp), 0);
  return pid;
}

bool reaped_by_kill(pid_t pid) {
  int status = 0;
  // begin_incarnation SIGKILLs; the test reaps (it is the parent).
  for (int i = 0; i < 500; ++i) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid)
      return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    usleep(10000);
  }
  return false;
}

// Not ended (a zombie still answers kill(pid, 0); the test is its parent).
bool still_running(pid_t pid) { return waitpid(pid, nullptr, WNOHANG) == 0; }

struct Incarnation : ::testing::Test {
  std::string dir = std::filesystem::temp_directory_path() /
                    ("incarnation-test-" + std::to_string(getpid()));
  void TearDown() override { std::filesystem::remove_all(dir); }
};

TEST_F(Incarnation, TheFirstStartRecordsAMarkAndEndsNothing) {
  auto inc = begin_incarnation(dir, "node-a");
  EXPECT_EQ(inc.error, "");
  EXPECT_EQ(inc.ended_from_before, 0u);
  EXPECT_EQ(inc.mark.rfind("RUNNER_INCARNATION=", 0), 0u);
  EXPECT_TRUE(std::filesystem::exists(dir + "/incarnation-node-a"));
}

TEST_F(Incarnation, ARestartEndsWhatThePreviousOneLeftAndOnlyThat) {
  auto first = begin_incarnation(dir, "node-a");
  pid_t left = marked_sleep(first.mark);
  pid_t other = marked_sleep("RUNNER_INCARNATION=" + std::string(32, '0'));
  // The record names a serve that is gone (pid 1's start time is not ours).
  {
    std::ifstream in(dir + "/incarnation-node-a");
    std::string id;
    in >> id;
    std::ofstream(dir + "/incarnation-node-a") << id << " 999999999 1\n";
  }
  auto second = begin_incarnation(dir, "node-a");
  EXPECT_EQ(second.ended_from_before, 1u);
  EXPECT_NE(second.mark, first.mark);
  EXPECT_TRUE(reaped_by_kill(left));
  EXPECT_TRUE(still_running(other)) << "a process of another incarnation was killed";
  kill(other, SIGKILL);
  waitpid(other, nullptr, 0);
}

TEST_F(Incarnation, TheProcessesOfAServeThatStillRunsAreLeftAlone) {
  // The record is this test's own (this process is the "serve" that runs).
  auto first = begin_incarnation(dir, "node-a");
  pid_t mine = marked_sleep(first.mark);
  auto second = begin_incarnation(dir, "node-a");
  EXPECT_EQ(second.ended_from_before, 0u);
  EXPECT_TRUE(still_running(mine));
  kill(mine, SIGKILL);
  waitpid(mine, nullptr, 0);
}

TEST_F(Incarnation, AnOddRecordIsNotTakenForAMark) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/incarnation-node-a") << "\n";
  pid_t unmarked = marked_sleep("RUNNER_INCARNATION=");
  auto inc = begin_incarnation(dir, "node-a");
  EXPECT_EQ(inc.ended_from_before, 0u);
  EXPECT_TRUE(still_running(unmarked));
  kill(unmarked, SIGKILL);
  waitpid(unmarked, nullptr, 0);
}

}  // namespace
}  // namespace runner
