#pragma once
// A process_listener that keeps what a process printed and how it ended, for
// the reactor's and the spawner's unit tests.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "drivers/reactor.hpp"

namespace runner {

// Collects a process's output and its end, for a test thread to wait on.
struct collected : process_listener {
  std::mutex mtx;
  std::condition_variable cv;
  std::string out;
  std::optional<process_exit> how;
  void on_output(stream_kind, std::string_view data, const flow_ticket&) override {
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

}  // namespace runner
