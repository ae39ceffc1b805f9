// `runner serve --config FILE`: a mesh node. It publishes its dispatcher on
// the configured address and runs what its peers forward to it until SIGINT
// or SIGTERM.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <future>
#include <thread>

#include "actors/slot_pool.hpp"
#include "actors/type_learner.hpp"
#include "net/mesh_setup.hpp"
#include "net/node_actor.hpp"
#include "net/transport.hpp"
#include "schema/duration.hpp"
#include "tools/runner/cache_setup.hpp"
#include "tools/runner/commands.hpp"
#include "tools/runner/drivers_setup.hpp"
#include "tools/runner/logging.hpp"
#include "drivers/incarnation.hpp"
#include "drivers/process_tree.hpp"

namespace runner {

int serve_command(const serve_options& opts) {
  std::string error;
  auto mesh = load_mesh_setup(opts.config, error);
  if (!mesh) {
    std::fputs(error.c_str(), stderr);
    return exit_invalid_input;
  }
  const node_config& config = mesh->config;
  if (!config.has_listen) {
    std::fprintf(stderr, "%s: `runner serve` needs `listen: host:port` in the config\n",
                 opts.config.c_str());
    return exit_invalid_input;
  }
  if (!opts.log_level_given) {
    if (auto err = setup_logging(config.log_format, config.log_level); !err.empty()) {
      std::fprintf(stderr, "runner: %s\n", err.c_str());
      return exit_invalid_input;
    }
  }
  auto grace = parse_duration(opts.grace);
  if (!grace) {
    std::fprintf(stderr, "runner: --grace `%s` is not a duration (use e.g. 500ms, 10s, 1m)\n",
                 opts.grace.c_str());
    return exit_invalid_input;
  }
  if (!become_subreaper())
    spdlog::warn("cannot become a child subreaper; orphaned task processes may escape");

  reactor react;
  // Before any task starts: what a previous serve left behind (its spawner
  // killed with it) goes, and this one's processes carry a mark of their own.
  auto inc = begin_incarnation(state_dir_of(&config), config.name);
  if (inc.ended_from_before)
    spdlog::warn("ended {} process(es) left running by the previous serve of {}",
                 inc.ended_from_before, state_dir_of(&config));
  if (!inc.error.empty())
    spdlog::warn("{}", inc.error);
  react.mark_processes(inc.mark);
  auto drivers = builtin_drivers(react, *grace, &config);
  auto externals = external_drivers_of(react, *drivers, *grace, &config);

  caf::actor_system_config cfg;
  add_wire_types(cfg);
  configure_transport(cfg);
  tune_scheduler(cfg);
  caf::actor_system sys{cfg};

  auto rt = start_mesh_runtime(sys, *mesh);
  auto env = std::make_shared<node_env>();
  env->config = config;
  env->identity = mesh->identity;
  env->trust = mesh->trust;
  env->drivers = drivers.get();
  // One cache for the node's life; its store opens on the first lookup, so a
  // node whose groups never cache makes no database.
  auto task_cache = std::make_unique<cache::cache_worker>(state_dir_of(&config));
  env->cache = task_cache.get();
  if (!config.drivers.empty())
    env->type_learner = spawn_type_learner(sys, *externals);
  env->forwarder = rt.forwarder.get();
  env->calls = rt.calls;
  env->limits = opts.limits;
  env->mask_patterns = mask_patterns_of(&config);
  env->max_parallel =
      config.max_parallel ? config.max_parallel : std::max(1u, std::thread::hardware_concurrency());
  env->slots = spawn_slot_pool(sys, env->max_parallel);
  auto node = spawn_node(sys, env);

  auto published = publish_node(sys, *rt.gate, rt.basp, config, caf::actor_cast<caf::strong_actor_ptr>(node),
                                sys.message_types(node));
  if (!published.error.empty()) {
    std::fprintf(stderr, "runner: %s\n", published.error.c_str());
    caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(rt.directory, caf::exit_reason::user_shutdown);
    return exit_infrastructure;
  }
  bool v6 = config.listen_host.find(':') != std::string::npos;
  std::string where = (v6 ? "[" + config.listen_host + "]" : config.listen_host) + ":" +
                      std::to_string(published.port);
  // Tests and scripts wait for this line to learn the port (listen: ...:0).
  std::printf("runner node %s listening on %s (%s)\n", config.name.c_str(), where.c_str(),
              config.tls.off ? "plain TCP, loopback only" : "mutual TLS");
  std::fflush(stdout);
  spdlog::info("node {} listening on {}", config.name, where);

  std::promise<int> stop;
  auto stopped = stop.get_future();
  bool once = false;
  react.on_signal([&](int signo, int count) {
    if (once)
      return;
    once = true;
    spdlog::warn("{}: shutting down", strsignal(signo));
    stop.set_value(signo);
  });
  stopped.wait();

  // Ends every task process (SIGTERM, then SIGKILL after the grace period);
  // their submitters are told the node shut down, or see the connection drop.
  *env->shutting_down = true;
  externals->shutdown(*grace);
  size_t ended = react.shutdown(*grace);
  if (ended)
    spdlog::info("ended {} task process(es)", ended);
  // The process leaves without destructors: results of tasks that finished
  // are written before it goes.
  task_cache->drain();
  leave_process(exit_success);
}

}  // namespace runner
