#include "drivers/external/external_drivers.hpp"

#include <spdlog/spdlog.h>

#include <future>
#include <set>

#include "drivers/external/external_driver.hpp"

namespace runner::ext {

external_drivers::external_drivers(reactor& r, driver_registry& registry,
                                   const std::vector<driver_config>& config,
                                   driver_settings settings)
    : registry_(registry) {
  for (auto& c : config)
    hosts_.push_back(std::make_shared<driver_host>(r, c, settings));
  hellos_.resize(hosts_.size());
  learned_ = hosts_.empty();
}

bool external_drivers::learned() const {
  std::lock_guard<std::mutex> lock(mtx_);
  return learned_;
}

bool external_drivers::started() const {
  std::lock_guard<std::mutex> lock(mtx_);
  return asked_;
}

void external_drivers::learn(std::function<void()> done) {
  bool ask = false;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    if (!learned_) {
      waiters_.push_back(std::move(done));  // their answers call it
      ask = !asked_;
      asked_ = true;
      if (!ask)
        return;
    }
  }
  if (!ask) {  // learned already
    done();
    return;
  }
  for (size_t i = 0; i < hosts_.size(); ++i)
    hosts_[i]->hello([this, i](const driver_hello& h) { answered(i, h); });
}

void external_drivers::learn_and_wait() {
  auto ready = std::make_shared<std::promise<void>>();
  auto future = ready->get_future();
  learn([ready] { ready->set_value(); });
  future.wait();
}

// Types are taken in config order once every driver answered, so which of
// two drivers serving the same type wins does not depend on who was faster.
void external_drivers::answered(size_t index, driver_hello hello) {
  std::vector<std::function<void()>> waiters;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    hellos_[index] = std::move(hello);
    for (auto& h : hellos_)
      if (!h)
        return;
    std::map<std::string, std::string> taken;  // type -> the driver serving it
    for (size_t i = 0; i < hosts_.size(); ++i) {
      auto& h = *hellos_[i];
      auto& host = hosts_[i];
      if (!h.error.empty()) {
        registry_.add_problem(host->label() + " serves no types: it " + h.error);
        continue;
      }
      std::string clash;
      for (auto& t : h.task_types) {
        if (registry_.builtin(t))
          clash = "it serves `" + t + "`, a built-in task type";
        else if (auto o = taken.find(t); o != taken.end())
          clash = "it serves `" + t + "`, which " + o->second + " (listed before it) serves";
        if (!clash.empty())
          break;
      }
      if (!clash.empty()) {
        spdlog::warn("{} is not used: {}", host->label(), clash);
        registry_.add_problem(host->label() + " is not used: " + clash);
        host->refuse(clash);
        continue;
      }
      for (auto& t : h.task_types) {
        taken[t] = host->label();
        registry_.add_external(std::make_shared<external_driver>(t, host));
      }
    }
    learned_ = true;
    waiters = std::move(waiters_);
  }
  for (auto& w : waiters)
    w();
}

void external_drivers::shutdown(std::chrono::milliseconds grace) {
  {
    std::lock_guard<std::mutex> lock(mtx_);
    if (!asked_)
      return;  // nothing was started
  }
  // All at once, against one deadline: n drivers take one grace period, not n.
  std::vector<std::shared_future<void>> ended;
  for (auto& h : hosts_)
    ended.push_back(h->begin_shutdown());
  auto deadline = std::chrono::steady_clock::now() + grace + std::chrono::seconds(1);
  for (auto& e : ended)
    e.wait_until(deadline);
}

}  // namespace runner::ext
