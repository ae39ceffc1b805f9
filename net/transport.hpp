#pragma once
// How a runner process joins the network: CAF's middleman speaks BASP over
// sockets the gate (gate.hpp) owns, with TLS unless the node config says
// `tls: off` (loopback only). Every setting that makes the transport safe or
// fast lives here, with the reason beside it.
#include <chrono>
#include <string>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "config/node_config.hpp"
#include "net/gate.hpp"

namespace runner {

struct transport_tuning {
  // A frozen peer is noticed only through missing heartbeats; a killed one
  // at once (the socket closes). CAF sends a heartbeat each interval; the
  // gate closes a connection that brought no byte for idle_timeout, so a
  // frozen peer fails its tasks within about 5 s. (CAF's own connection
  // timeout stays off: it counts a connection's first second from the epoch
  // and closed dials whose handshake crossed a heartbeat tick.)
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds idle_timeout{5000};
};

// Call first thing in main(). OpenSSL frees its global state from an atexit
// handler, which can run while another thread (CAF's network thread, a TLS
// probe) still tears down its own OpenSSL state: a double free at exit. The
// process is ending anyway; the kernel reclaims the memory.
void keep_openssl_until_exit();

// The scheduler settings every runner process uses (see transport.cpp for
// the measurements behind them). RUNNER_CAF_DEFAULTS=1 in the environment
// keeps CAF's own defaults instead, so bench/ can measure the difference.
void tune_scheduler(caf::actor_system_config& cfg);

// Loads the middleman into `cfg` and sets the transport options. Call
// before constructing the actor system.
void configure_transport(caf::actor_system_config& cfg, const transport_tuning& tuning = {});

// The gate's bounds from the node config's `transport` section.
gate_limits gate_limits_of(const node_config& node, const transport_tuning& tuning = {});

// Publishes `whom` on the node's listen address through the gate; returns the
// bound port or an error text naming the address.
struct publish_result {
  uint16_t port = 0;
  std::string error;
};
publish_result publish_node(caf::actor_system& sys, gate& g, const caf::actor& basp,
                            const node_config& node, const caf::strong_actor_ptr& whom,
                            std::set<std::string> sigs);

// Ends a process that joined the network, once its work is done: flushes
// what it printed and exits without tearing the actor system down. That
// teardown is unsafe with the network loaded: the middleman joins a network
// thread that a TLS handshake with a frozen peer can hold forever, and CAF
// destroys actors still alive in its registry (any actor whose handle
// crossed the wire and that a peer keeps busy) after the scheduler is gone,
// which crashes. Task processes must have been ended before.
[[noreturn]] void leave_process(int code);

}  // namespace runner
