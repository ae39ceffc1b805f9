// What a task-cache hit costs (bench/README.md, "Task cache"): a lookup in the
// SQLite store of an entry with plain outputs, with a sealed (AES-256-GCM)
// output, the filing of a key that holds a secret (HMAC), and a whole lookup
// through the cache worker's thread as a task actor makes it (handoff there,
// callback back); and, for a miss, what storing the result costs. The store holds `range(0)` entries, as a cache that has been
// used for a while does.
//
//     ninja -C build cache_lookup && build/cache_lookup
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "drivers/cache/cache_store.hpp"
#include "drivers/cache/cache_worker.hpp"

namespace {

using namespace runner::cache;

class state_dir {
 public:
  state_dir() {
    std::string t = (std::filesystem::temp_directory_path() / "cache_bench.XXXXXX").string();
    if (!mkdtemp(t.data()))
      throw std::runtime_error("mkdtemp failed");
    path_ = t;
  }
  ~state_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string state() const { return path_ + "/state"; }

 private:
  std::string path_;
};

cache_entry entry(size_t i) {
  cache_entry e;
  e.key = "build-" + std::to_string(i);
  e.task = "build";
  e.group_id = "bench";
  e.outputs = {{"artifact", "out/app-" + std::to_string(i) + ".tar"},
               {"token", "tok-" + std::to_string(i) + "-0123456789abcdef"}};
  if (i % 2)
    e.confidential = {"token"};  // odd keys have a sealed output
  e.created_at = std::chrono::system_clock::now();
  return e;
}

std::unique_ptr<cache_store> filled(const state_dir& dir, size_t entries) {
  auto opened = cache_store::open(dir.state());
  if (!opened.store)
    throw std::runtime_error(opened.error);
  for (size_t i = 0; i < entries; ++i)
    if (auto r = opened.store->put(entry(i)); !r.ok)
      throw std::runtime_error(r.error);
  return std::move(opened.store);
}

void store_hit(benchmark::State& st, bool sealed) {
  state_dir dir;
  size_t n = static_cast<size_t>(st.range(0));
  auto store = filled(dir, n);
  std::string key = "build-" + std::to_string(sealed ? n - 1 : n - 2);  // odd: sealed
  auto now = std::chrono::system_clock::now();
  for (auto _ : st) {
    lookup_result r = store->get(key, now);
    if (r.status != lookup_status::hit)
      st.SkipWithError(r.reason.c_str());
    benchmark::DoNotOptimize(r);
  }
}

void BM_StoreHitPlain(benchmark::State& st) { store_hit(st, false); }
void BM_StoreHitSealed(benchmark::State& st) { store_hit(st, true); }

void BM_FileKeyWithSecret(benchmark::State& st) {
  state_dir dir;
  auto store = filled(dir, 1);
  cache_key k{"fetch-tok-0123456789abcdef", "fetch-***"};
  for (auto _ : st) {
    filed_key f = store->file_key(k);
    benchmark::DoNotOptimize(f);
  }
}

// What a miss leaves behind: one entry stored (one write transaction).
void BM_StorePut(benchmark::State& st) {
  state_dir dir;
  auto store = filled(dir, 1);
  size_t i = 1;
  for (auto _ : st) {
    status_result r = store->put(entry(i++));
    if (!r.ok)
      st.SkipWithError(r.error.c_str());
  }
}

// The path a task takes: post to the worker, get on its thread, callback.
void BM_WorkerLookupHit(benchmark::State& st) {
  state_dir dir;
  size_t n = static_cast<size_t>(st.range(0));
  filled(dir, n).reset();
  cache_worker worker(dir.state());
  cache_key k{"build-" + std::to_string(n - 1), "build-" + std::to_string(n - 1)};
  std::mutex mu;
  std::condition_variable cv;
  for (auto _ : st) {
    bool done = false;
    lookup_status status = lookup_status::error;
    worker.lookup(k, std::chrono::system_clock::now(), [&](lookup_result r) {
      std::lock_guard<std::mutex> lock(mu);
      status = r.status;
      done = true;
      cv.notify_one();
    });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    if (status != lookup_status::hit)
      st.SkipWithError("not a hit");
  }
}

}  // namespace

BENCHMARK(BM_StoreHitPlain)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_StoreHitSealed)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FileKeyWithSecret)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_StorePut)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_WorkerLookupHit)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
