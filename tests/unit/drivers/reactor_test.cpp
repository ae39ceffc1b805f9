// The reactor's process handling where listeners chain work: a listener that
// spawns the next process from on_exit (as a multi-step action does).
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <optional>

#include "drivers/process_tree.hpp"
#include "drivers/reactor.hpp"

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
    void on_output(stream_kind, std::string_view data) override { out.append(data); }
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
  void on_output(stream_kind, std::string_view) override {}
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

// Collects a process's output and its end, for a test thread to wait on.
struct collected : process_listener {
  std::mutex mtx;
  std::condition_variable cv;
  std::string out;
  std::optional<process_exit> how;
  void on_output(stream_kind, std::string_view data) override {
    std::lock_guard<std::mutex> g(mtx);
    out.append(data);
  }
  void on_exit(const process_exit& h) override {
    std::lock_guard<std::mutex> g(mtx);
    how = h;
    cv.notify_all();
  }
  bool wait() {
    std::unique_lock<std::mutex> lock(mtx);
    return cv.wait_for(lock, std::chrono::seconds(60), [&] { return how.has_value(); });
  }
};

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

}  // namespace
}  // namespace runner
