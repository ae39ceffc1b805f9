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
  std::shared_ptr<const trust_store> trust;     // null with `tls: off`
  peer_directory directory;
  std::chrono::milliseconds connect_timeout{10000};
};

// Receives a call's progress, on the endpoint actor's thread.
struct progress_sink {
  std::function<void(const std::string& task, int attempt)> started;
  std::function<void(log_line&)> log;
  std::function<void(task_report&)> report;
};

// A call's actor. Its address crosses the wire (it sends the request), so
// any peer could message it: a cancel counts only with the key that only
// the call's owner holds.
using call_actor = caf::typed_actor<caf::reacts_to<cancel_atom, uint64_t>>;

struct call_handle {
  call_actor actor;
  uint64_t key = 0;
  // The remote node is asked to cancel; the outcome still comes.
  void cancel() const { caf::anon_send(actor, cancel_atom::value, key); }
};

// `target`: peer name, node name or host:port. The callback runs exactly once,
// in the call actor, after every progress message has reached the sink.
call_handle spawn_task_call(caf::actor_system& sys, std::shared_ptr<const call_env> env,
                           std::string target, task_request req, progress_sink sink,
                           std::function<void(task_outcome)> done);

call_handle spawn_group_call(caf::actor_system& sys, std::shared_ptr<const call_env> env,
                            std::string target, group_request req, progress_sink sink,
                            std::function<void(group_outcome)> done);

// A node name, as opposed to host:port.
bool is_node_name(const std::string& target);

// A fresh random challenge for `hello`.
std::string hello_challenge();

// "" when `hello` is signed, over our challenge, by a certificate of the mesh
// CA whose CN is the name the hello claims, and — when `dialled` is a peer
// name rather than host:port — that name is the one we dialled; otherwise why not.
std::string check_hello(const call_env& env, const hello_reply& hello,
                        const std::string& challenge, const std::string& dialled);

}  // namespace runner
