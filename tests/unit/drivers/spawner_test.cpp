// The spawner (drivers/spawner.hpp) and its wire (spawner_wire.hpp): frames
// round-trip and are bounded; the reactor survives its spawner dying; a
// reactor that goes away takes its processes' leftovers with it; a contained
// process takes what it left with it and passes its status on.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "drivers/process_tree.hpp"
#include "drivers/reactor.hpp"
#include "drivers/spawner_wire.hpp"
#include "tests/unit/drivers/collected_process.hpp"

namespace runner {
namespace {

namespace wire = spawner_wire;
using namespace std::chrono_literals;

struct Spawner : ::testing::Test {
  static void SetUpTestSuite() {
    reactor::block_signals();
    become_subreaper();
  }
};

process_exit exit_of(collected& c) {
  EXPECT_TRUE(c.wait());
  std::lock_guard<std::mutex> g(c.mtx);
  return c.how.value_or(process_exit{});
}

// The first line `c` printed, once there is one (or all of it, once it ended).
std::string first_line(collected& c) {
  for (;;) {
    {
      std::lock_guard<std::mutex> g(c.mtx);
      if (auto nl = c.out.find('\n'); nl != std::string::npos)
        return c.out.substr(0, nl);
      if (c.how)
        return c.out;
    }
    std::this_thread::yield();
  }
}

std::shared_ptr<collected> start(reactor& react, std::vector<std::string> argv,
                                bool contain = false) {
  auto rec = std::make_shared<collected>();
  react.post([&react, rec, argv = std::move(argv), contain] {
    process_spec ps;
    ps.argv = argv;
    ps.contain = contain;
    react.spawn(ps, rec);
  });
  return rec;
}

bool gone(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat))
    return true;
  auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() &&
         (stat[close + 2] == 'Z' || stat[close + 2] == 'X');
}

pid_t spawner_of_this_process() {
  for (pid_t p : descendants_of(getpid())) {
    std::ifstream in("/proc/" + std::to_string(p) + "/comm");
    std::string comm;
    if (std::getline(in, comm) && comm == "runner-spawner")
      return p;
  }
  return -1;
}

TEST(SpawnerWire, ASpawnRequestRoundTrips) {
  wire::spawn_request r;
  r.id = 42;
  r.contain = true;
  r.separate_err = true;
  r.program = "/bin/sh";
  r.working_dir = "/tmp";
  r.argv = {"sh", "-c", std::string("a\0b", 3)};
  r.env = {"A=1", ""};
  std::string frame = wire::encode_spawn(r);
  wire::spawn_request back;
  ASSERT_TRUE(wire::decode_spawn(std::string_view(frame).substr(5), back));
  EXPECT_EQ(back.id, 42u);
  EXPECT_TRUE(back.contain);
  EXPECT_FALSE(back.has_stdin);
  EXPECT_TRUE(back.separate_err);
  EXPECT_EQ(back.program, "/bin/sh");
  EXPECT_EQ(back.working_dir, "/tmp");
  EXPECT_EQ(back.argv, r.argv);
  EXPECT_EQ(back.env, r.env);
  // Cut anywhere, it does not decode (and does not read past its end).
  for (size_t cut = 5; cut < frame.size(); ++cut)
    EXPECT_FALSE(wire::decode_spawn(std::string_view(frame).substr(5, cut - 5), back)) << cut;
}

TEST(SpawnerWire, AListCountLargerThanItsBytesIsRefusedBeforeAllocating) {
  wire::writer w(wire::op::spawn);
  w.u64(1).u32(0).str("/bin/true").str("").u32(0xFFFFFFFFu);
  std::string frame = w.frame();
  wire::spawn_request back;
  EXPECT_FALSE(wire::decode_spawn(std::string_view(frame).substr(5), back));
}

TEST(SpawnerWire, FramesReassembleAndDescriptorsArriveInOrder) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  int p1[2], p2[2];
  ASSERT_EQ(pipe(p1), 0);
  ASSERT_EQ(pipe(p2), 0);
  std::string big(300000, 'x');  // larger than one read and than the socket's buffer
  std::thread sender([&] {
    EXPECT_TRUE(wire::send_frame(sv[0], wire::writer(wire::op::signal).u64(7).str(big).frame(),
                                 {p1[1]}));
    EXPECT_TRUE(wire::send_frame(sv[0], wire::writer(wire::op::kill).u64(8).frame(), {p2[1]}));
    close(sv[0]);
  });
  wire::inbox in;
  std::vector<std::pair<wire::op, std::string>> got;
  for (;;) {
    pollfd pfd{sv[1], POLLIN, 0};
    poll(&pfd, 1, -1);
    auto st = in.read_some(sv[1]);
    wire::op o;
    std::string body;
    while (in.next(o, body))
      got.emplace_back(o, body);
    if (st != wire::inbox::status::ok && st != wire::inbox::status::again)
      break;
  }
  sender.join();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, wire::op::signal);
  EXPECT_EQ(got[0].second.size(), 8 + 4 + big.size());
  EXPECT_EQ(got[1].first, wire::op::kill);
  // The descriptors are the pipes' write ends, in the order sent.
  int a = in.take_fd(), b = in.take_fd();
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  EXPECT_EQ(in.take_fd(), -1);
  ASSERT_EQ(write(a, "1", 1), 1);
  ASSERT_EQ(write(b, "2", 1), 1);
  char c1 = 0, c2 = 0;
  ASSERT_EQ(read(p1[0], &c1, 1), 1);
  ASSERT_EQ(read(p2[0], &c2, 1), 1);
  EXPECT_EQ(c1, '1');
  EXPECT_EQ(c2, '2');
  for (int fd : {a, b, p1[0], p1[1], p2[0], p2[1], sv[1]})
    close(fd);
}

TEST(SpawnerWire, AFrameOverTheBoundBreaksTheStream) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  uint32_t len = wire::kMaxFrame + 1;
  char header[5] = {static_cast<char>(len & 0xff), static_cast<char>((len >> 8) & 0xff),
                    static_cast<char>((len >> 16) & 0xff), static_cast<char>(len >> 24), 1};
  ASSERT_EQ(write(sv[0], header, sizeof header), 5);
  wire::inbox in;
  EXPECT_EQ(in.read_some(sv[1]), wire::inbox::status::broken);
  wire::op o;
  std::string body;
  EXPECT_FALSE(in.next(o, body));
  close(sv[0]);
  close(sv[1]);
}

TEST_F(Spawner, TaskProcessesAreTheSpawnersChildrenNotTheRunners) {
  reactor react;
  auto rec = start(react, {"/bin/sh", "-c", "echo $PPID"});
  auto how = exit_of(*rec);
  EXPECT_EQ(how.exit_code, 0);
  pid_t spawner = spawner_of_this_process();
  ASSERT_GT(spawner, 0);
  EXPECT_EQ(rec->out, std::to_string(spawner) + "\n");
  react.shutdown(100ms);
}

TEST_F(Spawner, ASpawnerThatDiesTakesItsProcessesAndANewOneServesLaterSpawns) {
  reactor react;
  auto rec = start(react, {"/bin/sh", "-c", "echo started; exec sleep 1000"});
  ASSERT_EQ(first_line(*rec), "started");
  pid_t spawner = spawner_of_this_process();
  ASSERT_GT(spawner, 0);
  kill(spawner, SIGKILL);
  auto how = exit_of(*rec);
  EXPECT_EQ(how.signal, SIGKILL);
  auto later = start(react, {"/bin/sh", "-c", "echo again"});
  EXPECT_EQ(exit_of(*later).exit_code, 0);
  EXPECT_EQ(later->out, "again\n");
  pid_t next = spawner_of_this_process();
  EXPECT_GT(next, 0);
  EXPECT_NE(next, spawner);
  react.shutdown(100ms);
}

TEST_F(Spawner, AReactorThatGoesAwayEndsWhatItsProcessesLeft) {
  pid_t left = -1;
  {
    reactor react;
    auto rec = start(react, {"/bin/sh", "-c",
                             "setsid sh -c 'trap \"\" TERM; while :; do sleep 0.1; done' "
                             "</dev/null >/dev/null 2>&1 & echo $!"});
    EXPECT_EQ(exit_of(*rec).exit_code, 0);
    left = std::stoi(rec->out);
    ASSERT_FALSE(gone(left));
    // No shutdown(): the destructor closes the spawner's socket and waits
    // for it, and it ends every descendant before it exits.
  }
  EXPECT_TRUE(gone(left)) << left;
}

TEST_F(Spawner, AContainedProcessTakesWhatItLeftWithItAndPassesItsStatusOn) {
  reactor react;
  auto rec = start(react,
                   {"/bin/sh", "-c",
                    "setsid sh -c 'trap \"\" TERM; sleep 1000' </dev/null >/dev/null 2>&1 & "
                    "echo $!; exit 7"},
                   true);
  auto how = exit_of(*rec);
  EXPECT_EQ(how.exit_code, 7);
  pid_t left = std::stoi(rec->out);
  // Reported only after the keeper ended what the process left.
  EXPECT_TRUE(gone(left)) << left;

  auto killed = start(react, {"/bin/sh", "-c", "kill -KILL $$"}, true);
  EXPECT_EQ(exit_of(*killed).signal, SIGKILL);
  react.shutdown(100ms);
}

TEST_F(Spawner, AProgramThatCannotStartNamesItself) {
  char path[] = "/tmp/spawner-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);  // not executable
  reactor react;
  auto rec = start(react, {path});
  auto how = exit_of(*rec);
  EXPECT_NE(how.spawn_error.find(path), std::string::npos) << how.spawn_error;
  EXPECT_NE(how.spawn_error.find("ermission"), std::string::npos) << how.spawn_error;
  unlink(path);
  react.shutdown(100ms);
}

}  // namespace
}  // namespace runner
