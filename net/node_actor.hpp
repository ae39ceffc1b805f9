#pragma once
// A node's dispatcher, the one actor `runner serve` publishes. For every
// request it first checks who asks (the credential's proof, see wire.hpp),
// then whether this node runs that task type for them (`accept` rules), and
// then runs the work here — a supervisor per group, as for a local run — or
// relays it towards its destination. It watches each submitter's endpoint:
// a submitter that disappears cancels its work. It answers runnerctl.
#include <atomic>
#include <memory>

#include "actors/run_context.hpp"
#include "config/node_config.hpp"
#include "drivers/registry.hpp"
#include "net/identity.hpp"
#include "net/remote_call.hpp"
#include "net/wire.hpp"

namespace runner {

struct node_env {
  node_config config;
  std::shared_ptr<const tls_identity> identity;  // null with `tls: off`
  std::shared_ptr<const trust_store> trust;      // null with `tls: off`
  const driver_registry* drivers = nullptr;
  // Answers once the external drivers said which types they serve
  // (actors/type_learner.hpp); null when the config has no `drivers`.
  caf::actor type_learner;
  driver* forwarder = nullptr;                   // for tasks forwarded on from here
  // The node's task cache (its state_dir), shared by every group run here.
  cache::cache_worker* cache = nullptr;
  std::shared_ptr<const call_env> calls;
  output_limits limits;
  std::shared_ptr<const mask_rules> mask_patterns;  // `masking.patterns`; null: none
  size_t max_parallel = 1;
  slot_pool_actor slots;  // max_parallel's slots, shared by every group here
  // Set by `runner serve` on SIGTERM before it ends the task processes, so a
  // submitter learns its task failed because the node went, not the task.
  std::shared_ptr<std::atomic<bool>> shutting_down = std::make_shared<std::atomic<bool>>(false);
};

node_actor spawn_node(caf::actor_system& sys, std::shared_ptr<const node_env> env);

// Whether `accept` lets `who` run `type` here; the refusal text otherwise.
std::string refusal(const node_config& config, const std::string& who, const std::string& type);

}  // namespace runner
