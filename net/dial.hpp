#pragma once
// One connection attempt to another runner: the gate (gate.hpp) makes the
// TCP connection, the TLS handshake and reads the node's first BASP frame;
// then CAF's BASP broker takes the socket and completes its own handshake.
// The whole attempt has one deadline. An actor, so nothing waits on a
// scheduler thread: the gate reports back with a message.
#include <chrono>
#include <string>

#include <caf/all.hpp>

namespace runner {

class gate;

struct dial_result {
  caf::strong_actor_ptr node;  // the actor the runner there publishes; null on error
  std::string error;           // what went wrong, in words
};

// Calls `done` (on an actor thread) exactly once.
void dial(caf::actor_system& sys, gate& g, const caf::actor& basp, const std::string& host,
          uint16_t port, std::chrono::milliseconds deadline,
          std::function<void(dial_result)> done);

}  // namespace runner
