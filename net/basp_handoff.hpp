#pragma once
// Where the gate (gate.hpp) meets CAF: the CAF end of a connection's
// socketpair becomes a scribe of CAF's BASP broker, which then speaks BASP
// over it exactly as over a TCP socket of its own. The broker's handlers
// used here are CAF 0.17.6's (libcaf_io/src/io/basp_broker.cpp):
// `publish_atom, scribe_ptr, port, whom, sigs` serves an accepted connection
// as one to the actor published at `port`; `connect_atom, scribe_ptr, port`
// makes a client handshake and answers (node_id, strong_actor_ptr, sigs).
#include <cstdint>
#include <set>
#include <string>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

namespace runner {

// Call on the thread that built the actor system, before any connection.
caf::actor basp_broker_of(caf::actor_system& sys);

// Any thread: `fd` (socketpair end, owned from now on by CAF) becomes a
// connection to `whom`, announced as published at `port`.
void serve_with_basp(caf::actor_system& sys, const caf::actor& basp, int fd, uint16_t port,
                     const caf::strong_actor_ptr& whom, const std::set<std::string>& sigs);

// On an actor's thread: `fd` as a scribe to send in `connect_atom`.
caf::io::scribe_ptr scribe_for(caf::actor_system& sys, int fd);

}  // namespace runner
