#pragma once
// The submitting side of one request to another node: find the node (a peer,
// a host:port, or — for a name that is no peer — whichever peer can reach it),
// prove who we are (hello -> nonce -> signature), send the request with a
// progress endpoint, and wait for the outcome while watching the connection.
// Used by a task forwarded from a local group, by `runner run --to`, and by a
// node relaying a request to its next hop.
#include <functional>
#include <memory>
#include <string>

#include "net/identity.hpp"
#include "net/peer_directory.hpp"
#include "net/wire.hpp"

namespace runner {

// What every call from this process needs to know.
struct call_env {
  std::string self_name;                        // this node's name
  std::shared_ptr<const tls_identity> identity; // null with `tls: off`
  peer_directory directory;
  std::chrono::milliseconds connect_timeout{10000};
};

// Receives a call's progress, on the endpoint actor's thread.
struct progress_sink {
  std::function<void(const std::string& task, int attempt)> started;
  std::function<void(log_line&)> log;
  std::function<void(task_report&)> report;
};

// Stops a call: the remote node is asked to cancel; the outcome still comes.
using call_actor = caf::typed_actor<caf::reacts_to<cancel_atom>>;

// `target`: peer name, node name or host:port. The callback runs exactly once,
// in the call actor, after every progress message has reached the sink.
call_actor spawn_task_call(caf::actor_system& sys, std::shared_ptr<const call_env> env,
                           std::string target, task_request req, progress_sink sink,
                           std::function<void(task_outcome)> done);

call_actor spawn_group_call(caf::actor_system& sys, std::shared_ptr<const call_env> env,
                            std::string target, group_request req, progress_sink sink,
                            std::function<void(group_outcome)> done);

// A node name, as opposed to host:port.
bool is_node_name(const std::string& target);

}  // namespace runner
