#pragma once
// The task cache off the actor threads: SQLite may wait for disk or for
// another runner's write lock (busy timeout), which no scheduler thread may
// do. One thread owns the store — opened on first use, so a runner whose
// tasks never cache makes no database, and after a failure to open tried
// again a minute later — and runs lookups and stores in the
// order they were asked for. Callbacks run on that thread and must only hand
// the result on (e.g. send an actor message).
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "drivers/cache/cache_store.hpp"

namespace runner::cache {

class cache_worker {
 public:
  // `reopen_after`: how long a store that would not open is left alone
  // before the next lookup or store tries again.
  explicit cache_worker(std::string state_dir,
                        std::chrono::milliseconds reopen_after = std::chrono::seconds(60));
  // Runs what is still queued (a store is a finished task's result, worth
  // keeping), then stops.
  ~cache_worker();
  cache_worker(const cache_worker&) = delete;
  cache_worker& operator=(const cache_worker&) = delete;

  // Thread-safe. `done` runs exactly once, on the worker's thread. When the
  // store cannot be opened, a lookup is an `error` saying why.
  void lookup(std::string key, time_point now, std::function<void(lookup_result)> done);
  // Thread-safe. `done` may be empty.
  void store(cache_entry entry, std::function<void(status_result)> done = {});

  // The same for a task's rendered key, filed as cache_store::file_key says:
  // a key that holds a secret needs the key file, so it is filed here, off
  // the caller's thread. A key that cannot be filed is an `error` (lookup) or
  // a failed store. lookup_result::entry.key is the filed key, also on a miss.
  void lookup(cache_key key, time_point now, std::function<void(lookup_result)> done);
  void store(cache_key key, cache_entry entry, std::function<void(status_result)> done = {});
  // Blocking (not for actors): returns once everything asked before it is
  // done, for a process about to leave without running destructors.
  void drain();

 private:
  void loop();
  void post(std::function<void()> job);
  cache_store* opened();  // worker thread only; null when it cannot be opened

  std::string state_dir_;
  std::unique_ptr<cache_store> store_;
  std::string open_error_;
  bool open_tried_ = false;
  std::chrono::steady_clock::time_point open_tried_at_{};
  std::chrono::milliseconds reopen_after_;

  std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace runner::cache
