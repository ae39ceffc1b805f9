#include "net/progress_relay.hpp"

namespace runner {

task_report masked_report(task_report r) {
  for (auto& v : r.exports)
    if (v.confidential)
      v.value = "***";
  return r;
}

observer_actor spawn_progress_relay(caf::actor_system& sys, progress_actor endpoint,
                                    bool send_reports) {
  return sys.spawn([=](observer_actor::pointer self) -> observer_actor::behavior_type {
    ignore_system_messages(self);
    return {
        [=](started_atom, const std::string& task, int attempt) {
          self->send(endpoint, started_atom::value, task, attempt);
        },
        [=](log_line& l) { self->send(endpoint, std::move(l)); },
        [=](task_report& r) {
          if (send_reports)
            self->send(endpoint, masked_report(std::move(r)));
        },
        [](tick_atom) {},
        // The run is over: everything sent before this is on its way. The
        // relay goes with it; it is in CAF's registry (its messages went to
        // a remote actor), and one left behind per request would pile up.
        [=](summary_atom, const std::string&, task_status) {
          auto rp = self->make_response_promise<done_atom>();
          rp.deliver(done_atom::value);
          self->quit();
          return rp;
        },
    };
  });
}

}  // namespace runner
