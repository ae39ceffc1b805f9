#include "net/mesh_setup.hpp"

#include "net/basp_handoff.hpp"
#include "net/transport.hpp"

#include "net/forward_driver.hpp"

namespace runner {

namespace {

bool load_tls(mesh_setup& m, std::string& error) {
  auto loaded = load_tls_identity(m.config.tls.cert, m.config.tls.key, m.config.tls.ca);
  if (!loaded.identity) {
    error = loaded.error + "\n";
    return false;
  }
  auto [trust, trust_error] = trust_store::load(m.config.tls.ca);
  if (!trust) {
    error = trust_error + "\n";
    return false;
  }
  m.identity = loaded.identity;
  m.trust = trust;
  return true;
}

}  // namespace

std::optional<mesh_setup> load_mesh_setup(const std::string& config_file, std::string& error) {
  auto loaded = load_node_config(config_file);
  if (!loaded.config) {
    error += format_diagnostics(loaded.problems);
    error += std::to_string(loaded.problems.size()) + " problem" +
             (loaded.problems.size() == 1 ? "" : "s") + " in the runner config\n";
    return std::nullopt;
  }
  mesh_setup m;
  m.config = std::move(*loaded.config);
  if (m.config.tls.off)
    return m;
  if (!load_tls(m, error))
    return std::nullopt;
  // Peers check the name a node claims against its certificate; a node whose
  // own certificate says otherwise would be refused everywhere.
  if (identity_name(*m.identity) != m.config.name) {
    error = config_file + ": `name: " + m.config.name + "` but the certificate " +
            m.config.tls.cert + " is for `" + identity_name(*m.identity) +
            "`: the name must be the certificate's CN (change `name`, or use that node's "
            "certificate)\n";
    return std::nullopt;
  }
  return m;
}

std::optional<mesh_setup> mesh_setup_from_files(const std::string& cert, const std::string& key,
                                                const std::string& ca, std::string& error) {
  mesh_setup m;
  m.config.tls.cert = cert;
  m.config.tls.key = key;
  m.config.tls.ca = ca;
  if (!load_tls(m, error))
    return std::nullopt;
  m.config.name = identity_name(*m.identity);
  return m;
}

mesh_runtime start_mesh_runtime(caf::actor_system& sys, const mesh_setup& m) {
  mesh_runtime rt;
  gate_tls_files files{m.config.tls.cert, m.config.tls.key, m.config.tls.ca};
  rt.gate = std::make_shared<gate>(m.config.tls.off ? nullptr : &files, gate_limits_of(m.config));
  rt.basp = basp_broker_of(sys);
  rt.directory = spawn_peer_directory(sys, m.config, *rt.gate, rt.basp);
  auto env = std::make_shared<call_env>();
  env->self_name = m.config.name;
  env->identity = m.identity;
  env->trust = m.trust;
  env->directory = rt.directory;
  env->connect_timeout = m.config.connect_timeout;
  rt.calls = env;
  rt.forwarder = make_forward_driver(sys, env);
  return rt;
}

}  // namespace runner
