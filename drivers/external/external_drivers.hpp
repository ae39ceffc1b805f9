#pragma once
// Every driver of the node config's `drivers:`, and when they are started: on
// first use, that is the first time a task group names a task type no
// built-in driver serves. Then each configured driver is started and asked
// for its types (its handshake); the types join the registry and the
// processes are kept. A driver that fails its handshake, or names a type
// that is built in or served by a driver listed before it, serves nothing; the
// registry says why next to "unknown task type".
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "config/node_config.hpp"
#include "drivers/external/driver_host.hpp"
#include "drivers/registry.hpp"

namespace runner::ext {

class external_drivers {
 public:
  external_drivers(reactor& r, driver_registry& registry, const std::vector<driver_config>& config,
                   driver_settings settings);

  // Thread-safe: every configured driver has answered its first handshake or
  // failed to (true at once when none is configured).
  bool learned() const;
  // Thread-safe: whether learn() was ever called (processes may run).
  bool started() const;
  // Thread-safe. Starts the drivers not asked yet; `done` runs once all have
  // answered — on the reactor thread, or at once when learned() already.
  void learn(std::function<void()> done);
  // Blocking (not for actors): learn() and wait for it.
  void learn_and_wait();
  // Blocking, at exit: each driver gets `shutdown` and up to `grace` to end.
  void shutdown(std::chrono::milliseconds grace);

 private:
  void answered(size_t index, driver_hello hello);  // reactor thread

  driver_registry& registry_;
  std::vector<std::shared_ptr<driver_host>> hosts_;

  mutable std::mutex mtx_;
  bool asked_ = false;
  bool learned_ = false;
  std::vector<std::optional<driver_hello>> hellos_;
  std::vector<std::function<void()>> waiters_;
};

}  // namespace runner::ext
