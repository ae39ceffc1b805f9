#include "tools/runner/drivers_setup.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "actors/type_learner.hpp"
#include "drivers/expression_evaluation.hpp"
#include "drivers/github_action/github_action_driver.hpp"
#include "drivers/os_exec.hpp"
#include "drivers/vault_driver.hpp"

namespace runner {

namespace {

vault_node_access vault_access_of(const node_config* config) {
  vault_node_access a;
  if (!config)
    return a;
  const auto& v = config->vault;
  a.url = v.url;
  a.namespace_ = v.namespace_;
  a.ca_cert = v.ca_cert;
  a.token_file = v.token_file;
  a.role_id = v.role_id;
  a.secret_id_file = v.secret_id_file;
  a.role = v.role;
  a.jwt_file = v.jwt_file;
  a.auth_mount = v.auth_mount;
  return a;
}

}  // namespace

std::unique_ptr<driver_registry> builtin_drivers(reactor& r, std::chrono::milliseconds grace,
                                                 const node_config* config) {
  auto reg = std::make_unique<driver_registry>();
  reg->add(std::make_shared<os_exec_driver>(r, grace));
  reg->add(std::make_shared<expression_evaluation_driver>());
  std::string state = config && !config->state_dir.empty() ? config->state_dir : default_state_dir();
  reg->add(std::make_shared<vault_driver>(r, vault_access_of(config), state + "/fetchers", grace));
  gh::github_action_options actions;
  actions.state_dir = state;
  if (config) {
    actions.base_url = config->actions.base_url;
    actions.node = config->actions.node;
    actions.node_name = config->name;
  } else {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    actions.node_name = host;
  }
  reg->add(std::make_shared<gh::github_action_driver>(r, grace, std::move(actions)));
  return reg;
}

checked_group validate_learning_types(const std::string& path, const driver_registry& registry,
                                      ext::external_drivers& externals, reactor& react) {
  type_probe types(registry);
  auto checked = load_and_validate(path, types);
  if (checked.group || !types.missed() || externals.learned())
    return checked;
  // The wait (up to the handshake timeout) must not make SIGINT wait with
  // it: a signal now ends the runner, which has run nothing yet. Afterwards
  // signals queue again for the run's own handler.
  react.on_signal([&react](int signo, int) {
    spdlog::warn("{} while external drivers were starting: nothing was run", strsignal(signo));
    react.kill_all();
    spdlog::default_logger()->flush();
    std::fflush(nullptr);
    std::_Exit(130);
  });
  externals.learn_and_wait();
  react.on_signal(nullptr);
  return load_and_validate(path, registry);
}

std::unique_ptr<ext::external_drivers> external_drivers_of(reactor& r, driver_registry& registry,
                                                           std::chrono::milliseconds grace,
                                                           const node_config* config) {
  ext::driver_settings settings;
  settings.grace = grace;
  std::vector<driver_config> drivers;
  if (config) {
    settings.runner_name = config->name;
    drivers = config->drivers;
  }
  return std::make_unique<ext::external_drivers>(r, registry, drivers, settings);
}

std::shared_ptr<const mask_rules> mask_patterns_of(const node_config* config) {
  if (!config || config->masking_patterns.empty())
    return nullptr;
  std::string error;
  auto rules = mask_rules::compile(config->masking_patterns, error);
  if (!rules)  // the config's reader refuses what compile refuses
    throw std::runtime_error(config->file + ": masking.patterns: " + error);
  return rules;
}

}  // namespace runner
