#include "actors/engine_scheduler.hpp"

#include <thread>

#include <caf/detail/set_thread_name.hpp>
#include <caf/scheduler/coordinator.hpp>

#include "actors/local_first_policy.hpp"
#include "actors/quiet_clock.hpp"

namespace runner {

namespace {

// The base class keeps a clock and a thread of its own, which then sit idle:
// clock() hands out this one.
class engine_scheduler : public caf::scheduler::coordinator<local_first_policy> {
 public:
  using super = caf::scheduler::coordinator<local_first_policy>;

  explicit engine_scheduler(caf::actor_system& sys) : super(sys) {}

  static caf::actor_system::module* make(caf::actor_system& sys, caf::detail::type_list<>) {
    return new engine_scheduler(sys);
  }

  caf::detail::thread_safe_actor_clock& clock() noexcept override { return clock_; }

 protected:
  void start() override {
    timer_ = std::thread([this] {
      caf::detail::set_thread_name("caf.clock");
      system().thread_started();
      clock_.run_dispatch_loop();
      system().thread_terminates();
    });
    super::start();
  }

  void stop() override {
    super::stop();  // actors that end meanwhile still cancel through clock_
    clock_.cancel_dispatch_loop();
    timer_.join();
  }

 private:
  quiet_clock clock_;
  std::thread timer_;
};

}  // namespace

void use_engine_scheduler(caf::actor_system_config& cfg) {
  cfg.load<engine_scheduler>();
}

}  // namespace runner
