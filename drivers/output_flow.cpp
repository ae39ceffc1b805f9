#include "drivers/output_flow.hpp"

#include <vector>

namespace runner {

// What a ticket holds: `n` bytes of `flow`, released when the last copy goes.
struct flow_share {
  flow_share(std::shared_ptr<output_flow> f, size_t bytes) : flow(std::move(f)), n(bytes) {}
  flow_share(const flow_share&) = delete;
  flow_share& operator=(const flow_share&) = delete;
  ~flow_share() { flow->give(n); }
  std::shared_ptr<output_flow> flow;
  size_t n;
};

void keep_ticket(std::vector<flow_ticket>& held, const flow_ticket& t) {
  if (t && (held.empty() || held.back().hold != t.hold))
    held.push_back(t);
}

output_flow::output_flow(size_t window, std::function<void()> on_credit)
    : window_(window), on_credit_(std::move(on_credit)) {}

flow_ticket output_flow::take(size_t n) {
  in_flight_ += n;
  return flow_ticket{std::make_shared<flow_share>(shared_from_this(), n)};
}

bool output_flow::try_pause() {
  paused_ = true;
  // A ticket dropped between open() and here saw paused_ false and called
  // nobody: look again, and take the pause back if credit came meanwhile.
  if (in_flight_.load() <= window_ / 2) {
    bool was = true;
    if (paused_.compare_exchange_strong(was, false))
      return false;
  }
  return true;
}

void output_flow::give(size_t n) {
  size_t left = in_flight_ -= n;
  if (left <= window_ / 2 && paused_.load()) {
    bool was = true;
    if (paused_.compare_exchange_strong(was, false) && on_credit_)
      on_credit_();
  }
}

}  // namespace runner
