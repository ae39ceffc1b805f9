#include "actors/task_cache.hpp"

#include <spdlog/spdlog.h>

#include <mutex>
#include <set>

#include "schema/duration.hpp"
#include "schema/template.hpp"

namespace runner {

namespace {

// A damaged database or key file fails every lookup of a run alike: one
// warning says it, not one per task.
bool first_time(const std::string& problem) {
  static std::mutex mu;
  static std::set<std::string> seen;
  std::lock_guard<std::mutex> lock(mu);
  return seen.insert(problem).second;
}

std::string age_of(cache::time_point created) {
  auto age = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now() - created);
  return format_duration(std::chrono::duration_cast<std::chrono::seconds>(age));
}

void log_lookup(const std::string& task, const cache::lookup_result& r) {
  const std::string& key = r.entry.key;  // as filed: a confidential part is masked
  switch (r.status) {
    case cache::lookup_status::hit:
      spdlog::info(
          "task {}: result from the cache (key `{}`, stored {} ago by task {} of group {})", task,
          key, age_of(r.entry.created_at), r.entry.task, r.entry.group_id);
      break;
    case cache::lookup_status::miss:
      if (r.reason.empty())
        spdlog::debug("task {}: nothing in the cache under `{}`; it runs", task, key);
      else if (r.reason == "expired")
        spdlog::info("task {}: the cache entry `{}` has expired; it runs", task, key);
      else
        spdlog::warn("task {}: the cache entry `{}` is not used: {}", task, key, r.reason);
      break;
    case cache::lookup_status::error:
      if (first_time(r.reason))
        spdlog::warn("task {}: the task cache cannot be used, so it runs (as will later tasks "
                     "that meet the same problem, without another warning): {}",
                     task, r.reason);
      break;
  }
}

}  // namespace

cache::cache_key render_cache_key(const cache_decl& decl,
                                  const std::map<std::string, std::string>& imports,
                                  const masker& secrets) {
  cache::cache_key k;
  auto lookup = [&](const std::string& task, const std::string& var) {
    auto i = imports.find(task + "." + var);
    return i == imports.end() ? std::string{} : i->second;
  };
  k.rendered =
      decl.key.find("{{") == std::string::npos ? decl.key : render_templates(decl.key, lookup);
  k.masked = secrets.empty() ? k.rendered : secrets.mask(k.rendered);
  return k;
}

std::optional<cache::time_point> expiry_of(const std::optional<duration>& ttl,
                                           cache::time_point from) {
  if (!ttl)
    return std::nullopt;
  auto room = std::chrono::duration_cast<duration>(cache::time_point::max() - from);
  if (*ttl >= room)
    return std::nullopt;
  return from + std::chrono::duration_cast<cache::time_point::duration>(*ttl);
}

cache::cache_entry entry_of_run(const task_decl& task, const std::string& group_id,
                                const std::vector<variable>& exports,
                                cache::time_point run_started) {
  cache::cache_entry e;
  e.task = task.name;
  e.group_id = group_id;
  for (const variable& v : exports) {
    e.outputs[v.name] = v.value;
    if (v.confidential)
      e.confidential.insert(v.name);
  }
  e.created_at = run_started;
  e.expires_at = expiry_of(task.cache ? task.cache->ttl : std::nullopt, run_started);
  return e;
}

std::function<void(cache::lookup_result)> answer_to(task_actor target, const task_decl& task,
                                                    const output_limits& limits,
                                                    cache::time_point now) {
  std::vector<std::string> exports;
  for (const export_decl& e : task.exports)
    exports.push_back(e.name);
  std::optional<duration> ttl = task.cache ? task.cache->ttl : std::nullopt;
  return [target = std::move(target), name = task.name, exports = std::move(exports), limits,
          ttl, now](cache::lookup_result r) {
    if (r.status == cache::lookup_status::hit) {
      // A clock set back must not make an entry young again.
      if (r.entry.created_at > now + std::chrono::minutes(1)) {
        r.status = cache::lookup_status::miss;
        r.reason = "it was stored in the future (was the clock set back?); the task runs";
      } else if (ttl && std::chrono::duration_cast<duration>(now - r.entry.created_at) >= *ttl) {
        r.status = cache::lookup_status::miss;
        r.reason = "expired";
      }
    }
    if (r.status == cache::lookup_status::hit) {
      size_t total = 0;
      for (const std::string& e : exports) {
        auto o = r.entry.outputs.find(e);
        if (o == r.entry.outputs.end()) {
          r.status = cache::lookup_status::miss;
          r.reason = "it holds no `" + e + "` (stored by task " + r.entry.task + " of group " +
                     r.entry.group_id + " under the same key); the task runs and replaces it";
          break;
        }
        total += o->second.size();
        if (o->second.size() > limits.value_bytes || total > limits.total_bytes) {
          r.status = cache::lookup_status::miss;
          r.reason = "its outputs are larger than this run's limits (--max-output-value, "
                     "--max-outputs); the task runs";
          break;
        }
      }
      if (r.status == cache::lookup_status::miss)
        r.entry.outputs.clear();
    }
    log_lookup(name, r);
    caf::anon_send(target, cache_atom::value, std::move(r));
  };
}

std::function<void(cache::status_result)> log_store_failure(const std::string& task) {
  return [task](cache::status_result r) {
    if (!r.ok && first_time(r.error))
      spdlog::warn("task {}: its result could not be kept in the task cache: {}", task, r.error);
  };
}

}  // namespace runner
