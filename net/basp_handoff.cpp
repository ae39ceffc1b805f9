#include "net/basp_handoff.hpp"

#include <caf/io/basp_broker.hpp>

namespace runner {

caf::actor basp_broker_of(caf::actor_system& sys) {
  return sys.middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"));
}

void serve_with_basp(caf::actor_system& sys, const caf::actor& basp, int fd, uint16_t port,
                     const caf::strong_actor_ptr& whom, const std::set<std::string>& sigs) {
  // The scribe is made on the middleman's own thread, like every scribe CAF
  // makes for an accepted socket.
  auto& mm = sys.middleman();
  mm.run_later([&mm, basp, fd, port, whom, sigs] {
    auto scribe = mm.backend().new_scribe(fd);
    caf::anon_send(basp, caf::publish_atom::value, std::move(scribe), port, whom, sigs);
  });
}

caf::io::scribe_ptr scribe_for(caf::actor_system& sys, int fd) {
  return sys.middleman().backend().new_scribe(fd);
}

}  // namespace runner
