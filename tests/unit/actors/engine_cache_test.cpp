// The task cache in the engine (SPEC.md §7): a task with `cache` is looked up
// before it takes a run slot; a hit does not run and reports `cached`; its
// exports reach importers; only successful runs are stored; the key renders
// from imports; an unusable cache makes tasks run. Time is never waited for:
// expired entries are stored already expired.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <limits>
#include <mutex>

#include "actors/task_cache.hpp"
#include "drivers/cache/cache_worker.hpp"
#include "engine_test_util.hpp"
#include "tests/support/temp_dir.hpp"

namespace runner {
namespace {

using test::result;

// A process-backed task type whose spec says what happens:
// {"out": {name: value}, "fail": true, "hang": true}. Counts runs per task.
class counting_driver : public driver {
 public:
  std::string type() const override { return "counted"; }
  bool process_backed() const override { return true; }
  void check_spec(const task_decl&, const std::string&, diagnostics&) const override {}

  struct handle : running_task {
    std::shared_ptr<task_events> ev;
    std::atomic<bool> done{false};
    void stop(stop_reason) override {
      if (done.exchange(true))
        return;
      driver_result r;
      r.stopped = true;
      r.error = "stopped";
      ev->finished(std::move(r));
    }
  };

  std::unique_ptr<running_task> start(task_invocation inv,
                                      std::shared_ptr<task_events> ev) override {
    {
      std::lock_guard<std::mutex> g(mtx);
      ++runs[inv.task_name];
      specs[inv.task_name] = inv.spec;
    }
    auto h = std::make_unique<handle>();
    h->ev = ev;
    if (inv.spec.value("hang", false)) {
      hanging = true;
      return h;
    }
    h->done = true;
    driver_result r;
    r.success = !inv.spec.value("fail", false);
    r.exit_code = r.success ? 0 : 1;
    if (!r.success)
      r.error = "failed on purpose";
    json out = inv.spec.value("out", json::object());
    for (auto& [k, v] : out.items())
      r.outputs[k] = v.get<std::string>();
    ev->finished(std::move(r));
    return h;
  }

  int runs_of(const std::string& task) {
    std::lock_guard<std::mutex> g(mtx);
    return runs[task];
  }

  std::mutex mtx;
  std::map<std::string, int> runs;
  std::map<std::string, json> specs;
  std::atomic<bool> hanging{false};
};

struct cached_engine : test::engine_base {
  test::temp_dir state{"engine-cache"};
  std::shared_ptr<counting_driver> drv = std::make_shared<counting_driver>();
  std::unique_ptr<cache::cache_worker> worker;

  explicit cached_engine(std::string state_dir = {}) {
    reg.add(drv);
    worker = std::make_unique<cache::cache_worker>(state_dir.empty() ? state / "state" : state_dir);
  }
  ~cached_engine() {
    worker.reset();  // its last answers go to actors of a live system
  }

  supervisor_actor start(task_group g, size_t max_parallel) {
    auto ctx = context(std::move(g), max_parallel);
    ctx->cache = worker.get();
    return spawn_supervisor(*sys, ctx);
  }

  group_report run(task_group g, size_t max_parallel = 4) {
    return finish(start(std::move(g), max_parallel));
  }

  // What the supervisor says of `task` now ("success" once it reported).
  std::string state_of(supervisor_actor sup, const std::string& task) {
    std::string state;
    caf::scoped_actor self{*sys};
    self->request(sup, std::chrono::seconds(10), describe_atom::value)
        .receive(
            [&](std::vector<task_view>& views) {
              for (auto& v : views)
                if (v.name == task)
                  state = v.state;
            },
            [&](caf::error&) {});
    return state;
  }
};

task_decl task(std::string name, json spec, std::optional<std::string> key = std::nullopt) {
  task_decl t;
  t.name = std::move(name);
  t.type = "counted";
  t.spec = std::move(spec);
  if (key) {
    cache_decl c;
    c.key = *key;
    t.cache = c;
  }
  return t;
}

const variable* exported(const task_report& r, const std::string& name) {
  for (auto& v : r.exports)
    if (v.name == name)
      return &v;
  return nullptr;
}

// build (cached) -> use, which imports build.artifact.
task_group build_and_use(const std::string& artifact = "app-1.tar") {
  task_group g;
  auto build =
      task("build", {{"out", {{"artifact", artifact}, {"token", "tok-SECRET"}}}}, "build-v1");
  build.exports = {{"artifact", false, export_scope::global, {}},
                   {"token", true, export_scope::global, {}}};
  auto use = task("use", {{"got", "{{ .build.artifact }}"}});
  use.imports = {{"build", "artifact", {}}};
  g.tasks = {build, use};
  return g;
}

TEST(EngineCache, FirstRunStoresSecondRunHitsWithoutRunning) {
  cached_engine e;
  auto first = e.run(build_and_use());
  ASSERT_EQ(first.status, task_status::success);
  EXPECT_FALSE(result(first, "build").cached);
  EXPECT_EQ(e.drv->runs_of("build"), 1);

  auto second = e.run(build_and_use());
  ASSERT_EQ(second.status, task_status::success);
  const task_report& hit = result(second, "build");
  EXPECT_TRUE(hit.cached);
  EXPECT_EQ(hit.attempts, 0);
  EXPECT_NE(hit.started_at_ms, 0);
  EXPECT_EQ(e.drv->runs_of("build"), 1) << "a hit does not run";
  ASSERT_TRUE(exported(hit, "artifact"));
  EXPECT_EQ(exported(hit, "artifact")->value, "app-1.tar");
  EXPECT_FALSE(exported(hit, "artifact")->confidential);
  ASSERT_TRUE(exported(hit, "token"));
  EXPECT_EQ(exported(hit, "token")->value, "tok-SECRET");
  EXPECT_TRUE(exported(hit, "token")->confidential) << "confidential from the cache too";
  // The importer ran both times, with the cached value the second time.
  EXPECT_EQ(e.drv->runs_of("use"), 2);
  EXPECT_EQ(e.drv->specs["use"]["got"], "app-1.tar");
}

TEST(EngineCache, FailedRunsAreNotStored) {
  cached_engine e;
  task_group g;
  g.tasks = {task("flaky", {{"fail", true}}, "flaky-v1")};
  EXPECT_EQ(e.run(g).status, task_status::failed);
  EXPECT_EQ(e.run(g).status, task_status::failed);
  EXPECT_EQ(e.drv->runs_of("flaky"), 2);
  EXPECT_FALSE(result(e.run(g), "flaky").cached);
}

TEST(EngineCache, TheKeyRendersFromImports) {
  cached_engine e;
  auto group = [](const std::string& version) {
    task_group g;
    auto src = task("src", {{"out", {{"version", version}}}});
    src.exports = {{"version", false, export_scope::local, {}}};
    auto build = task("build", {{"out", {{"v", "built"}}}}, "build-{{ .src.version }}");
    build.imports = {{"src", "version", {}}};
    build.exports = {{"v", false, export_scope::local, {}}};
    g.tasks = {src, build};
    return g;
  };
  e.run(group("1"));
  EXPECT_TRUE(result(e.run(group("1")), "build").cached);
  EXPECT_FALSE(result(e.run(group("2")), "build").cached) << "another import, another key";
  EXPECT_TRUE(result(e.run(group("2")), "build").cached);
  EXPECT_EQ(e.drv->runs_of("build"), 2);
}

TEST(EngineCache, AKeyFromAConfidentialImportIsFiledWithoutTheSecret) {
  cached_engine e;
  auto group = [](const std::string& token) {
    task_group g;
    auto login = task("login", {{"out", {{"token", token}}}});
    login.exports = {{"token", true, export_scope::local, {}}};
    auto fetch = task("fetch", {{"out", {{"data", "d"}}}}, "fetch-{{ .login.token }}");
    fetch.imports = {{"login", "token", {}}};
    fetch.exports = {{"data", false, export_scope::local, {}}};
    g.tasks = {login, fetch};
    return g;
  };
  e.run(group("sekrit-one"));
  EXPECT_TRUE(result(e.run(group("sekrit-one")), "fetch").cached);
  EXPECT_FALSE(result(e.run(group("sekrit-two")), "fetch").cached);
  e.worker.reset();
  auto store = cache::cache_store::open(e.state / "state");
  ASSERT_TRUE(store.store) << store.error;
  auto listed = store.store->list(std::chrono::system_clock::now());
  ASSERT_EQ(listed.entries.size(), 2u);
  for (auto& entry : listed.entries) {
    EXPECT_EQ(entry.key.rfind("fetch-*** #", 0), 0u) << entry.key;
    EXPECT_EQ(entry.key.find("sekrit"), std::string::npos) << entry.key;
  }
}

TEST(EngineCache, AHitNeedsNoRunSlot) {
  cached_engine e;
  task_group warm;
  warm.tasks = {task("quick", {{"out", {{"v", "1"}}}}, "quick-v1")};
  warm.tasks[0].exports = {{"v", false, export_scope::local, {}}};
  e.run(warm);
  // The only slot is held by a task that runs until cancelled; the cached
  // task must still end, as a hit, while it holds it.
  task_group g = warm;
  g.tasks.insert(g.tasks.begin(), task("blocker", {{"hang", true}}));
  auto sup = e.start(g, 1);
  caf::scoped_actor self{*e.sys};
  auto report = std::async(std::launch::async, [&] { return e.finish(sup); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (e.state_of(sup, "quick") != "success" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  EXPECT_TRUE(e.drv->hanging);
  self->send(sup, cancel_atom::value);
  group_report r = report.get();
  EXPECT_EQ(result(r, "quick").status, task_status::success);
  EXPECT_TRUE(result(r, "quick").cached);
  EXPECT_EQ(result(r, "blocker").status, task_status::cancelled);
  EXPECT_EQ(e.drv->runs_of("quick"), 1);
}

TEST(EngineCache, AnExpiredEntryIsAMissAndIsReplaced) {
  cached_engine e;
  cache::cache_entry old;
  old.task = "build";
  old.group_id = "earlier";
  old.outputs = {{"v", "stale"}};
  old.created_at = std::chrono::system_clock::now() - std::chrono::hours(2);
  old.expires_at = old.created_at + std::chrono::hours(1);
  e.worker->store({"build-v1", "build-v1"}, old);
  task_group g;
  g.tasks = {task("build", {{"out", {{"v", "fresh"}}}}, "build-v1")};
  g.tasks[0].exports = {{"v", false, export_scope::local, {}}};
  g.tasks[0].cache->ttl = std::chrono::hours(1);
  auto first = e.run(g);
  EXPECT_FALSE(result(first, "build").cached);
  EXPECT_EQ(exported(result(first, "build"), "v")->value, "fresh");
  auto second = e.run(g);
  EXPECT_TRUE(result(second, "build").cached);
  EXPECT_EQ(exported(result(second, "build"), "v")->value, "fresh");
}

TEST(EngineCache, AnEntryWithoutADeclaredExportIsAMiss) {
  cached_engine e;
  task_group g;
  g.tasks = {task("build", {{"out", {{"a", "1"}, {"b", "2"}}}}, "shared-key")};
  g.tasks[0].exports = {{"a", false, export_scope::local, {}}};
  e.run(g);
  g.tasks[0].exports.push_back({"b", false, export_scope::local, {}});
  auto r = e.run(g);
  EXPECT_FALSE(result(r, "build").cached);
  EXPECT_EQ(exported(result(r, "build"), "b")->value, "2");
  EXPECT_TRUE(result(e.run(g), "build").cached) << "the fuller entry replaced it";
}

TEST(EngineCache, AnUnusableCacheMakesTasksRun) {
  test::temp_dir not_a_dir{"engine-cache"};
  std::string file = not_a_dir.write("file", "x");
  cached_engine e(file);  // the state directory is a file: the store cannot open
  task_group g;
  g.tasks = {task("build", {{"out", {{"v", "1"}}}}, "k")};
  g.tasks[0].exports = {{"v", false, export_scope::local, {}}};
  EXPECT_EQ(e.run(g).status, task_status::success);
  EXPECT_EQ(e.run(g).status, task_status::success);
  EXPECT_EQ(e.drv->runs_of("build"), 2);
}

TEST(EngineCache, ImportedSecretsInACachedExportStayConfidential) {
  cached_engine e;
  auto group = [] {
    task_group g;
    auto login = task("login", {{"out", {{"token", "tok-123456"}}}});
    login.exports = {{"token", true, export_scope::local, {}}};
    auto wrap = task("wrap", {{"out", {{"header", "Bearer tok-123456"}}}}, "wrap-v1");
    wrap.imports = {{"login", "token", {}}};
    wrap.exports = {{"header", false, export_scope::global, {}}};
    g.tasks = {login, wrap};
    return g;
  };
  e.run(group());
  auto r = e.run(group());
  const task_report& wrap = result(r, "wrap");
  ASSERT_TRUE(wrap.cached);
  EXPECT_TRUE(exported(wrap, "header")->confidential);
}

TEST(TaskCacheExpiry, TtlFromTheRunsStartOrNever) {
  cache::time_point t(std::chrono::hours(1000));
  EXPECT_EQ(expiry_of(std::chrono::minutes(5), t), t + std::chrono::minutes(5));
  EXPECT_FALSE(expiry_of(std::nullopt, t));
  // Beyond the clock's range: never, not an overflow into the past.
  EXPECT_FALSE(expiry_of(duration(std::numeric_limits<int64_t>::max()), t));
}

}  // namespace
}  // namespace runner
