// Filing of rendered cache keys (cache_key.hpp): a plain key as it is, a key
// that holds a secret as its masked form plus an HMAC under the cache's key;
// removal of one entry by its filed key; the worker doing both off the caller's
// thread.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <future>

#include "cache_test_support.hpp"
#include "drivers/cache/cache_store.hpp"
#include "drivers/cache/cache_worker.hpp"
#include "drivers/cache/secret_box.hpp"

namespace runner::cache {
namespace {

using testing::read_file;
using testing::temp_dir;
using testing::write_file;

const time_point t0 = time_point(std::chrono::milliseconds(1'700'000'000'000LL));

std::unique_ptr<cache_store> open_ok(const std::string& dir) {
  auto r = cache_store::open(dir);
  EXPECT_TRUE(r.store) << r.error;
  return std::move(r.store);
}

cache_key plain(const std::string& k) { return {k, k}; }

TEST(CacheKeyDigest, KeyedHexIsStableAndDependsOnKeyAndData) {
  std::array<unsigned char, secret_key_bytes> a{}, b{};
  b[0] = 1;
  secret_key ka(a), kb(b);
  std::string d = keyed_digest_hex(ka, "token-abc");
  EXPECT_EQ(d.size(), 64u);
  EXPECT_EQ(d.find_first_not_of("0123456789abcdef"), std::string::npos) << d;
  EXPECT_EQ(d, keyed_digest_hex(ka, "token-abc"));
  EXPECT_NE(d, keyed_digest_hex(ka, "token-abd"));
  EXPECT_NE(d, keyed_digest_hex(kb, "token-abc"));
}

TEST(CacheKeyFiling, APlainKeyIsFiledAsItIsWithoutAKeyFile) {
  temp_dir dir;
  auto store = open_ok(dir / "state");
  filed_key f = store->file_key(plain("mycorp.vault-1"));
  ASSERT_TRUE(f.ok) << f.error;
  EXPECT_EQ(f.key, "mycorp.vault-1");
  struct stat st {};
  EXPECT_NE(::stat(store->key_path().c_str(), &st), 0) << "no key file for plain keys";
}

TEST(CacheKeyFiling, AKeyWithASecretIsFiledMaskedWithAnHmac) {
  temp_dir dir;
  auto store = open_ok(dir / "state");
  filed_key a = store->file_key({"deploy-s3cr3t-token", "deploy-***"});
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_EQ(a.key.rfind("deploy-*** #", 0), 0u) << a.key;
  EXPECT_EQ(a.key.size(), std::string("deploy-*** #").size() + filed_digest_hex_digits);
  EXPECT_EQ(a.key.find("s3cr3t"), std::string::npos);
  // The same secret meets its entry again; another secret does not.
  EXPECT_EQ(store->file_key({"deploy-s3cr3t-token", "deploy-***"}).key, a.key);
  EXPECT_NE(store->file_key({"deploy-other-token", "deploy-***"}).key, a.key);
  // Reopened (another runner process): the same key file, the same name.
  store.reset();
  EXPECT_EQ(open_ok(dir / "state")->file_key({"deploy-s3cr3t-token", "deploy-***"}).key, a.key);
}

TEST(CacheKeyFiling, ADamagedKeyFileIsAClearErrorNamingTheFile) {
  temp_dir dir;
  auto store = open_ok(dir / "state");
  write_file(store->key_path(), "short");
  ::chmod(store->key_path().c_str(), 0600);
  filed_key f = store->file_key({"k-secret", "k-***"});
  EXPECT_FALSE(f.ok);
  EXPECT_NE(f.error.find(store->key_path()), std::string::npos) << f.error;
  EXPECT_NE(f.error.find("confidential"), std::string::npos) << f.error;
  EXPECT_EQ(f.error.find("k-secret"), std::string::npos) << "never the key itself: " << f.error;
}

TEST(CacheStoreRemove, RemovesOneEntryAndSaysWhenThereWasNone) {
  temp_dir dir;
  auto store = open_ok(dir / "state");
  for (std::string k : {"a", "b"}) {
    cache_entry e;
    e.key = k;
    e.task = "t";
    e.group_id = "g";
    e.outputs = {{"v", "1"}};
    e.created_at = t0;
    ASSERT_TRUE(store->put(e).ok);
  }
  count_result r = store->remove("a");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.count, 1u);
  EXPECT_EQ(store->get("a", t0).status, lookup_status::miss);
  EXPECT_EQ(store->get("b", t0).status, lookup_status::hit);
  r = store->remove("a");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.count, 0u);
  auto listed = store->list(t0);
  ASSERT_EQ(listed.entries.size(), 1u);
  EXPECT_EQ(listed.entries[0].key, "b");
}

lookup_result lookup(cache_worker& w, cache_key k) {
  std::promise<lookup_result> p;
  auto f = p.get_future();
  w.lookup(std::move(k), t0, [&p](lookup_result r) { p.set_value(std::move(r)); });
  return f.get();
}

TEST(CacheWorkerKeys, StoresAndFindsUnderTheFiledKey) {
  temp_dir dir;
  cache_worker w(dir / "state");
  cache_key secret{"tok-XYZZY-1", "tok-***"};
  lookup_result miss = lookup(w, secret);
  ASSERT_EQ(miss.status, lookup_status::miss) << miss.reason;
  EXPECT_EQ(miss.entry.key.rfind("tok-*** #", 0), 0u) << miss.entry.key;

  cache_entry e;
  e.key = "ignored: the worker files it";
  e.task = "fetch";
  e.group_id = "g";
  e.outputs = {{"token", "XYZZY"}};
  e.confidential = {"token"};
  e.created_at = t0;
  std::promise<status_result> stored;
  w.store(secret, e, [&stored](status_result r) { stored.set_value(std::move(r)); });
  status_result s = stored.get_future().get();
  ASSERT_TRUE(s.ok) << s.error;

  lookup_result hit = lookup(w, secret);
  ASSERT_EQ(hit.status, lookup_status::hit) << hit.reason;
  EXPECT_EQ(hit.entry.key, miss.entry.key);
  EXPECT_EQ(hit.entry.outputs.at("token"), "XYZZY");
  EXPECT_EQ(lookup(w, {"tok-OTHER-1", "tok-***"}).status, lookup_status::miss);
  // Neither the key's secret nor the value reaches the file in plain text.
  std::string bytes = read_file(dir / "state/cache.db") + read_file(dir / "state/cache.db-wal");
  EXPECT_EQ(bytes.find("XYZZY"), std::string::npos);
}

TEST(CacheWorkerKeys, AKeyThatCannotBeFiledIsAnErrorNotAMiss) {
  temp_dir dir;
  {
    auto store = open_ok(dir / "state");
    write_file(store->key_path(), std::string(secret_key_bytes, 'k'));
    ::chmod(store->key_path().c_str(), 0644);  // readable by others: refused
  }
  cache_worker w(dir / "state");
  lookup_result r = lookup(w, {"a-secret", "a-***"});
  EXPECT_EQ(r.status, lookup_status::error);
  EXPECT_NE(r.reason.find("chmod 600"), std::string::npos) << r.reason;
  std::promise<status_result> stored;
  cache_entry e;
  e.task = "t";
  e.created_at = t0;
  w.store({"a-secret", "a-***"}, e, [&stored](status_result s) { stored.set_value(s); });
  status_result s = stored.get_future().get();
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.error.find("cache.key"), std::string::npos) << s.error;
  // A plain key still works: the database itself is fine.
  EXPECT_EQ(lookup(w, plain("a")).status, lookup_status::miss);
}

}  // namespace
}  // namespace runner::cache
