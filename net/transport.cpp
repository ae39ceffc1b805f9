#include "net/transport.hpp"

#include "actors/engine_scheduler.hpp"

#include "net/basp_handoff.hpp"

#include <openssl/crypto.h>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <cstdlib>
#include <thread>

namespace runner {

namespace {

bool caf_defaults() {
  const char* v = std::getenv("RUNNER_CAF_DEFAULTS");
  return v && std::string(v) == "1";
}

}  // namespace

void keep_openssl_until_exit() {
  OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
}

void tune_scheduler(caf::actor_system_config& cfg) {
  if (caf_defaults())
    return;
  // Workers that sleep on a condition variable wake at once when a message
  // arrives; the work-stealing default polls with sleeps, which costs both
  // CPU and latency for a load of few, small messages (a remote request went
  // from ~550-790 us to ~250-450 us in measurements). One worker per core:
  // task processes need the cores more than idle workers do. The engine's
  // scheduler is such work sharing, without a thread wake-up per message
  // between actors (actors/engine_scheduler.hpp).
  use_engine_scheduler(cfg);
  cfg.set("scheduler.max-threads", std::max(2u, std::thread::hardware_concurrency()));
}

void configure_transport(caf::actor_system_config& cfg, const transport_tuning& tuning) {
  cfg.load<caf::io::middleman>();
  // Automatic connections would open extra listening ports that bypass the
  // gate (and TLS).
  cfg.set("middleman.enable-automatic-connections", false);
  // The multiplexer runs on the middleman's own thread; extra BASP workers
  // add a thread hop per message and cost latency for small messages.
  if (!caf_defaults())
    cfg.set("middleman.workers", size_t{0});
  cfg.set("middleman.heartbeat-interval", caf::timespan{tuning.heartbeat_interval});
  // Off: the gate times out silent connections instead (transport.hpp).
  cfg.set("middleman.connection-timeout", caf::timespan{0});
}

gate_limits gate_limits_of(const node_config& node, const transport_tuning& tuning) {
  gate_limits g;
  g.max_message = node.transport.max_message;
  g.max_unproven = node.transport.max_unproven;
  g.max_connections = node.transport.max_connections;
  g.max_per_address = node.transport.max_connections_per_address;
  g.handshake_timeout = node.transport.handshake_timeout;
  g.idle_timeout = tuning.idle_timeout;
  return g;
}

publish_result publish_node(caf::actor_system& sys, gate& g, const caf::actor& basp,
                            const node_config& node, const caf::strong_actor_ptr& whom,
                            std::set<std::string> sigs) {
  auto r = g.listen(node.listen_host, node.listen_port,
                    [&sys, basp, whom, sigs = std::move(sigs)](int fd, uint16_t port) {
                      serve_with_basp(sys, basp, fd, port, whom, sigs);
                    });
  return publish_result{r.port, r.error};
}

void leave_process(int code) {
  spdlog::default_logger()->flush();
  std::cout.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace runner
