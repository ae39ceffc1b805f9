#pragma once
// Where a runner process keeps its task cache, and the cache of one run.
#include <memory>
#include <string>

#include "config/node_config.hpp"
#include "drivers/cache/cache_worker.hpp"
#include "schema/model.hpp"

namespace runner {

// The state directory: the node config's `state_dir` (which defaults to
// default_state_dir() when the file has none), else default_state_dir().
std::string state_dir_of(const node_config* config);

// The task cache for a group run here: null when no task of `group` has
// `cache`, so such a run starts no thread and makes no database. The store
// itself opens on the first lookup. Must outlive the group's actors; its
// destructor finishes the stores still queued.
std::unique_ptr<cache::cache_worker> task_cache_for(const task_group& group,
                                                    const std::string& state_dir);

}  // namespace runner
