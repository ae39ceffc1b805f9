#pragma once
// What a process needs before it can talk to other runners: its node config,
// and — unless `tls: off` — its certificate and key, checked against the CA
// and against the node's name, so a misconfigured node fails at startup with
// a message instead of at its first connection.
#include <memory>
#include <optional>
#include <string>

#include "config/node_config.hpp"
#include "drivers/driver.hpp"
#include "net/gate.hpp"
#include "net/identity.hpp"
#include "net/remote_call.hpp"

namespace runner {

struct mesh_setup {
  node_config config;
  std::shared_ptr<const tls_identity> identity;  // null with `tls: off`
  std::shared_ptr<const trust_store> trust;      // null with `tls: off`
};

// `error` gets every problem, printable as is.
std::optional<mesh_setup> load_mesh_setup(const std::string& config_file, std::string& error);

// The same from TLS files given on a command line (runnerctl without a config).
std::optional<mesh_setup> mesh_setup_from_files(const std::string& cert, const std::string& key,
                                                const std::string& ca, std::string& error);

// The pieces that send work elsewhere, started in an actor system whose
// config went through configure_transport().
struct mesh_runtime {
  std::shared_ptr<runner::gate> gate;  // every connection of this process passes it
  caf::actor basp;             // CAF's BASP broker, which speaks over the gate's sockets
  peer_directory directory;
  std::shared_ptr<const call_env> calls;
  std::shared_ptr<driver> forwarder;  // the driver behind `forward.to`
};

// Call on the thread that built `sys`. Throws std::runtime_error if the
// gate cannot start (its TLS files were checked by load_mesh_setup).
mesh_runtime start_mesh_runtime(caf::actor_system& sys, const mesh_setup& m);

}  // namespace runner
