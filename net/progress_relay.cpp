#include "net/progress_relay.hpp"

#include <vector>

namespace runner {

namespace {

// Batches grow while the submitter is slow: lines wait while this many are
// unanswered, and go out together.
constexpr int kBatchesInFlight = 2;

struct relay_state {
  std::vector<log_line> lines;  // not sent yet
  int in_flight = 0;
};

using relay_self = observer_actor::stateful_pointer<relay_state>;

// Sends what is waiting as one batch. The lines' tickets stay with the
// continuation until the submitter answers (or the relay ends).
void send_batch(relay_self self, progress_actor endpoint) {
  auto& st = self->state;
  if (st.lines.empty())
    return;
  std::vector<flow_ticket> held;
  for (auto& l : st.lines)
    keep_ticket(held, std::exchange(l.hold, {}));
  ++st.in_flight;
  auto done = [self, endpoint, held](auto&&...) {
    --self->state.in_flight;
    if (self->state.in_flight < kBatchesInFlight)
      send_batch(self, endpoint);
  };
  self->request(endpoint, caf::infinite, log_batch_atom::value, std::exchange(st.lines, {}))
      .then([done](done_atom) { done(); }, [done](caf::error&) { done(); });
}

}  // namespace

task_report masked_report(task_report r) {
  for (auto& v : r.exports)
    if (v.confidential)
      v.value = "***";
  return r;
}

observer_actor spawn_progress_relay(caf::actor_system& sys, progress_actor endpoint,
                                    relay_reports reports) {
  return sys.spawn([=](relay_self self) -> observer_actor::behavior_type {
    ignore_system_messages(self);
    return {
        [=](started_atom, const std::string& task, int attempt) {
          send_batch(self, endpoint);  // lines still waiting go first
          self->send(endpoint, started_atom::value, task, attempt);
        },
        [=](log_line& l) {
          // With two batches unanswered, lines wait here; they hold their
          // tickets, so the task's output window bounds how many wait.
          auto& st = self->state;
          st.lines.push_back(std::move(l));
          if (st.in_flight < kBatchesInFlight)
            send_batch(self, endpoint);
        },
        [=](task_report& r) {
          if (reports == relay_reports::none)
            return;
          send_batch(self, endpoint);  // lines still waiting go first
          self->send(endpoint, reports == relay_reports::masked ? masked_report(std::move(r))
                                                                : std::move(r));
        },
        [](tick_atom) {},
        // The run is over: everything sent before this is on its way. The
        // relay goes with it; it is in CAF's registry (its messages went to
        // a remote actor), and one left behind per request would pile up.
        [=](summary_atom, const std::string&, task_status) {
          send_batch(self, endpoint);  // lines still waiting go first
          auto rp = self->make_response_promise<done_atom>();
          rp.deliver(done_atom::value);
          self->quit();
          return rp;
        },
    };
  });
}

}  // namespace runner
