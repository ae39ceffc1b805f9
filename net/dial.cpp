#include "net/dial.hpp"

#include <unistd.h>

#include "net/basp_handoff.hpp"
#include "net/gate.hpp"

namespace runner {

namespace {

using gated_atom = caf::atom_constant<caf::atom("gated")>;

// CAF's handshake errors, in words that say what to check.
std::string explain(caf::actor_system& sys, const caf::error& e, std::chrono::milliseconds limit) {
  if (e == caf::sec::request_timeout)
    return "no BASP handshake within connect_timeout (" + std::to_string(limit.count()) + " ms)";
  if (e == caf::sec::disconnect_during_handshake)
    return "the connection closed during the handshake (a certificate the other side does not "
           "trust, or not a runner)";
  return sys.render(e);
}

}  // namespace

void dial(caf::actor_system& sys, gate& g, const caf::actor& basp, const std::string& host,
          uint16_t port, std::chrono::milliseconds deadline,
          std::function<void(dial_result)> done) {
  auto start = std::chrono::steady_clock::now();
  auto dialer = sys.spawn([=, &sys](caf::event_based_actor* self) -> caf::behavior {
    return {[=, &sys](gated_atom, int fd, const std::string& error) {
      if (fd < 0) {
        done(dial_result{nullptr, error});
        self->quit();
        return;
      }
      auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
      auto left = std::max(deadline - spent, std::chrono::milliseconds(1));
      self->request(basp, left, caf::connect_atom::value, scribe_for(sys, fd), port)
          .then(
              [=](caf::node_id&, caf::strong_actor_ptr& ptr, std::set<std::string>&) {
                done(dial_result{ptr, ptr ? "" : "the runner there publishes no dispatcher"});
                self->quit();
              },
              [=, &sys](caf::error& e) {
                done(dial_result{nullptr, explain(sys, e, deadline)});
                self->quit();
              });
    }};
  });
  // The gate calls back on its own thread: a message carries the answer to
  // the dialer. A dialer that is gone (the process is ending) leaves the fd
  // to the exit.
  g.connect(host, port, deadline, [dialer](int fd, std::string error) {
    caf::anon_send(dialer, gated_atom::value, fd, std::move(error));
  });
}

}  // namespace runner
