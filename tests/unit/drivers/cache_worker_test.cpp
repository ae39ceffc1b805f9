// The cache worker: the store on a thread of its own, opened on first use,
// jobs in order, callbacks on the worker's thread, queued stores kept at the end.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <thread>
#include <vector>

#include "cache_test_support.hpp"
#include "drivers/cache/cache_worker.hpp"

namespace runner::cache {
namespace {

using testing::temp_dir;

cache_entry entry_of(const std::string& key, const std::string& value, bool secret) {
  cache_entry e;
  e.key = key;
  e.task = "build";
  e.group_id = "g";
  e.outputs = {{"out", value}};
  if (secret)
    e.confidential = {"out"};
  e.created_at = std::chrono::system_clock::now();
  return e;
}

lookup_result lookup_now(cache_worker& w, const std::string& key) {
  std::promise<lookup_result> p;
  auto f = p.get_future();
  w.lookup(key, std::chrono::system_clock::now(), [&p](lookup_result r) { p.set_value(std::move(r)); });
  return f.get();
}

TEST(CacheWorker, StoresThenFindsInOrderOnItsOwnThread) {
  temp_dir dir;
  cache_worker w(dir / "state");
  EXPECT_FALSE(std::filesystem::exists(dir / "state")) << "opened on first use only";
  EXPECT_EQ(lookup_now(w, "k1").status, lookup_status::miss);
  std::promise<std::thread::id> where;
  // Asked right after the store, without waiting for it: order makes it a hit.
  w.store(entry_of("k1", "s3cret", true),
          [&where](status_result r) {
            EXPECT_TRUE(r.ok) << r.error;
            where.set_value(std::this_thread::get_id());
          });
  auto hit = lookup_now(w, "k1");
  ASSERT_EQ(hit.status, lookup_status::hit) << hit.reason;
  EXPECT_EQ(hit.entry.outputs.at("out"), "s3cret");
  EXPECT_EQ(hit.entry.confidential.count("out"), 1u);
  EXPECT_NE(where.get_future().get(), std::this_thread::get_id());
}

TEST(CacheWorker, QueuedStoresAreKeptWhenItStops) {
  temp_dir dir;
  {
    cache_worker w(dir / "state");
    for (int i = 0; i < 50; ++i)
      w.store(entry_of("k" + std::to_string(i), "v" + std::to_string(i), false));
  }
  cache_worker again(dir / "state");
  for (int i = 0; i < 50; ++i) {
    auto r = lookup_now(again, "k" + std::to_string(i));
    ASSERT_EQ(r.status, lookup_status::hit) << i << ": " << r.reason;
    EXPECT_EQ(r.entry.outputs.at("out"), "v" + std::to_string(i));
  }
}

TEST(CacheWorker, AStoreThatCannotOpenAnswersWithTheReason) {
  temp_dir dir;
  testing::write_file(dir / "not-a-dir", "x");
  cache_worker w(dir / "not-a-dir");
  auto r = lookup_now(w, "k");
  EXPECT_EQ(r.status, lookup_status::error);
  EXPECT_NE(r.reason.find("not-a-dir"), std::string::npos) << r.reason;
  std::promise<status_result> p;
  w.store(entry_of("k", "v", false), [&p](status_result s) { p.set_value(std::move(s)); });
  auto s = p.get_future().get();
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.error, r.reason);
}

TEST(CacheWorker, AStoreThatWouldNotOpenIsTriedAgainLater) {
  // A long-lived node recovers once the file in the way is gone.
  temp_dir dir;
  testing::write_file(dir / "state", "x");
  cache_worker w(dir / "state", std::chrono::milliseconds(0));
  EXPECT_EQ(lookup_now(w, "k").status, lookup_status::error);
  std::filesystem::remove(dir / "state");
  EXPECT_EQ(lookup_now(w, "k").status, lookup_status::miss);
}

}  // namespace
}  // namespace runner::cache
