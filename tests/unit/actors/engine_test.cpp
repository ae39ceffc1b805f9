// The supervisor and task actors with a scripted in-process driver: DAG order,
// variable passing, skip propagation, the parallelism bound, cancellation.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <mutex>

#include "actors/slot_pool.hpp"
#include "engine_test_util.hpp"

namespace runner {
namespace {

using test::result;

// A task type whose spec says what happens: {"result": "ok"|"fail"|"hang",
// "out": {name: value}, "print": text}. It records start order and how many
// ran at once.
class scripted_driver : public driver {
 public:
  explicit scripted_driver(bool process_backed) : process_backed_(process_backed) {}
  std::string type() const override { return "scripted"; }
  bool process_backed() const override { return process_backed_; }
  void check_spec(const task_decl&, const std::string&, diagnostics&) const override {}

  struct handle : running_task {
    std::shared_ptr<task_events> ev;
    scripted_driver* owner;
    std::atomic<bool> stopped{false};
    void stop(stop_reason) override {
      if (!stopped.exchange(true)) {
        --owner->running;
        driver_result r;
        r.error = "stopped";
        r.stopped = true;
        ev->finished(std::move(r));
      }
    }
  };

  std::unique_ptr<running_task> start(task_invocation inv,
                                      std::shared_ptr<task_events> ev) override {
    {
      std::lock_guard<std::mutex> g(mtx);
      order.push_back(inv.task_name);
      specs[inv.task_name] = inv.spec;
      statuses[inv.task_name] = inv.statuses;
    }
    int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    auto h = std::make_unique<handle>();
    h->ev = ev;
    h->owner = this;
    auto result = inv.spec.value("result", std::string("ok"));
    if (inv.spec.contains("print"))
      ev->output(stream_kind::out, inv.spec["print"].get<std::string>() + "\n");
    if (result == "hang") {
      ++hanging;
      return h;
    }
    h->stopped = true;
    --running;
    driver_result r;
    r.success = result == "ok";
    r.exit_code = r.success ? 0 : 1;
    if (!r.success)
      r.error = "scripted failure";
    if (inv.spec.contains("out"))
      for (auto& [k, v] : inv.spec["out"].items())
        r.outputs[k] = v.get<std::string>();
    ev->finished(std::move(r));
    return h;
  }

  bool process_backed_;
  std::mutex mtx;
  std::vector<std::string> order;
  std::map<std::string, json> specs;
  std::map<std::string, std::map<std::string, std::string>> statuses;
  std::atomic<int> running{0}, peak{0}, hanging{0};
};

// In-process and claims to finish inside start(), so the supervisor spawns it
// a window at a time; "hang" lets a test see the window.
class at_once_driver : public scripted_driver {
 public:
  at_once_driver() : scripted_driver(false) {}
  bool finishes_in_start() const override { return true; }
};

task_decl task(std::string name, json spec, std::vector<std::string> deps = {}) {
  task_decl t;
  t.name = std::move(name);
  t.type = "scripted";
  t.spec = spec.is_null() ? json::object() : std::move(spec);
  t.depends_on = std::move(deps);
  return t;
}

struct engine : test::engine_base {
  std::shared_ptr<scripted_driver> drv;

  explicit engine(bool process_backed = true, bool at_once = false) {
    drv = at_once ? std::make_shared<at_once_driver>() : std::make_shared<scripted_driver>(process_backed);
    reg.add(drv);
  }

  group_report run(task_group g, size_t max_parallel = 4) {
    return finish(spawn_supervisor(*sys, context(std::move(g), max_parallel)));
  }
};

// Waits for the scripted driver to reach a state, with an upper bound so a bug
// fails the test instead of hanging it.
bool eventually(const std::function<bool()>& condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!condition())
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    else
      std::this_thread::yield();
  return true;
}

TEST(Engine, RunsInDependencyOrderAndPassesVariables) {
  engine e;
  task_group g;
  g.tasks.push_back(task("b", {{"print", "got {{ .a.v }}"}}, {"a"}));
  g.tasks.back().imports.push_back({"a", "v", {}});
  g.tasks.push_back(task("a", {{"out", {{"v", "42"}}}}));
  g.tasks.back().exports.push_back({"v", false, export_scope::global, {}});
  auto r = e.run(std::move(g));
  EXPECT_EQ(r.status, task_status::success);
  ASSERT_EQ(e.drv->order.size(), 2u);
  EXPECT_EQ(e.drv->order[0], "a");
  EXPECT_EQ(e.drv->specs["b"]["print"], "got 42");
  EXPECT_EQ(result(r, "a").exports.at(0).value, "42");
  EXPECT_EQ(exit_code_of(r), 0);
}

TEST(Engine, FailureSkipsTransitiveDependentsOnly) {
  engine e;
  task_group g;
  g.tasks.push_back(task("root", {}));
  g.tasks.push_back(task("bad", {{"result", "fail"}}, {"root"}));
  g.tasks.push_back(task("child", {}, {"bad"}));
  g.tasks.push_back(task("grandchild", {}, {"child"}));
  g.tasks.push_back(task("other", {}, {"root"}));
  auto r = e.run(std::move(g));
  EXPECT_EQ(r.status, task_status::failed);
  EXPECT_EQ(result(r, "bad").status, task_status::failed);
  EXPECT_EQ(result(r, "child").status, task_status::skipped);
  EXPECT_EQ(result(r, "grandchild").status, task_status::skipped);
  EXPECT_EQ(result(r, "other").status, task_status::success);
  EXPECT_EQ(exit_code_of(r), 1);
}

TEST(Engine, MaxParallelIsABound) {
  engine e;
  task_group g;
  for (int i = 0; i < 50; ++i)
    g.tasks.push_back(task("t" + std::to_string(i), {}));
  auto r = e.run(std::move(g), 3);
  EXPECT_EQ(r.status, task_status::success);
  EXPECT_LE(e.drv->peak.load(), 3);
}

TEST(Engine, InProcessTypesAreNotBounded) {
  engine e(false);
  task_group g;
  for (int i = 0; i < 5; ++i)
    g.tasks.push_back(task("h" + std::to_string(i), {{"result", "hang"}}));
  auto ctx = e.context(std::move(g), 1);
  auto sup = spawn_supervisor(*e.sys, ctx);
  caf::scoped_actor self{*e.sys};
  auto pending = self->request(sup, caf::infinite, run_atom::value);
  // All five start although max_parallel is 1; then cancel ends them.
  EXPECT_TRUE(eventually([&] { return e.drv->hanging.load() == 5; }));  // cancel ends it either way
  self->send(sup, cancel_atom::value);
  group_report out;
  pending.receive([&](group_report& r) { out = std::move(r); }, [](caf::error&) {});
  EXPECT_EQ(out.status, task_status::cancelled);
  EXPECT_EQ(exit_code_of(out), 130);
}

TEST(Engine, CancelStopsRunningAndPendingTasks) {
  engine e;
  task_group g;
  g.tasks.push_back(task("long", {{"result", "hang"}}));
  g.tasks.push_back(task("after", {}, {"long"}));
  auto ctx = e.context(std::move(g), 2);
  auto sup = spawn_supervisor(*e.sys, ctx);
  caf::scoped_actor self{*e.sys};
  auto pending = self->request(sup, caf::infinite, run_atom::value);
  EXPECT_TRUE(eventually([&] { return e.drv->hanging.load() == 1; }));  // cancel ends it either way
  self->send(sup, cancel_atom::value);
  group_report out;
  pending.receive([&](group_report& r) { out = std::move(r); }, [](caf::error&) {});
  EXPECT_EQ(result(out, "long").status, task_status::cancelled);
  EXPECT_EQ(result(out, "after").status, task_status::cancelled);
}

TEST(Engine, DriverExceptionFailsOnlyThatTask) {
  engine e;
  task_group g;
  g.tasks.push_back(task("boom", json::array()));  // scripted driver throws on it
  g.tasks.push_back(task("after", {}, {"boom"}));
  g.tasks.push_back(task("other", {}));
  auto r = e.run(std::move(g));
  EXPECT_EQ(result(r, "boom").status, task_status::failed);
  EXPECT_NE(result(r, "boom").error.find("internal error"), std::string::npos);
  EXPECT_EQ(result(r, "after").status, task_status::skipped);
  EXPECT_EQ(result(r, "other").status, task_status::success);
  EXPECT_EQ(exit_code_of(r), 3);
}

TEST(Engine, CancelBeforeRunRunsNothing) {
  engine e;
  task_group g;
  g.tasks.push_back(task("a", {}));
  g.tasks.push_back(task("b", {}, {"a"}));
  auto sup = spawn_supervisor(*e.sys, e.context(std::move(g), 2));
  caf::scoped_actor self{*e.sys};
  self->send(sup, cancel_atom::value);
  group_report out;
  self->request(sup, caf::infinite, run_atom::value)
      .receive([&](group_report& r) { out = std::move(r); }, [](caf::error&) {});
  EXPECT_EQ(out.status, task_status::cancelled);
  EXPECT_EQ(result(out, "a").status, task_status::cancelled);
  EXPECT_EQ(result(out, "b").status, task_status::cancelled);
  EXPECT_TRUE(e.drv->order.empty());
}

TEST(Engine, EmptyGroupSucceeds) {
  engine e;
  auto r = e.run(task_group{});
  EXPECT_EQ(r.status, task_status::success);
  EXPECT_TRUE(r.results.empty());
}


// `runner serve`: max_parallel bounds the node, across all the groups it runs.
TEST(Engine, ANodeSlotPoolBoundsSeveralGroupsTogether) {
  engine e;
  auto pool = spawn_slot_pool(*e.sys, 2);
  std::vector<supervisor_actor> sups;
  for (int gi = 0; gi < 3; ++gi) {
    task_group g;
    for (int i = 0; i < 20; ++i)
      g.tasks.push_back(task("t" + std::to_string(i), {}));
    auto ctx = e.context(std::move(g), 8);  // per group alone it would allow 8
    ctx->slots = pool;
    sups.push_back(spawn_supervisor(*e.sys, ctx));
  }
  caf::scoped_actor self{*e.sys};
  std::vector<decltype(self->request(sups[0], caf::infinite, run_atom::value))> runs;
  for (auto& sup : sups)  // all three run at once; their replies are read below
    runs.push_back(self->request(sup, caf::infinite, run_atom::value));
  for (auto& run : runs)
    run.receive([&](group_report& r) { EXPECT_EQ(r.status, task_status::success); },
                [&](caf::error& err) { ADD_FAILURE() << e.sys->render(err); });
  EXPECT_LE(e.drv->peak.load(), 2);
  EXPECT_EQ(e.drv->order.size(), 60u);
  caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
}

// A group cancelled while its tasks wait for node slots gives back every
// grant: the next group still gets all of them.
TEST(Engine, ACancelledGroupLeavesNoSlotsTakenInThePool) {
  engine e;
  auto pool = spawn_slot_pool(*e.sys, 2);
  {
    task_group g;
    for (int i = 0; i < 10; ++i)
      g.tasks.push_back(task("h" + std::to_string(i), {{"result", "hang"}}));
    auto ctx = e.context(std::move(g), 8);
    ctx->slots = pool;
    auto sup = spawn_supervisor(*e.sys, ctx);
    caf::scoped_actor self{*e.sys};
    auto run = self->request(sup, caf::infinite, run_atom::value);
    ASSERT_TRUE(eventually([&] { return e.drv->hanging.load() == 2; }));
    self->send(sup, cancel_atom::value);
    run.receive([&](group_report& r) { EXPECT_EQ(r.status, task_status::cancelled); },
                [&](caf::error&) {});
  }
  task_group g;
  for (int i = 0; i < 4; ++i)
    g.tasks.push_back(task("after" + std::to_string(i), {}));
  auto ctx = e.context(std::move(g), 8);
  ctx->slots = pool;
  auto sup = spawn_supervisor(*e.sys, ctx);
  caf::scoped_actor self{*e.sys};
  self->request(sup, caf::infinite, run_atom::value)
      .receive([&](group_report& r) { EXPECT_EQ(r.status, task_status::success); },
               [&](caf::error& err) { ADD_FAILURE() << e.sys->render(err); });
  caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace runner

namespace runner {
namespace {

task_decl with_when(task_decl t, std::string when) {
  t.when = std::move(when);
  return t;
}

bool ran(const engine& e, const std::string& name) {
  return std::find(e.drv->order.begin(), e.drv->order.end(), name) != e.drv->order.end();
}

TEST(EngineWhen, FalseSkipsTheTaskAndItsDependents) {
  engine e;
  task_group g;
  g.tasks.push_back(task("check", {{"out", {{"deploy", "false"}}}}));
  g.tasks.back().exports.push_back({"deploy", false, export_scope::local, {}});
  g.tasks.push_back(with_when(task("deploy", {}), "<+ check.deploy >"));
  g.tasks.back().imports.push_back({"check", "deploy", {}});
  g.tasks.push_back(task("announce", {}, {"deploy"}));
  g.tasks.push_back(with_when(task("always", {}, {"check"}), "check.deploy == 'false'"));
  g.tasks.back().imports.push_back({"check", "deploy", {}});
  auto r = e.run(std::move(g));
  EXPECT_EQ(r.status, task_status::success);
  EXPECT_EQ(result(r, "deploy").status, task_status::skipped);
  EXPECT_EQ(result(r, "deploy").error, "`when` is false: <+ check.deploy >");
  EXPECT_EQ(result(r, "announce").status, task_status::skipped);
  EXPECT_EQ(result(r, "announce").error, "dependency `deploy` skipped");
  EXPECT_EQ(result(r, "always").status, task_status::success);
  EXPECT_FALSE(ran(e, "deploy"));
  EXPECT_FALSE(ran(e, "announce"));
  EXPECT_EQ(exit_code_of(r), 0);
}

TEST(EngineWhen, AConditionOnAStatusRunsAfterAFailure) {
  engine e;
  task_group g;
  g.tasks.push_back(task("build", {{"result", "fail"}}));
  g.tasks.push_back(with_when(task("on_failure", {}), "<+ build.status == 'failed' >"));
  g.tasks.push_back(with_when(task("on_success", {}), "<+ build.status == 'success' >"));
  g.tasks.push_back(task("after", {}, {"build"}));
  // depends_on orders; the condition decides.
  g.tasks.push_back(with_when(task("report", {}, {"build", "on_failure"}),
                              "build.status != 'success' && on_failure.status == 'success'"));
  auto r = e.run(std::move(g));
  EXPECT_EQ(r.status, task_status::failed);
  EXPECT_EQ(result(r, "on_failure").status, task_status::success);
  EXPECT_EQ(result(r, "on_success").status, task_status::skipped);
  EXPECT_EQ(result(r, "after").status, task_status::skipped);
  EXPECT_EQ(result(r, "report").status, task_status::success);
  EXPECT_EQ(e.drv->statuses["on_failure"], (std::map<std::string, std::string>{{"build", "failed"}}));
  EXPECT_EQ(e.drv->statuses["report"],
            (std::map<std::string, std::string>{{"build", "failed"}, {"on_failure", "success"}}));
  EXPECT_EQ(exit_code_of(r), 1);
}

TEST(EngineWhen, ASkippedTaskIsAStatusToo) {
  engine e;
  task_group g;
  g.tasks.push_back(task("a", {{"result", "fail"}}));
  g.tasks.push_back(task("b", {}, {"a"}));
  g.tasks.push_back(with_when(task("c", {}), "b.status == 'skipped'"));
  auto r = e.run(std::move(g));
  EXPECT_EQ(result(r, "c").status, task_status::success);
}

TEST(EngineWhen, AConditionThatCannotBeEvaluatedFailsTheTask) {
  engine e;
  task_group g;
  g.tasks.push_back(task("a", {{"out", {{"v", "abc"}}}}));
  g.tasks.back().exports.push_back({"v", false, export_scope::local, {}});
  g.tasks.push_back(with_when(task("b", {}), "<+ a.v * 2 > 1 >"));
  g.tasks.back().imports.push_back({"a", "v", {}});
  auto r = e.run(std::move(g));
  EXPECT_EQ(result(r, "b").status, task_status::failed);
  EXPECT_EQ(result(r, "b").error.rfind("`when`: expression at 1:", 0), 0u) << result(r, "b").error;
  EXPECT_FALSE(ran(e, "b"));
}

TEST(EngineWhen, EnvsOfTheSpecAreVisibleWithTheirTemplatesResolved) {
  engine e;
  task_group g;
  g.tasks.push_back(task("a", {{"out", {{"stage", "prod"}}}}));
  g.tasks.back().exports.push_back({"stage", false, export_scope::local, {}});
  g.tasks.push_back(with_when(task("b", {{"envs", {{"STAGE", "{{ .a.stage }}"}}}}), "env.STAGE == 'prod'"));
  g.tasks.back().imports.push_back({"a", "stage", {}});
  g.tasks.push_back(with_when(task("c", {{"envs", json::array({{{"STAGE", "dev"}}})}}), "env.STAGE == 'prod'"));
  auto r = e.run(std::move(g));
  EXPECT_EQ(result(r, "b").status, task_status::success);
  EXPECT_EQ(result(r, "c").status, task_status::skipped);
}

TEST(EngineWhen, ConditionalProcessTasksStillRespectMaxParallel) {
  engine e;
  task_group g;
  for (int i = 0; i < 40; ++i)
    g.tasks.push_back(with_when(task("t" + std::to_string(i), {}), i % 4 ? "true" : "false"));
  auto r = e.run(std::move(g), 3);
  EXPECT_EQ(r.status, task_status::success);
  EXPECT_LE(e.drv->peak.load(), 3);
  EXPECT_EQ(e.drv->order.size(), 30u);
}

}  // namespace
}  // namespace runner

namespace runner {
namespace {

TEST(EngineWindow, TasksThatFinishInStartAllRunAWindowAtATime) {
  engine e(false, true);
  task_group g;
  g.tasks.push_back(task("root", {}));
  std::vector<std::string> middle;
  for (size_t i = 0; i < 3 * at_once_window; ++i) {
    middle.push_back("m" + std::to_string(i));
    g.tasks.push_back(task(middle.back(), {}, {"root"}));
  }
  g.tasks.push_back(task("join", {}, middle));
  auto r = e.run(std::move(g));
  EXPECT_EQ(r.status, task_status::success);
  EXPECT_EQ(e.drv->order.size(), 3 * at_once_window + 2);
  EXPECT_EQ(e.drv->order.back(), "join");
}

TEST(EngineWindow, HeldTasksAreQueuedAndCancelledWithoutStarting) {
  engine e(false, true);
  task_group g;
  for (size_t i = 0; i < at_once_window + 10; ++i)
    g.tasks.push_back(task("h" + std::to_string(i), {{"result", "hang"}}));
  auto sup = spawn_supervisor(*e.sys, e.context(std::move(g), 1));
  caf::scoped_actor self{*e.sys};
  auto pending = self->request(sup, caf::infinite, run_atom::value);
  ASSERT_TRUE(eventually([&] { return e.drv->hanging.load() == static_cast<int>(at_once_window); }));
  size_t queued = 0;
  self->request(sup, caf::infinite, describe_atom::value)
      .receive(
          [&](std::vector<task_view>& views) {
            for (auto& v : views)
              queued += v.state == "queued";
          },
          [&](caf::error& err) { ADD_FAILURE() << e.sys->render(err); });
  EXPECT_EQ(queued, 10u);
  self->send(sup, cancel_atom::value);
  group_report out;
  pending.receive([&](group_report& r) { out = std::move(r); }, [](caf::error&) {});
  EXPECT_EQ(out.status, task_status::cancelled);
  for (auto& t : out.results)
    EXPECT_EQ(t.status, task_status::cancelled) << t.name;
  EXPECT_EQ(e.drv->order.size(), at_once_window);
}

}  // namespace
}  // namespace runner
