// The engine's scheduler (actors/engine_scheduler.hpp): work queued by a busy
// actor is still taken by the other worker, timeouts still fire although ending
// actors no longer wake the clock, and the system shuts down cleanly.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "actors/engine_scheduler.hpp"

namespace runner {
namespace {

using ping_atom = caf::atom_constant<caf::atom("ping")>;

struct scheduler_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  scheduler_system() {
    use_engine_scheduler(cfg);
    cfg.set("scheduler.max-threads", size_t{2});
    sys = std::make_unique<caf::actor_system>(cfg);
  }
};

// Spins until `flag` is set or a generous deadline passes (a bug fails the
// test instead of hanging it).
bool wait_for(const std::atomic<bool>& flag) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!flag)
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    else
      std::this_thread::yield();
  return true;
}

TEST(EngineScheduler, AChainOfSpawnedActorsRunsToItsEnd) {
  scheduler_system s;
  std::atomic<int> ran{0};
  std::function<caf::behavior(caf::event_based_actor*, int)> link;
  link = [&](caf::event_based_actor* self, int left) -> caf::behavior {
    ++ran;
    if (left > 0)
      self->spawn(link, left - 1);
    self->quit();
    return {};
  };
  s.sys->spawn(link, 9999);
  s.sys->await_all_actors_done();
  EXPECT_EQ(ran.load(), 10000);
}

// The sender stays busy after queueing work on its own worker: the other
// worker must take that work (after its standby) instead of leaving it queued
// until the sender's activation ends.
TEST(EngineScheduler, WorkQueuedBehindABusyActorIsTakenByTheOtherWorker) {
  scheduler_system s;
  std::atomic<bool> helper_ran{false}, busy_done{false};
  auto helper = s.sys->spawn([&](caf::event_based_actor*) -> caf::behavior {
    return {[&](ping_atom) { helper_ran = true; }};
  });
  s.sys->spawn([&, helper](caf::event_based_actor* self) {
    self->send(helper, ping_atom::value);
    busy_done = wait_for(helper_ran);  // blocks this worker on purpose
    self->quit();
  });
  EXPECT_TRUE(wait_for(helper_ran));
  EXPECT_TRUE(wait_for(busy_done));
  caf::anon_send_exit(helper, caf::exit_reason::user_shutdown);
}

TEST(EngineScheduler, TimeoutsStillFire) {
  scheduler_system s;
  std::atomic<bool> delayed{false}, timed_out{false};
  s.sys->spawn([&](caf::event_based_actor* self) -> caf::behavior {
    self->delayed_send(self, std::chrono::milliseconds(1), ping_atom::value);
    return {[&, self](ping_atom) {
      delayed = true;
      self->quit();
    }};
  });
  auto silent = s.sys->spawn([](caf::event_based_actor*) -> caf::behavior {
    return {[](ping_atom) -> caf::result<ping_atom> { return caf::delegated<ping_atom>(); }};
  });
  s.sys->spawn([&, silent](caf::event_based_actor* self) {
    self->request(silent, std::chrono::milliseconds(1), ping_atom::value)
        .then([](ping_atom) {}, [&](caf::error&) { timed_out = true; });
  });
  EXPECT_TRUE(wait_for(delayed));
  EXPECT_TRUE(wait_for(timed_out));
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace runner
