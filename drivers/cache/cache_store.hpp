#pragma once
// The task cache's embedded store (SPEC.md §7): one SQLite file,
// <state_dir>/cache.db, shared safely by several runner processes on one host
// (WAL journal, a busy timeout, every write one IMMEDIATE transaction).
// Confidential outputs are sealed with AES-256-GCM (secret_box.hpp) under the
// key file <state_dir>/cache.key before they reach the database; plain outputs
// are stored as they are.
//
// Nothing here decides *what* is cached: the caller stores only successful
// runs and renders the key. Time is always passed in (`now`), so expiry is
// deterministic and testable.
//
// Failure policy: a damaged database gives a clear error (naming the file and
// what to do); a stored entry that cannot be trusted (a sealed value that does
// not open: wrong key, tampering; or a checksum mismatch, entry_digest.hpp) is
// a miss with a reason, never a wrong value.
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "drivers/cache/cache_key.hpp"

namespace runner::cache {

using time_point = std::chrono::system_clock::time_point;  // stored to the millisecond

struct cache_entry {
  std::string key;       // the rendered `cache.key`
  std::string task;      // for `runner cache list`
  std::string group_id;  // for `runner cache list`
  std::map<std::string, std::string> outputs;
  // Names among `outputs` whose values are sealed at rest. Names not in
  // `outputs` are ignored (a declared export the run did not produce).
  std::set<std::string> confidential;
  time_point created_at{};
  std::optional<time_point> expires_at;  // nullopt: never (ttl 0 / none)
};

enum class lookup_status { hit, miss, error };

struct lookup_result {
  lookup_status status = lookup_status::miss;
  cache_entry entry;  // when hit; `confidential` holds only names present in outputs
  // miss: empty when there is no entry, else why it was not usable ("expired",
  // or a confidential value that does not open) — worth logging;
  // error: what went wrong with the database and what to do.
  std::string reason;
};

struct entry_summary {  // never carries values
  std::string key;
  std::string task;
  std::string group_id;
  time_point created_at{};
  std::optional<time_point> expires_at;
  bool expired = false;  // as of the `now` given to list()
  std::size_t outputs = 0;
};

struct status_result {
  bool ok = false;
  std::string error;
};

struct list_result {
  bool ok = false;
  std::vector<entry_summary> entries;  // oldest first
  std::string error;
};

struct count_result {
  bool ok = false;
  std::size_t count = 0;  // entries removed
  std::string error;
};

struct filed_key {
  bool ok = false;
  std::string key;  // what the entry is filed under (cache_key.hpp)
  std::string error;
};

class cache_store {
 public:
  struct open_result {
    std::unique_ptr<cache_store> store;  // null on error
    std::string error;
  };
  // Creates `state_dir` (mode 0700) and cache.db (mode 0600) if missing.
  // The key file is read or created only when a confidential value is first
  // sealed or opened, so list/clear/prune work even when it is damaged.
  static open_result open(const std::string& state_dir);

  ~cache_store();
  cache_store(const cache_store&) = delete;
  cache_store& operator=(const cache_store&) = delete;

  // All methods are thread-safe (one connection, serialised by a mutex).
  status_result put(const cache_entry& entry);  // upsert by key
  lookup_result get(const std::string& key, time_point now);
  list_result list(time_point now);
  count_result clear();
  count_result remove(const std::string& key);  // count 0: there was no such entry
  count_result prune(time_point now);  // removes entries expired at `now`
  // The key an entry for `key` is filed under: `rendered` itself, or for a
  // key that holds a secret, `masked #<hmac>` (reads or creates the key file).
  filed_key file_key(const cache_key& key);

  const std::string& database_path() const;
  const std::string& key_path() const;

 private:
  struct impl;
  explicit cache_store(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace runner::cache
