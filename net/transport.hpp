#pragma once
// How a runner process joins the network: CAF's middleman, over OpenSSL unless
// the node config says `tls: off` (loopback only). Every setting that makes
// the transport safe or fast lives here, with the reason beside it.
#include <chrono>
#include <string>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "config/node_config.hpp"

namespace runner {

struct transport_tuning {
  // A frozen peer is noticed only through missing heartbeats; a killed one
  // at once (the socket closes). Intervals under ~0.5 s broke TLS handshakes
  // in measurements on CAF 0.17.6, so 1 s / 5 s: a frozen peer fails its
  // tasks within connection_timeout + heartbeat_interval (6 s).
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds connection_timeout{5000};
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

// Loads the middleman (and the OpenSSL module unless tls is off) into `cfg`
// and sets the transport options. Call before constructing the actor system.
void configure_transport(caf::actor_system_config& cfg, const node_config& node,
                         const transport_tuning& tuning = {});

// The middleman actor that connects and publishes with the right transport.
caf::io::middleman_actor transport_actor(caf::actor_system& sys, const node_config& node);

// Publishes `whom` on the node's listen address; returns the bound port or
// an error text naming the address.
struct publish_result {
  uint16_t port = 0;
  std::string error;
};
publish_result publish_node(caf::actor_system& sys, const node_config& node,
                            const caf::strong_actor_ptr& whom, std::set<std::string> sigs);

// Ends a process that joined the network, once its work is done: flushes
// what it printed and exits without tearing the actor system down. That
// teardown is unsafe with the network loaded: the middleman joins a network
// thread that a TLS handshake with a frozen peer can hold forever, and CAF
// destroys actors still alive in its registry (any actor whose handle
// crossed the wire and that a peer keeps busy) after the scheduler is gone,
// which crashes. Task processes must have been ended before.
[[noreturn]] void leave_process(int code);

}  // namespace runner
