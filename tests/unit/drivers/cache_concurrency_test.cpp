// Several runner processes on one host share one cache: real processes (fork)
// create the database and the key at once, then write and read concurrently.
// Every operation must succeed (no "database is locked"), and afterwards every
// entry is present with its values.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "cache_test_support.hpp"
#include "drivers/cache/cache_store.hpp"

namespace runner::cache {
namespace {

using namespace std::chrono_literals;

const time_point t0 = time_point(std::chrono::milliseconds(1'700'000'000'000LL));

std::string key_of(int proc, int i) { return "p" + std::to_string(proc) + "-e" + std::to_string(i); }

cache_entry entry_of(int proc, int i) {
  cache_entry e;
  e.key = key_of(proc, i);
  e.task = "task-" + std::to_string(i);
  e.group_id = "proc-" + std::to_string(proc);
  e.outputs = {{"plain", "value-" + e.key}, {"secret", "SECRET-" + e.key}};
  e.confidential = {"secret"};
  e.created_at = t0 + std::chrono::milliseconds(i);
  return e;
}

bool is_entry(const lookup_result& g, int proc, int i) {
  return g.status == lookup_status::hit && g.entry.outputs == entry_of(proc, i).outputs &&
         g.entry.confidential == std::set<std::string>{"secret"};
}

// A child's whole life: open (racing the others to create the database and
// the key), then put its entries, reading its own back and others' as it goes.
// Returns the exit code; failures are printed for the test log.
int child(const std::string& dir, int proc, int procs, int per_proc) {
  auto o = cache_store::open(dir);
  if (!o.store) {
    std::fprintf(stderr, "child %d: open: %s\n", proc, o.error.c_str());
    return 1;
  }
  cache_store& store = *o.store;
  for (int i = 0; i < per_proc; ++i) {
    auto p = store.put(entry_of(proc, i));
    if (!p.ok) {
      std::fprintf(stderr, "child %d: put %d: %s\n", proc, i, p.error.c_str());
      return 2;
    }
    auto g = store.get(key_of(proc, i / 2), t0);
    if (!is_entry(g, proc, i / 2)) {
      std::fprintf(stderr, "child %d: get own %d: status %d %s\n", proc, i / 2,
                   static_cast<int>(g.status), g.reason.c_str());
      return 3;
    }
    // Another process's entry may not be written yet: a miss is fine, an
    // error or a wrong value is not.
    int other = (proc + 1 + i) % procs;
    auto h = store.get(key_of(other, i), t0);
    if (h.status == lookup_status::error ||
        (h.status == lookup_status::hit && !is_entry(h, other, i)) ||
        (h.status == lookup_status::miss && !h.reason.empty())) {
      std::fprintf(stderr, "child %d: get other %s: status %d %s\n", proc,
                   key_of(other, i).c_str(), static_cast<int>(h.status), h.reason.c_str());
      return 4;
    }
    if (i % 10 == 0) {
      auto l = store.list(t0);
      auto pr = store.prune(t0);  // nothing expires: removes nothing, but writes
      if (!l.ok || !pr.ok || pr.count != 0) {
        std::fprintf(stderr, "child %d: list/prune: %s %s\n", proc, l.error.c_str(),
                     pr.error.c_str());
        return 5;
      }
    }
  }
  return 0;
}

TEST(CacheConcurrency, ProcessesWriteAndReadAtOnce) {
  testing::temp_dir d;
  std::string dir = d / "state";  // created by the racing children
  constexpr int procs = 6;
  constexpr int per_proc = 60;
  testing::start_barrier barrier;
  std::vector<pid_t> pids;
  for (int p = 0; p < procs; ++p) {
    fflush(nullptr);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      barrier.wait_in_child();
      _exit(child(dir, p, procs, per_proc));
    }
    pids.push_back(pid);
  }
  barrier.release();
  for (int p = 0; p < procs; ++p) EXPECT_EQ(testing::wait_child(pids[p]), 0) << "child " << p;

  auto o = cache_store::open(dir);
  ASSERT_TRUE(o.store) << o.error;
  auto l = o.store->list(t0);
  ASSERT_TRUE(l.ok) << l.error;
  EXPECT_EQ(l.entries.size(), static_cast<size_t>(procs * per_proc));
  for (int p = 0; p < procs; ++p) {
    for (int i = 0; i < per_proc; ++i) {
      auto g = o.store->get(key_of(p, i), t0);
      EXPECT_TRUE(is_entry(g, p, i)) << key_of(p, i) << ": " << g.reason;
    }
  }
}

// Two processes upsert the same keys over and over: every read sees one
// writer's complete entry, never a mix of two.
TEST(CacheConcurrency, SameKeysFromTwoProcesses) {
  testing::temp_dir d;
  { ASSERT_TRUE(cache_store::open(d.path()).store); }
  constexpr int rounds = 80;
  testing::start_barrier barrier;
  std::vector<pid_t> pids;
  for (int p = 0; p < 2; ++p) {
    fflush(nullptr);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      barrier.wait_in_child();
      auto o = cache_store::open(d.path());
      if (!o.store) _exit(1);
      for (int i = 0; i < rounds; ++i) {
        cache_entry e;
        e.key = "shared-" + std::to_string(i % 4);
        e.task = "writer-" + std::to_string(p);
        e.outputs = {{"a", e.task}, {"b", e.task}, {"s", e.task}};
        e.confidential = {"s"};
        e.created_at = t0;
        if (!o.store->put(e).ok) _exit(2);
        auto g = o.store->get("shared-" + std::to_string((i + 1) % 4), t0);
        if (g.status == lookup_status::error) _exit(3);
        if (g.status == lookup_status::hit) {
          const std::string& w = g.entry.task;
          if (g.entry.outputs.size() != 3 || g.entry.outputs.at("a") != w ||
              g.entry.outputs.at("b") != w || g.entry.outputs.at("s") != w) {
            _exit(4);
          }
        }
      }
      _exit(0);
    }
    pids.push_back(pid);
  }
  barrier.release();
  for (pid_t pid : pids) EXPECT_EQ(testing::wait_child(pid), 0);
  auto o = cache_store::open(d.path());
  ASSERT_TRUE(o.store) << o.error;
  EXPECT_EQ(o.store->list(t0).entries.size(), 4u);
}

}  // namespace
}  // namespace runner::cache
