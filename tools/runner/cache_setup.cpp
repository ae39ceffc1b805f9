#include "tools/runner/cache_setup.hpp"

namespace runner {

std::string state_dir_of(const node_config* config) {
  return config && !config->state_dir.empty() ? config->state_dir : default_state_dir();
}

std::unique_ptr<cache::cache_worker> task_cache_for(const task_group& group,
                                                    const std::string& state_dir) {
  for (const task_decl& t : group.tasks)
    if (t.cache)
      return std::make_unique<cache::cache_worker>(state_dir);
  return nullptr;
}

}  // namespace runner
