// The cache store: round trips, expiry by the `now` passed in, list/clear/prune,
// encryption at rest, tampering, and damaged files. No test sleeps: time is a
// parameter.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "cache_test_support.hpp"
#include "drivers/cache/cache_store.hpp"
#include "drivers/cache/secret_box.hpp"

namespace runner::cache {
namespace {

using namespace std::chrono_literals;
using testing::temp_dir;

const time_point t0 = time_point(std::chrono::milliseconds(1'700'000'000'123LL));

cache_entry make_entry(const std::string& key, std::optional<time_point> expires = std::nullopt) {
  cache_entry e;
  e.key = key;
  e.task = "build";
  e.group_id = "group-1";
  e.outputs = {{"artifact", "out/app.tar"}, {"token", "tok-SECRET-" + key}};
  e.confidential = {"token"};
  e.created_at = t0;
  e.expires_at = expires;
  return e;
}

std::unique_ptr<cache_store> open_ok(const std::string& dir) {
  auto r = cache_store::open(dir);
  EXPECT_TRUE(r.store) << r.error;
  return std::move(r.store);
}

// Runs SQL on the cache database behind the store's back (a tamperer).
void raw_sql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

std::string raw_value(const std::string& db_path, const std::string& key, const std::string& name) {
  sqlite3* db = nullptr;
  sqlite3_open(db_path.c_str(), &db);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT value FROM outputs WHERE entry_key = ?1 AND name = ?2", -1, &s,
                     nullptr);
  sqlite3_bind_text(s, 1, key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, name.c_str(), -1, SQLITE_TRANSIENT);
  std::string v;
  if (sqlite3_step(s) == SQLITE_ROW) {
    v.assign(static_cast<const char*>(sqlite3_column_blob(s, 0)),
             static_cast<size_t>(sqlite3_column_bytes(s, 0)));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

void set_raw_value(const std::string& db_path, const std::string& key, const std::string& name,
                   const std::string& value) {
  sqlite3* db = nullptr;
  sqlite3_open(db_path.c_str(), &db);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "UPDATE outputs SET value = ?3 WHERE entry_key = ?1 AND name = ?2", -1,
                     &s, nullptr);
  sqlite3_bind_text(s, 1, key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob(s, 3, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(s), SQLITE_DONE);
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST(CacheStore, RoundTrip) {
  temp_dir d;
  auto store = open_ok(d.path());
  ASSERT_TRUE(store);
  cache_entry e = make_entry("k1", t0 + 1h);
  e.outputs["binary"] = std::string("a\0b\xff", 4);
  e.outputs["empty"] = "";
  e.confidential.insert("empty");
  e.confidential.insert("not-produced");  // ignored: not among the outputs
  auto p = store->put(e);
  ASSERT_TRUE(p.ok) << p.error;

  auto g = store->get("k1", t0 + 1s);
  ASSERT_EQ(g.status, lookup_status::hit) << g.reason;
  EXPECT_EQ(g.entry.key, "k1");
  EXPECT_EQ(g.entry.task, "build");
  EXPECT_EQ(g.entry.group_id, "group-1");
  EXPECT_EQ(g.entry.outputs, e.outputs);
  EXPECT_EQ(g.entry.confidential, (std::set<std::string>{"empty", "token"}));
  EXPECT_EQ(g.entry.created_at, t0);
  ASSERT_TRUE(g.entry.expires_at);
  EXPECT_EQ(*g.entry.expires_at, t0 + 1h);

  auto none = store->get("other", t0);
  EXPECT_EQ(none.status, lookup_status::miss);
  EXPECT_EQ(none.reason, "");
  EXPECT_TRUE(none.entry.outputs.empty());
}

TEST(CacheStore, StateDirAndFilesArePrivate) {
  temp_dir d;
  std::string dir = d / "state/nested";
  mode_t old = umask(0);
  auto store = open_ok(dir);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->put(make_entry("k")).ok);
  umask(old);
  struct stat st {};
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat(store->database_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(store->key_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(store->database_path(), dir + "/cache.db");
  EXPECT_EQ(store->key_path(), dir + "/cache.key");
}

TEST(CacheStore, NoConfidentialOutputsNoKeyFile) {
  temp_dir d;
  auto store = open_ok(d.path());
  cache_entry e = make_entry("plain-only");
  e.confidential.clear();
  ASSERT_TRUE(store->put(e).ok);
  EXPECT_EQ(store->get("plain-only", t0).status, lookup_status::hit);
  EXPECT_FALSE(std::filesystem::exists(store->key_path()));
}

TEST(CacheStore, UpsertReplacesTheEntry) {
  temp_dir d;
  auto store = open_ok(d.path());
  ASSERT_TRUE(store->put(make_entry("k", t0 + 1min)).ok);
  cache_entry second;
  second.key = "k";
  second.task = "build2";
  second.group_id = "group-2";
  second.outputs = {{"only", "new"}};
  second.created_at = t0 + 10s;
  ASSERT_TRUE(store->put(second).ok);

  auto g = store->get("k", t0 + 1h);  // the new entry never expires
  ASSERT_EQ(g.status, lookup_status::hit) << g.reason;
  EXPECT_EQ(g.entry.outputs, second.outputs);
  EXPECT_TRUE(g.entry.confidential.empty());
  EXPECT_EQ(g.entry.task, "build2");
  EXPECT_FALSE(g.entry.expires_at);
  auto l = store->list(t0);
  ASSERT_TRUE(l.ok) << l.error;
  ASSERT_EQ(l.entries.size(), 1u);
  EXPECT_EQ(l.entries[0].outputs, 1u);
}

TEST(CacheStore, ExpiryFollowsNow) {
  temp_dir d;
  auto store = open_ok(d.path());
  ASSERT_TRUE(store->put(make_entry("short", t0 + 60s)).ok);
  ASSERT_TRUE(store->put(make_entry("forever")).ok);
  EXPECT_EQ(store->get("short", t0 + 59s).status, lookup_status::hit);
  EXPECT_EQ(store->get("short", t0 + 60s - 1ms).status, lookup_status::hit);
  auto g = store->get("short", t0 + 60s);
  EXPECT_EQ(g.status, lookup_status::miss);
  EXPECT_EQ(g.reason, "expired");
  EXPECT_TRUE(g.entry.outputs.empty());
  EXPECT_EQ(store->get("forever", t0 + 24h * 3650).status, lookup_status::hit);
}

TEST(CacheStore, ListShowsMetadataNeverValues) {
  temp_dir d;
  auto store = open_ok(d.path());
  cache_entry a = make_entry("a", t0 + 10s);
  cache_entry b = make_entry("b");
  b.created_at = t0 + 1s;
  b.task = "test";
  ASSERT_TRUE(store->put(b).ok);
  ASSERT_TRUE(store->put(a).ok);
  auto l = store->list(t0 + 20s);
  ASSERT_TRUE(l.ok) << l.error;
  ASSERT_EQ(l.entries.size(), 2u);
  // Oldest first.
  EXPECT_EQ(l.entries[0].key, "a");
  EXPECT_EQ(l.entries[0].task, "build");
  EXPECT_EQ(l.entries[0].group_id, "group-1");
  EXPECT_EQ(l.entries[0].created_at, t0);
  ASSERT_TRUE(l.entries[0].expires_at);
  EXPECT_EQ(*l.entries[0].expires_at, t0 + 10s);
  EXPECT_TRUE(l.entries[0].expired);
  EXPECT_EQ(l.entries[0].outputs, 2u);
  EXPECT_EQ(l.entries[1].key, "b");
  EXPECT_EQ(l.entries[1].task, "test");
  EXPECT_FALSE(l.entries[1].expires_at);
  EXPECT_FALSE(l.entries[1].expired);
  // entry_summary has no field for values; its strings hold none either.
  for (const auto& s : l.entries) {
    for (const std::string* f : {&s.key, &s.task, &s.group_id}) {
      EXPECT_EQ(f->find("SECRET"), std::string::npos);
      EXPECT_EQ(f->find("app.tar"), std::string::npos);
    }
  }
}

TEST(CacheStore, ClearAndPrune) {
  temp_dir d;
  auto store = open_ok(d.path());
  ASSERT_TRUE(store->put(make_entry("e1", t0 + 10s)).ok);
  ASSERT_TRUE(store->put(make_entry("e2", t0 + 20s)).ok);
  ASSERT_TRUE(store->put(make_entry("keep")).ok);

  auto p = store->prune(t0 + 5s);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.count, 0u);
  p = store->prune(t0 + 15s);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.count, 1u);
  EXPECT_EQ(store->get("e1", t0).status, lookup_status::miss);  // gone, not just expired
  EXPECT_EQ(store->get("e2", t0).status, lookup_status::hit);
  EXPECT_EQ(store->list(t0).entries.size(), 2u);

  auto c = store->clear();
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.count, 2u);
  EXPECT_TRUE(store->list(t0).entries.empty());
  EXPECT_EQ(store->get("keep", t0).status, lookup_status::miss);
  // No orphaned output rows either.
  auto count_outputs = [&] {
    sqlite3* db = nullptr;
    sqlite3_open(store->database_path().c_str(), &db);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM outputs", -1, &s, nullptr);
    sqlite3_step(s);
    int n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
  };
  EXPECT_EQ(count_outputs(), 0);
  EXPECT_EQ(store->clear().count, 0u);
}

TEST(CacheStore, ConfidentialValuesAreNotStoredInPlaintext) {
  temp_dir d;
  const std::string secret = "s3cr3t-VALUE-zq9Kx";
  const std::string plain = "plain-VALUE-kx7Qa";
  auto all_bytes = [&](const std::string& db) {
    std::string bytes = testing::read_file(db);
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
      if (std::filesystem::exists(db + suffix)) bytes += testing::read_file(db + suffix);
    }
    return bytes;
  };
  std::string db_path;
  {
    auto store = open_ok(d.path());
    cache_entry e = make_entry("k");
    e.outputs = {{"password", secret}, {"public", plain}};
    e.confidential = {"password"};
    ASSERT_TRUE(store->put(e).ok);
    db_path = store->database_path();
    // While open, the entry is (at least) in the WAL.
    std::string bytes = all_bytes(db_path);
    EXPECT_EQ(bytes.find(secret), std::string::npos);
    EXPECT_NE(bytes.find(plain), std::string::npos);
    std::string sealed = raw_value(db_path, "k", "password");
    EXPECT_EQ(sealed.size(), secret.size() + sealed_overhead);
    EXPECT_EQ(sealed.find(secret), std::string::npos);
    EXPECT_EQ(raw_value(db_path, "k", "public"), plain);
  }
  // Closed: checkpointed into the main file.
  std::string bytes = all_bytes(db_path);
  EXPECT_EQ(bytes.find(secret), std::string::npos);
  EXPECT_NE(bytes.find(plain), std::string::npos);
  auto store = open_ok(d.path());
  auto g = store->get("k", t0);
  ASSERT_EQ(g.status, lookup_status::hit) << g.reason;
  EXPECT_EQ(g.entry.outputs.at("password"), secret);
}

TEST(CacheStore, TamperedCiphertextIsAMissWithAReason) {
  temp_dir d;
  auto store = open_ok(d.path());
  ASSERT_TRUE(store->put(make_entry("k")).ok);
  std::string v = raw_value(store->database_path(), "k", "token");
  ASSERT_FALSE(v.empty());
  for (size_t at : {size_t(0), size_t(5), v.size() / 2, v.size() - 1}) {
    std::string t = v;
    t[at] = static_cast<char>(t[at] ^ 0x80);
    set_raw_value(store->database_path(), "k", "token", t);
    auto g = store->get("k", t0);
    EXPECT_EQ(g.status, lookup_status::miss) << at;
    EXPECT_NE(g.reason.find("token"), std::string::npos) << g.reason;
    EXPECT_NE(g.reason.find("does not open"), std::string::npos) << g.reason;
    EXPECT_TRUE(g.entry.outputs.empty());
    EXPECT_EQ(g.reason.find("tok-SECRET"), std::string::npos);
  }
  // Truncated.
  set_raw_value(store->database_path(), "k", "token", v.substr(0, 10));
  EXPECT_EQ(store->get("k", t0).status, lookup_status::miss);
  // Restored, it opens again.
  set_raw_value(store->database_path(), "k", "token", v);
  EXPECT_EQ(store->get("k", t0).status, lookup_status::hit);
}

TEST(CacheStore, AlteredPlainValueOrFlagIsAMiss) {
  temp_dir d;
  auto store = open_ok(d.path());
  ASSERT_TRUE(store->put(make_entry("k")).ok);
  const std::string db = store->database_path();
  set_raw_value(db, "k", "artifact", "out/evil.tar");
  auto g = store->get("k", t0);
  EXPECT_EQ(g.status, lookup_status::miss);
  EXPECT_NE(g.reason.find("damaged"), std::string::npos) << g.reason;
  set_raw_value(db, "k", "artifact", "out/app.tar");
  ASSERT_EQ(store->get("k", t0).status, lookup_status::hit);

  // A sealed value relabelled as plain would come back as ciphertext.
  raw_sql(db, "UPDATE outputs SET confidential = 0 WHERE name = 'token'");
  EXPECT_EQ(store->get("k", t0).status, lookup_status::miss);
  raw_sql(db, "UPDATE outputs SET confidential = 1 WHERE name = 'token'");
  ASSERT_EQ(store->get("k", t0).status, lookup_status::hit);

  // A lost output row, or changed metadata.
  raw_sql(db, "DELETE FROM outputs WHERE name = 'artifact'");
  EXPECT_EQ(store->get("k", t0).status, lookup_status::miss);
  ASSERT_TRUE(store->put(make_entry("k")).ok);
  raw_sql(db, "UPDATE entries SET task = 'other'");
  EXPECT_EQ(store->get("k", t0).status, lookup_status::miss);
}

TEST(CacheStore, SwappedCiphertextsAreMisses) {
  temp_dir d;
  auto store = open_ok(d.path());
  ASSERT_TRUE(store->put(make_entry("a")).ok);
  ASSERT_TRUE(store->put(make_entry("b")).ok);
  std::string va = raw_value(store->database_path(), "a", "token");
  std::string vb = raw_value(store->database_path(), "b", "token");
  set_raw_value(store->database_path(), "a", "token", vb);
  set_raw_value(store->database_path(), "b", "token", va);
  EXPECT_EQ(store->get("a", t0).status, lookup_status::miss);
  EXPECT_EQ(store->get("b", t0).status, lookup_status::miss);

  // Moved to another output name of the same entry: also refused.
  cache_entry two = make_entry("c");
  two.outputs["token2"] = "other-SECRET";
  two.confidential.insert("token2");
  ASSERT_TRUE(store->put(two).ok);
  std::string t1 = raw_value(store->database_path(), "c", "token");
  set_raw_value(store->database_path(), "c", "token2", t1);
  EXPECT_EQ(store->get("c", t0).status, lookup_status::miss);
}

TEST(CacheStore, AnotherKeyFileGivesMisses) {
  temp_dir d;
  {
    auto store = open_ok(d.path());
    ASSERT_TRUE(store->put(make_entry("k")).ok);
  }
  std::filesystem::remove(d / "cache.key");
  auto store = open_ok(d.path());
  auto g = store->get("k", t0);  // a new key is created; the old value does not open
  EXPECT_EQ(g.status, lookup_status::miss);
  EXPECT_NE(g.reason.find("does not open"), std::string::npos) << g.reason;
  // A fresh put under the new key works.
  ASSERT_TRUE(store->put(make_entry("k")).ok);
  EXPECT_EQ(store->get("k", t0).status, lookup_status::hit);
}

TEST(CacheStore, DamagedKeyFile) {
  temp_dir d;
  {
    auto store = open_ok(d.path());
    ASSERT_TRUE(store->put(make_entry("k")).ok);
  }
  testing::write_file(d / "cache.key", "short");
  auto store = open_ok(d.path());  // list/clear/prune need no key
  ASSERT_TRUE(store);
  auto g = store->get("k", t0);
  EXPECT_EQ(g.status, lookup_status::miss);
  EXPECT_NE(g.reason.find("cache.key"), std::string::npos) << g.reason;
  EXPECT_NE(g.reason.find("5 bytes"), std::string::npos) << g.reason;
  auto p = store->put(make_entry("k2"));
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.error.find("cache.key"), std::string::npos) << p.error;
  EXPECT_EQ(store->list(t0).entries.size(), 1u);
  EXPECT_EQ(store->clear().count, 1u);
}

TEST(CacheStore, GarbageDatabaseIsAClearError) {
  temp_dir d;
  for (const std::string& garbage :
       {std::string(8192, 'x'), std::string("SQLite format 3") + std::string(200, '\xff'),
        std::string("not a database at all\n")}) {
    testing::write_file(d / "cache.db", garbage);
    auto r = cache_store::open(d.path());
    EXPECT_FALSE(r.store);
    EXPECT_NE(r.error.find(d / "cache.db"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("remove it"), std::string::npos) << r.error;
  }
  // An empty file is simply an empty cache.
  testing::write_file(d / "cache.db", "");
  auto r = cache_store::open(d.path());
  ASSERT_TRUE(r.store) << r.error;
  EXPECT_EQ(r.store->get("k", t0).status, lookup_status::miss);
}

TEST(CacheStore, TruncatedDatabaseNeverGivesAWrongValue) {
  temp_dir good;
  std::vector<cache_entry> entries;
  {
    auto store = open_ok(good.path());
    for (int i = 0; i < 200; ++i) {
      cache_entry e = make_entry("key-" + std::to_string(i));
      e.outputs["bulk"] = std::string(300, static_cast<char>('a' + i % 26));
      ASSERT_TRUE(store->put(e).ok);
      entries.push_back(e);
    }
  }  // closed: everything is in cache.db, the WAL is gone
  std::string full = testing::read_file(good / "cache.db");
  std::string key = testing::read_file(good / "cache.key");
  ASSERT_GT(full.size(), 8192u);
  for (size_t cut : {size_t(50), size_t(100), size_t(4096), size_t(4097), full.size() / 3,
                     full.size() / 2, full.size() - 4096, full.size() - 1}) {
    temp_dir d;
    testing::write_file(d / "cache.db", full.substr(0, cut));
    testing::write_file(d / "cache.key", key);
    chmod((d / "cache.key").c_str(), 0600);
    auto r = cache_store::open(d.path());
    if (!r.store) {
      EXPECT_NE(r.error.find("cache.db"), std::string::npos) << cut << ": " << r.error;
      continue;
    }
    for (const auto& e : entries) {
      auto g = r.store->get(e.key, t0);
      if (g.status == lookup_status::hit) {
        EXPECT_EQ(g.entry.outputs, e.outputs) << cut << " " << e.key;
      } else if (g.status == lookup_status::error) {
        EXPECT_NE(g.reason.find("cache.db"), std::string::npos) << g.reason;
      }
    }
    auto l = r.store->list(t0);
    if (!l.ok) {
      EXPECT_NE(l.error.find("cache.db"), std::string::npos) << l.error;
    }
    r.store->prune(t0 + 1s);
    r.store->clear();
  }
}

TEST(CacheStore, UnknownSchemaVersionIsAClearError) {
  temp_dir d;
  { ASSERT_TRUE(open_ok(d.path())); }
  raw_sql(d / "cache.db", "PRAGMA user_version = 99");
  auto r = cache_store::open(d.path());
  EXPECT_FALSE(r.store);
  EXPECT_NE(r.error.find("schema version 99"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("remove it"), std::string::npos) << r.error;
}

TEST(CacheStore, ForeignSqliteDatabaseIsAClearError) {
  temp_dir d;
  raw_sql(d / "cache.db", "CREATE TABLE entries (x INTEGER); PRAGMA user_version = 1;");
  auto r = cache_store::open(d.path());
  EXPECT_FALSE(r.store);
  EXPECT_NE(r.error.find("cache.db"), std::string::npos) << r.error;
}

TEST(CacheStore, StateDirThatIsAFileIsAnError) {
  temp_dir d;
  testing::write_file(d / "file", "x");
  auto r = cache_store::open(d / "file");
  EXPECT_FALSE(r.store);
  EXPECT_NE(r.error.find("not a directory"), std::string::npos) << r.error;
  EXPECT_FALSE(cache_store::open("").store);
}

TEST(CacheStore, EmptyKeyIsRefused) {
  temp_dir d;
  auto store = open_ok(d.path());
  auto p = store->put(make_entry(""));
  EXPECT_FALSE(p.ok);
  EXPECT_FALSE(p.error.empty());
}

}  // namespace
}  // namespace runner::cache
