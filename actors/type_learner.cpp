#include "actors/type_learner.hpp"

#include <vector>

namespace runner {

namespace {

struct learner_state {
  std::vector<caf::response_promise> waiting;
};

}  // namespace

caf::actor spawn_type_learner(caf::actor_system& sys, ext::external_drivers& drivers) {
  auto fn = [&drivers](caf::stateful_actor<learner_state>* self) -> caf::behavior {
    return {
        [self, &drivers](learn_atom) -> caf::response_promise {
          auto rp = self->make_response_promise();
          if (drivers.learned())
            return rp.deliver(learned_atom::value), rp;
          self->state.waiting.push_back(rp);
          if (self->state.waiting.size() == 1) {
            // Runs on the reactor thread: it only mails this actor.
            drivers.learn([me = caf::actor_cast<caf::actor>(self)] {
              caf::anon_send(me, learned_atom::value);
            });
          }
          return rp;
        },
        [self](learned_atom) {
          auto waiting = std::move(self->state.waiting);
          self->state.waiting.clear();
          for (auto& rp : waiting)
            rp.deliver(learned_atom::value);
        },
    };
  };
  return sys.spawn(fn);
}

}  // namespace runner
