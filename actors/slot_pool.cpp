#include "actors/slot_pool.hpp"

#include <deque>
#include <map>
#include <set>

namespace runner {

namespace {

struct waiter {
  caf::actor_addr who;
  caf::typed_response_promise<granted_atom> promise;
};

struct pool_state {
  size_t free = 0;
  std::map<caf::actor_addr, size_t> held;  // by supervisor
  std::set<caf::actor_addr> watched;       // monitored once each, until down
  std::deque<waiter> waiting;
  static inline const char* name = "slot_pool";
};

using self_ptr = slot_pool_actor::stateful_pointer<pool_state>;

void watch(self_ptr self, const caf::actor_addr& who) {
  if (self->state.watched.insert(who).second)
    self->monitor(who);
}

void grant(self_ptr self, waiter& w) {
  ++self->state.held[w.who];
  watch(self, w.who);
  w.promise.deliver(granted_atom::value);
}

void give_back(self_ptr self, size_t n) {
  auto& st = self->state;
  st.free += n;
  while (st.free > 0 && !st.waiting.empty()) {
    auto w = std::move(st.waiting.front());
    st.waiting.pop_front();
    --st.free;
    grant(self, w);
  }
}

}  // namespace

slot_pool_actor spawn_slot_pool(caf::actor_system& sys, size_t slots) {
  return sys.spawn([slots](self_ptr self) -> slot_pool_actor::behavior_type {
    self->state.free = std::max<size_t>(1, slots);
    self->set_down_handler([=](caf::down_msg& dm) {
      auto& st = self->state;
      st.watched.erase(dm.source);
      size_t n = 0;
      if (auto i = st.held.find(dm.source); i != st.held.end()) {
        n = i->second;
        st.held.erase(i);
      }
      for (auto i = st.waiting.begin(); i != st.waiting.end();)
        i = i->who == dm.source ? st.waiting.erase(i) : i + 1;
      give_back(self, n);
    });
    return {
        [=](acquire_atom) -> caf::typed_response_promise<granted_atom> {
          auto& st = self->state;
          waiter w{self->current_sender() ? caf::actor_cast<caf::actor_addr>(self->current_sender())
                                          : caf::actor_addr{},
                   self->make_response_promise<granted_atom>()};
          if (st.free > 0) {
            --st.free;
            grant(self, w);
          } else {
            watch(self, w.who);  // to drop its wait if it goes away
            st.waiting.push_back(w);
          }
          return w.promise;
        },
        [=](release_atom) {
          auto& st = self->state;
          auto who = caf::actor_cast<caf::actor_addr>(self->current_sender());
          auto i = st.held.find(who);
          if (i == st.held.end() || i->second == 0)
            return;  // not one of ours: ignore rather than inflate the pool
          if (--i->second == 0)
            st.held.erase(i);  // still watched: it may ask again
          give_back(self, 1);
        },
    };
  });
}

}  // namespace runner
