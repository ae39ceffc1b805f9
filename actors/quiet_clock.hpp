#pragma once
// CAF's thread-safe actor clock, except that ending an actor that never set a
// timeout does not wake the clock's thread. CAF 0.17 cancels the timeouts of
// every actor that ends by queueing a command for that thread and waking it,
// whether there is anything to cancel or not: with one short-lived actor per
// task, a thread wake-up per task.
#include <mutex>
#include <unordered_set>

#include <caf/detail/thread_safe_actor_clock.hpp>

namespace runner {

// An actor sets and cancels its timeouts from its own activations, so the
// two never race for one actor.
class quiet_clock : public caf::detail::thread_safe_actor_clock {
 public:
  using super = caf::detail::thread_safe_actor_clock;

  void set_ordinary_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type,
                            uint64_t id) override {
    remember(self);
    super::set_ordinary_timeout(t, self, type, id);
  }
  void set_request_timeout(time_point t, caf::abstract_actor* self,
                           caf::message_id id) override {
    remember(self);
    super::set_request_timeout(t, self, id);
  }
  void set_multi_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type,
                         uint64_t id) override {
    remember(self);
    super::set_multi_timeout(t, self, type, id);
  }
  void cancel_timeouts(caf::abstract_actor* self) override {
    if (forget(self))
      super::cancel_timeouts(self);
  }

 private:
  void remember(caf::abstract_actor* a) {
    std::lock_guard<std::mutex> guard(mtx_);
    with_timeouts_.insert(a);
  }
  bool forget(caf::abstract_actor* a) {
    std::lock_guard<std::mutex> guard(mtx_);
    return with_timeouts_.erase(a) > 0;
  }

  std::mutex mtx_;
  std::unordered_set<caf::abstract_actor*> with_timeouts_;
};

}  // namespace runner
