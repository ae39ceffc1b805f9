#include "net/transport.hpp"

#include "actors/engine_scheduler.hpp"

#include <caf/openssl/all.hpp>
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

void configure_transport(caf::actor_system_config& cfg, const node_config& node,
                         const transport_tuning& tuning) {
  cfg.load<caf::io::middleman>();
  // Automatic connections would open extra listening ports and, with the
  // OpenSSL module, plain-text BASP connections that bypass TLS.
  cfg.set("middleman.enable-automatic-connections", false);
  // The multiplexer runs on the middleman's own thread; extra BASP workers
  // add a thread hop per message and cost latency for small messages.
  if (!caf_defaults())
    cfg.set("middleman.workers", size_t{0});
  cfg.set("middleman.heartbeat-interval", caf::timespan{tuning.heartbeat_interval});
  cfg.set("middleman.connection-timeout", caf::timespan{tuning.connection_timeout});
  if (node.tls.off)
    return;
  cfg.load<caf::openssl::manager>();
  // All three set: CAF then requires and verifies a peer certificate chain on
  // both sides. With none, it would silently fall back to anonymous ECDH,
  // which node config validation makes impossible (tls needs cert, key, ca).
  cfg.set("openssl.certificate", node.tls.cert);
  cfg.set("openssl.key", node.tls.key);
  cfg.set("openssl.cafile", node.tls.ca);
}

caf::io::middleman_actor transport_actor(caf::actor_system& sys, const node_config& node) {
  if (node.tls.off)
    return sys.middleman().actor_handle();
  return sys.openssl_manager().actor_handle();
}

publish_result publish_node(caf::actor_system& sys, const node_config& node,
                            const caf::strong_actor_ptr& whom, std::set<std::string> sigs) {
  publish_result out;
  auto mm = transport_actor(sys, node);
  caf::scoped_actor self{sys};
  std::string where = node.listen_host + ":" + std::to_string(node.listen_port);
  self->request(mm, std::chrono::seconds(30), caf::publish_atom::value, node.listen_port, whom,
                std::move(sigs), node.listen_host, true)
      .receive([&](uint16_t port) { out.port = port; },
               [&](caf::error& e) {
                 out.error = "cannot listen on " + where + ": " + sys.render(e);
               });
  return out;
}

void leave_process(int code) {
  spdlog::default_logger()->flush();
  std::cout.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace runner
