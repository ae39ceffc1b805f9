#pragma once
// The connections of one runner process to other nodes. Asked for a target —
// a peer name from the config or a host:port — it answers with a handle to
// that node's dispatcher, connecting first if needed. Connecting goes through
// the gate with the config's connect_timeout as deadline, so a peer that
// never answers (or is frozen) fails the request instead of hanging it.
// A connection that drops is forgotten; the next request connects again.
#include <string>
#include <vector>

#include "config/node_config.hpp"
#include "net/wire.hpp"

namespace runner {

using link_atom = caf::atom_constant<caf::atom("link")>;
using peers_atom = caf::atom_constant<caf::atom("peers")>;
using dialled_atom = caf::atom_constant<caf::atom("dialled")>;  // internal: a dial's outcome

struct link_reply {
  node_actor node;     // set on success
  std::string address; // host:port it connected to
  std::string error;   // why there is no link
};

using peer_directory = caf::typed_actor<
    caf::replies_to<link_atom, std::string>::with<link_reply>,
    caf::replies_to<peers_atom>::with<std::vector<peer_view>>,
    caf::reacts_to<dialled_atom, std::string, caf::strong_actor_ptr, std::string>>;

// Connections go through `g` (gate.hpp); `basp` is CAF's BASP broker
// (basp_handoff.hpp).
class gate;
peer_directory spawn_peer_directory(caf::actor_system& sys, const node_config& node, gate& g,
                                    caf::actor basp);

}  // namespace runner

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(runner::link_reply)
