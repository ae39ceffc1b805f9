// The reactor's process handling where listeners chain work: a listener that
// spawns the next process from on_exit (as a multi-step action does).
#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>

#include "drivers/process_tree.hpp"
#include "drivers/reactor.hpp"
#include "tests/unit/drivers/collected_process.hpp"

namespace runner {
namespace {

struct Reactor : ::testing::Test {
  static void SetUpTestSuite() {
    reactor::block_signals();
    become_subreaper();
  }
};

// Spawns `left` more processes one after another, each from the previous
// one's on_exit, and records what each printed and how it ended.
struct chain : process_listener, std::enable_shared_from_this<chain> {
  reactor* r = nullptr;
  int left = 0;
  std::string out;
  std::vector<std::string> outputs;
  std::vector<int> codes;
  std::mutex mtx;
  std::condition_variable cv;
  bool done = false;

  void next() {
    process_spec ps;
    ps.argv = {"/bin/sh", "-c", "echo line-$0; echo more-$0 >&2", std::to_string(left)};
    auto self = std::make_shared<chain_link>(shared_from_this());
    r->spawn(ps, self);
  }
  struct chain_link : process_listener {
    explicit chain_link(std::shared_ptr<chain> c) : c(std::move(c)) {}
    std::shared_ptr<chain> c;
    std::string out;
    void on_output(stream_kind, std::string_view data, const flow_ticket&) override { out.append(data); }
    void on_exit(const process_exit& how) override {
      c->outputs.push_back(out);
      c->codes.push_back(how.exit_code.value_or(-1));
      if (--c->left > 0) {
        c->next();
        return;
      }
      std::lock_guard<std::mutex> g(c->mtx);
      c->done = true;
      c->cv.notify_all();
    }
  };
  void on_output(stream_kind, std::string_view, const flow_ticket&) override {}
  void on_exit(const process_exit&) override {}
};

TEST_F(Reactor, ProcessSpawnedFromOnExitKeepsItsPipe) {
  reactor react;
  auto c = std::make_shared<chain>();
  c->r = &react;
  c->left = 40;
  react.post([c] { c->next(); });
  {
    std::unique_lock<std::mutex> lock(c->mtx);
    ASSERT_TRUE(c->cv.wait_for(lock, std::chrono::seconds(60), [&] { return c->done; }));
  }
  ASSERT_EQ(c->outputs.size(), 40u);
  for (size_t i = 0; i < c->outputs.size(); ++i) {
    std::string n = std::to_string(40 - i);
    EXPECT_EQ(c->outputs[i], "line-" + n + "\nmore-" + n + "\n") << "process " << i;
    EXPECT_EQ(c->codes[i], 0) << "process " << i;
  }
  react.shutdown(std::chrono::milliseconds(100));
}


TEST_F(Reactor, StdinPipeCarriesWhatIsWrittenThenCloses) {
  reactor react;
  auto c = std::make_shared<collected>();
  // More than a pipe holds (64 KiB), so some of it waits for the child to read.
  std::string big(1 << 20, 'x');
  react.post([&react, c, big] {
    process_spec ps;
    ps.argv = {"/bin/sh", "-c", "wc -c; echo done"};
    ps.stdin_pipe = true;
    auto id = react.spawn(ps, c);
    EXPECT_TRUE(react.write_stdin(id, "hello\n"));
    EXPECT_TRUE(react.write_stdin(id, big));
    react.close_stdin(id);
    EXPECT_FALSE(react.write_stdin(id, "late")) << "nothing is taken after close_stdin";
  });
  ASSERT_TRUE(c->wait());
  EXPECT_EQ(c->how->exit_code, 0);
  EXPECT_EQ(c->out, std::to_string(6 + big.size()) + "\ndone\n");
  react.shutdown(std::chrono::milliseconds(100));
}

TEST_F(Reactor, StdinOfAChildThatStoppedReadingIsDroppedNotFatal) {
  reactor react;
  auto c = std::make_shared<collected>();
  std::string big(1 << 20, 'y');
  react.post([&react, c, big] {
    process_spec ps;
    // Closes its stdin at once: what is still queued gets EPIPE (SIGPIPE is
    // ignored by the runner), and the reactor drops it instead of spinning.
    ps.argv = {"/bin/sh", "-c", "exec 0<&-; echo alive"};
    ps.stdin_pipe = true;
    auto id = react.spawn(ps, c);
    react.write_stdin(id, big);
  });
  ASSERT_TRUE(c->wait());
  EXPECT_EQ(c->how->exit_code, 0);
  EXPECT_EQ(c->out, "alive\n");
  react.shutdown(std::chrono::milliseconds(100));
}

// A child that closes its stdout but runs on (an external driver gone quiet)
// is reported when the pipe ends, long before any exit.
TEST_F(Reactor, AClosedStdoutIsReportedWhileTheChildRuns) {
  struct watcher : collected {
    bool closed = false;
    bool exited_before_close = false;
    void on_closed(stream_kind s) override {
      std::lock_guard<std::mutex> g(mtx);
      if (s == stream_kind::out) {
        closed = true;
        exited_before_close = how.has_value();
      }
      cv.notify_all();
    }
    bool wait_closed() {
      std::unique_lock<std::mutex> lock(mtx);
      return cv.wait_for(lock, std::chrono::seconds(60), [&] { return closed; });
    }
  };
  reactor react;
  auto w = std::make_shared<watcher>();
  reactor::process_id id = 0;
  react.post([&react, w, &id] {
    process_spec ps;
    ps.argv = {"/bin/sh", "-c", "echo bye; exec >&-; read line"};  // waits for stdin
    ps.separate_stdout = true;
    ps.stdin_pipe = true;
    id = react.spawn(ps, w);
  });
  ASSERT_TRUE(w->wait_closed());
  EXPECT_FALSE(w->exited_before_close);
  react.post([&react, &id] { react.close_stdin(id); });  // now it may end
  ASSERT_TRUE(w->wait());
  EXPECT_EQ(w->out, "bye\n");
  react.shutdown(std::chrono::milliseconds(100));
}

char process_state(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  return close == std::string::npos || close + 2 >= text.size() ? '?' : text[close + 2];
}

// runnerctl pause of an os_exec task: SIGSTOP to its processes, SIGCONT back.
TEST_F(Reactor, SuspendStopsAndContinuesTheChild) {
  reactor react;
  auto c = std::make_shared<collected>();
  reactor::process_id id = 0;
  react.post([&react, c, &id] {
    process_spec ps;
    ps.argv = {"/bin/sh", "-c", "echo $$; exec sleep 1000"};
    id = react.spawn(ps, c);
  });
  pid_t pid = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!pid && std::chrono::steady_clock::now() < until) {
    std::lock_guard<std::mutex> g(c->mtx);
    if (c->out.find('\n') != std::string::npos)
      pid = std::stoi(c->out);
  }
  ASSERT_GT(pid, 0);
  auto state_becomes = [&](bool stopped) {
    auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < limit)
      if ((process_state(pid) == 'T') == stopped)
        return true;
    return false;
  };
  react.suspend(id, true);
  EXPECT_TRUE(state_becomes(true));
  react.suspend(id, false);
  EXPECT_TRUE(state_becomes(false));
  // A paused task that is cancelled still ends within the grace period.
  react.suspend(id, true);
  EXPECT_TRUE(state_becomes(true));
  react.terminate(id, std::chrono::seconds(30));
  ASSERT_TRUE(c->wait());
  EXPECT_EQ(c->how->signal, SIGTERM);
  react.shutdown(std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace runner
