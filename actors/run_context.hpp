#pragma once
// What every actor of one group run shares, read-only.
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "actors/messages.hpp"
#include "drivers/limits.hpp"
#include "drivers/registry.hpp"
#include "schema/model.hpp"
#include "schema/uuid.hpp"

namespace runner {

namespace cache {
class cache_worker;
}

struct run_context {
  std::shared_ptr<const task_group> group;
  const driver_registry* drivers = nullptr;
  output_limits limits;
  std::string node_name;  // reported as each task's `runner`
  size_t max_parallel = 1;          // without `slots`: per group
  slot_pool_actor slots;            // set: the node's slots bound all its groups
  observer_actor observer;
  // Runs tasks with `forward.to` on another node; null without a mesh config.
  driver* forwarder = nullptr;
  // Confidential values the group arrived with (a task forwarded here brings
  // the secrets it imported); every task masks them.
  std::vector<std::string> secrets;
  // The node's `masking.patterns` (null: none); every task's masker applies them.
  std::shared_ptr<const mask_rules> mask_patterns;
  // Imported values the group arrived with ("task.variable" -> value): a task
  // forwarded here brings those of the tasks it waited for elsewhere.
  std::map<std::string, std::string> given_imports;
  // ... and how those tasks ended (task -> status), for `task.status`.
  std::map<std::string, std::string> given_statuses;
  // The task cache (SPEC.md §7): one per process, shared by its groups; null
  // means tasks with `cache` simply run. Outlives every actor that uses it.
  cache::cache_worker* cache = nullptr;
};

int64_t now_ms();         // unix epoch ms

}  // namespace runner
