#pragma once
// The task cache from a task actor's side (SPEC.md §7, docs/cache.md). The
// actor renders its key, asks the process's cache_worker and takes the answer
// as a message. What the cache could not do is logged from the callbacks, on
// the worker's thread, so no actor thread waits on a log sink for it.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "drivers/cache/cache_store.hpp"
#include "drivers/masker.hpp"
#include "schema/model.hpp"

namespace runner {

// `cache.key` with its templates resolved from the task's imports, and the
// same masked with the task's confidential values (cache_key.hpp says how a
// key that holds one is filed).
cache::cache_key render_cache_key(const cache_decl& decl,
                                  const std::map<std::string, std::string>& imports,
                                  const masker& secrets);

// Until when an entry made at `from` is valid: `ttl` later; never without a
// ttl, and never for a ttl beyond the clock's range (rather than overflow).
std::optional<cache::time_point> expiry_of(const std::optional<duration>& ttl,
                                           cache::time_point from);

// What a successful run leaves in the cache: its exports, since nothing else
// leaves a task, the confidential ones to be sealed. The ttl counts from when
// the run started, so a result is never taken for fresher than it is.
cache::cache_entry entry_of_run(const task_decl& task, const std::string& group_id,
                                const std::vector<variable>& exports,
                                cache::time_point run_started);

// The callback for cache_worker::lookup. On the worker's thread: a hit that
// lacks one of the task's exports (another task's entry under the same key,
// or one made before the document declared that export) becomes a miss; the
// outcome is logged; then it goes to `target` as (cache_atom, lookup_result).
// So does a hit whose exports break this run's output limits (a run with
// smaller limits than the one that stored them).
// The task's own `ttl` counts too: an entry older than it is a miss, whatever
// ttl stored it (a longer one, or none).
std::function<void(cache::lookup_result)> answer_to(task_actor target, const task_decl& task,
                                                    const output_limits& limits,
                                                    cache::time_point now);

// The callback for cache_worker::store: logs a failure (each problem once).
std::function<void(cache::status_result)> log_store_failure(const std::string& task);

}  // namespace runner
