// Action references (`uses:`) and the action store with real git and no
// network: a bare repository in a temp dir, served as file://.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>

#include "drivers/github_action/action_ref.hpp"
#include "drivers/github_action/action_store.hpp"
#include "drivers/process_tree.hpp"

namespace runner::gh {
namespace {

namespace fs = std::filesystem;

TEST(GhActionRef, LocalRepositoryAndDocker) {
  auto l = parse_action_ref("./actions/hello", "/ws");
  ASSERT_TRUE(l.ok) << l.error;
  EXPECT_EQ(l.ref.kind, uses_kind::local);
  EXPECT_EQ(l.ref.path, "/ws/actions/hello");

  auto r = parse_action_ref("actions/checkout@v4", "/ws");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.ref.kind, uses_kind::repository);
  EXPECT_EQ(r.ref.owner, "actions");
  EXPECT_EQ(r.ref.repo, "checkout");
  EXPECT_EQ(r.ref.sub_path, "");
  EXPECT_EQ(r.ref.ref, "v4");

  auto s = parse_action_ref("o/r/sub/path@releases/v1", "/ws");
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(s.ref.sub_path, "sub/path");
  EXPECT_EQ(s.ref.ref, "releases/v1");

  auto d = parse_action_ref("docker://alpine:3.19", "/ws");
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_EQ(d.ref.kind, uses_kind::docker);
  EXPECT_EQ(d.ref.image, "alpine:3.19");
}

TEST(GhActionRef, MalformedValues) {
  EXPECT_EQ(parse_action_ref("foo", "/ws").error,
            "`uses: foo` is not an action reference: write ./path or owner/repo[/path]@ref");
  for (const char* bad : {"foo@v1", "o/r", "o/r@", "../o/r@v1", "o/../r@v1", "o/r/../x@v1",
                          "o/r@../../etc", "o/r@-x", "o/r@a b", "o/r@.hidden", "o/r@a/../b",
                          "o/r@a//b", "./../outside", "docker://", "o/r//x@v1", "-o/r@v1",
                          "o/r@x~1", "o/r/@v1", ""}) {
    auto p = parse_action_ref(bad, "/ws");
    EXPECT_FALSE(p.ok) << bad;
    EXPECT_FALSE(p.error.empty()) << bad;
  }
}

int sh(const std::string& cmd) {
  return std::system(("set -e; exec >/dev/null 2>&1; " + cmd).c_str());
}

struct waiter {
  std::mutex mtx;
  std::condition_variable cv;
  std::optional<action_resolution> result;
  action_store::callback callback() {
    return [this](action_resolution r) {
      std::lock_guard<std::mutex> g(mtx);
      result = std::move(r);
      cv.notify_all();
    };
  }
  action_resolution wait() {
    std::unique_lock<std::mutex> lock(mtx);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return result.has_value(); }));
    return result.value_or(action_resolution{});
  }
};

struct GhActionStore : ::testing::Test {
  static void SetUpTestSuite() {
    reactor::block_signals();
    become_subreaper();
  }
  std::string tmp;
  std::string state;
  std::string remote;
  std::unique_ptr<reactor> react;
  std::unique_ptr<action_store> store;

  void SetUp() override {
    char tmpl[] = "/tmp/gh-action-store-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    tmp = tmpl;
    state = tmp + "/state";
    remote = tmp + "/remote";
    // The bare repository is named repo.git: the store tries <base>owner/repo first.
    std::string g = "git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main";
    ASSERT_EQ(sh("mkdir -p " + remote + "/owner && " + g + " init -q --bare " + remote +
                 "/owner/repo.git && " + g + " clone -q " + remote + "/owner/repo.git " + tmp +
                 "/work && cd " + tmp + "/work && mkdir -p sub/path && " +
                 "echo 'name: hello' > action.yml && echo 'name: sub' > sub/path/action.yml && " +
                 g + " add . && " + g + " commit -q -m one && " + g + " tag v1 && " + g +
                 " push -q origin HEAD:refs/heads/main v1 && " + g +
                 " checkout -q -b releases/v2 && echo 'name: two' > action.yml && " + g +
                 " commit -q -am two && " + g + " push -q origin HEAD:refs/heads/releases/v2"),
              0);
    react = std::make_unique<reactor>();
    store = std::make_unique<action_store>(
        *react, action_store_options{state, "file://" + remote + "/", "git"});
  }
  void TearDown() override {
    store.reset();
    react.reset();
    std::error_code ec;
    fs::remove_all(tmp, ec);
  }
  action_resolution resolve(const std::string& uses) {
    auto p = parse_action_ref(uses, tmp + "/ws");
    EXPECT_TRUE(p.ok) << p.error;
    waiter w;
    store->resolve(p.ref, w.callback());
    return w.wait();
  }
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  size_t temp_leftovers() {
    size_t n = 0;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(state + "/actions/owner/repo", ec))
      if (e.path().filename().string().rfind(".tmp-", 0) == 0)
        ++n;
    return n;
  }
};

TEST_F(GhActionStore, ClonesOnceThenReuses) {
  auto r = resolve("owner/repo@v1");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.cloned);
  EXPECT_EQ(r.entry_dir, state + "/actions/owner/repo/v1");
  EXPECT_EQ(r.action_dir, r.entry_dir);
  EXPECT_EQ(read(r.action_dir + "/action.yml"), "name: hello\n");
  EXPECT_EQ(temp_leftovers(), 0u);

  std::ofstream(r.entry_dir + "/marker") << "kept";
  auto again = resolve("owner/repo@v1");
  ASSERT_TRUE(again.ok) << again.error;
  EXPECT_FALSE(again.cloned);
  EXPECT_EQ(again.entry_dir, r.entry_dir);
  EXPECT_EQ(read(r.entry_dir + "/marker"), "kept");
}

TEST_F(GhActionStore, SubPathBranchAndSha) {
  auto s = resolve("owner/repo/sub/path@v1");
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(s.action_dir, state + "/actions/owner/repo/v1/sub/path");
  EXPECT_EQ(read(s.action_dir + "/action.yml"), "name: sub\n");

  auto b = resolve("owner/repo@releases/v2");
  ASSERT_TRUE(b.ok) << b.error;
  EXPECT_EQ(b.entry_dir, state + "/actions/owner/repo/releases%2Fv2");
  EXPECT_EQ(read(b.action_dir + "/action.yml"), "name: two\n");

  char buf[64] = {};
  std::string cmd = "git -C " + remote + "/owner/repo.git rev-parse v1";
  FILE* f = popen(cmd.c_str(), "r");
  ASSERT_NE(f, nullptr);
  ASSERT_NE(fgets(buf, sizeof buf, f), nullptr);
  pclose(f);
  std::string sha(buf, 40);
  auto c = resolve("owner/repo@" + sha);
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(read(c.action_dir + "/action.yml"), "name: hello\n");

  auto missing = resolve("owner/repo/no/such@v1");
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.error.find("no/such"), std::string::npos) << missing.error;
}

TEST_F(GhActionStore, UnknownRefLeavesNothing) {
  auto r = resolve("owner/repo@v9");
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.error.find("unknown ref `v9`"), std::string::npos) << r.error;
  EXPECT_FALSE(fs::exists(state + "/actions/owner/repo/v9"));
  EXPECT_EQ(temp_leftovers(), 0u);
}

TEST_F(GhActionStore, AStalledGitIsEndedAfterTheTimeout) {
  // A git that never answers, as a server that stalls mid-clone makes it.
  std::string fake = tmp + "/stalled-git";
  std::ofstream(fake) << "#!/bin/sh\nexec sleep 300\n";
  fs::permissions(fake, fs::perms::owner_all);
  action_store_options o{state, "file://" + remote + "/", fake};
  o.git_timeout = std::chrono::milliseconds(200);
  action_store stalled(*react, o);
  auto p = parse_action_ref("owner/repo@v1", tmp + "/ws");
  ASSERT_TRUE(p.ok);
  waiter w;
  stalled.resolve(p.ref, w.callback());
  auto r = w.wait();
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.error.find("git did not finish within 200ms for action owner/repo"), std::string::npos)
      << r.error;
  EXPECT_FALSE(fs::exists(state + "/actions/owner/repo/v1"));
  EXPECT_EQ(temp_leftovers(), 0u);
}

TEST_F(GhActionStore, MissingRepositoryNamesTheUrl) {
  auto r = resolve("owner/nope@v1");
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.error.find("file://" + remote + "/owner/nope"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("cannot clone"), std::string::npos) << r.error;
  EXPECT_FALSE(fs::exists(state + "/actions/owner/nope/v1"));
}

TEST_F(GhActionStore, RefusesInvalidReferences) {
  action_ref bad;
  bad.kind = uses_kind::repository;
  bad.owner = "owner";
  bad.repo = "..";
  bad.ref = "v1";
  waiter w1;
  store->resolve(bad, w1.callback());
  auto r1 = w1.wait();
  EXPECT_FALSE(r1.ok);
  EXPECT_NE(r1.error.find("not allowed"), std::string::npos) << r1.error;

  bad.repo = "repo";
  bad.ref = "../../x";
  waiter w2;
  store->resolve(bad, w2.callback());
  auto r2 = w2.wait();
  EXPECT_FALSE(r2.ok);
  EXPECT_NE(r2.error.find("not a valid git ref"), std::string::npos) << r2.error;

  bad.kind = uses_kind::docker;
  waiter w3;
  store->resolve(bad, w3.callback());
  EXPECT_FALSE(w3.wait().ok);
  EXPECT_FALSE(fs::exists(state + "/actions/owner/.."));
}

}  // namespace
}  // namespace runner::gh
