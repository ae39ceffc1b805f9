#include "drivers/cache/cache_store.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "drivers/cache/entry_digest.hpp"
#include "drivers/cache/secret_box.hpp"
#include "drivers/cache/sqlite_db.hpp"
#include "drivers/state_dir.hpp"

namespace runner::cache {

namespace {

namespace fs = std::filesystem;

// Bump when the tables change; open() refuses versions it does not know
// rather than guess at a newer runner's layout.
constexpr int schema_version = 1;

// Long enough for another runner's write transaction (a few small rows) to end
// even on a loaded host; SQLite retries with backoff meanwhile.
constexpr int busy_timeout_ms = 15000;

// key is the primary key: one entry per rendered cache key (upsert).
// Times are milliseconds since the Unix epoch; expires_ms 0 = never.
// Outputs are rows of their own so list() can count them without reading values.
const char* const schema_sql =
    "CREATE TABLE IF NOT EXISTS entries ("
    "  key TEXT PRIMARY KEY NOT NULL,"
    "  task TEXT NOT NULL,"
    "  group_id TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL,"
    "  digest BLOB NOT NULL"  // entry_digest.hpp: catches damage SQLite does not report
    ");"
    "CREATE INDEX IF NOT EXISTS entries_expiry ON entries(expires_ms);"
    "CREATE TABLE IF NOT EXISTS outputs ("
    "  entry_key TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  confidential INTEGER NOT NULL,"
    "  value BLOB NOT NULL,"
    "  PRIMARY KEY (entry_key, name)"
    ");"
    "PRAGMA user_version = 1;";

int64_t to_ms(time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
time_point from_ms(int64_t ms) {
  return time_point(
      std::chrono::duration_cast<time_point::duration>(std::chrono::milliseconds(ms)));
}
// 0 is "never" in the table; an expiry at the epoch itself is moved by 1 ms.
int64_t expiry_ms(const std::optional<time_point>& t) {
  if (!t) return 0;
  int64_t ms = to_ms(*t);
  return ms == 0 ? 1 : ms;
}
bool expired_at(int64_t expires_ms, int64_t now_ms) {
  return expires_ms != 0 && expires_ms <= now_ms;
}

// SQLite creates a new database with the umask's mode and gives -wal and -shm
// the main file's mode, so creating it first as 0600 keeps all three private.
std::string make_db_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    int e = errno;
    if (e == ELOOP) return "cache database " + path + " is a symbolic link: remove it";
    return "cannot open cache database " + path + ": " + std::strerror(e);
  }
  ::close(fd);
  return {};
}

}  // namespace

struct cache_store::impl {
  std::string db_path;
  std::string key_path;
  sql::db_ptr db;
  std::mutex mu;
  std::optional<secret_key> key;  // loaded on first need

  sql::statement begin, commit, rollback;
  sql::statement get_entry, upsert_entry, delete_outputs, insert_output;
  sql::statement list_entries, clear_outputs, clear_entries, prune_outputs, prune_entries;
  sql::statement remove_outputs, remove_entry;

  // "cache database P: WHAT: sqlite's message", plus what to do when the file is damaged.
  std::string error(const std::string& what, int rc) const {
    std::string msg = "cache database " + db_path + ": " + what + ": " +
                      (db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc));
    if (sql::is_damage(rc)) {
      msg += " (the file is damaged or is not a runner cache; remove it and its -wal and -shm "
             "files to start an empty cache)";
    }
    return msg;
  }

  std::string prepare_all() {
    struct {
      sql::statement* s;
      const char* sql;
    } all[] = {
        {&begin, "BEGIN IMMEDIATE"},
        {&commit, "COMMIT"},
        {&rollback, "ROLLBACK"},
        // One statement, so the entry and its outputs come from one snapshot
        // even while another process replaces the entry.
        {&get_entry,
         "SELECT e.task, e.group_id, e.created_ms, e.expires_ms, e.digest, o.name, "
         "o.confidential, o.value "
         "FROM entries e LEFT JOIN outputs o ON o.entry_key = e.key WHERE e.key = ?1"},
        {&upsert_entry,
         "INSERT INTO entries (key, task, group_id, created_ms, expires_ms, digest) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (key) DO UPDATE SET task = excluded.task, "
         "group_id = excluded.group_id, created_ms = excluded.created_ms, "
         "expires_ms = excluded.expires_ms, digest = excluded.digest"},
        {&delete_outputs, "DELETE FROM outputs WHERE entry_key = ?1"},
        {&insert_output,
         "INSERT INTO outputs (entry_key, name, confidential, value) VALUES (?1, ?2, ?3, ?4)"},
        {&list_entries,
         "SELECT e.key, e.task, e.group_id, e.created_ms, e.expires_ms, "
         "(SELECT count(*) FROM outputs o WHERE o.entry_key = e.key) "
         "FROM entries e ORDER BY e.created_ms, e.key"},
        {&clear_outputs, "DELETE FROM outputs"},
        {&clear_entries, "DELETE FROM entries"},
        {&prune_outputs,
         "DELETE FROM outputs WHERE entry_key IN "
         "(SELECT key FROM entries WHERE expires_ms != 0 AND expires_ms <= ?1)"},
        {&prune_entries, "DELETE FROM entries WHERE expires_ms != 0 AND expires_ms <= ?1"},
        {&remove_outputs, "DELETE FROM outputs WHERE entry_key = ?1"},
        {&remove_entry, "DELETE FROM entries WHERE key = ?1"},
    };
    for (auto& a : all) {
      int rc = a.s->prepare(db.get(), a.sql);
      if (rc != SQLITE_OK) {
        std::string e = error("the cache tables are not as expected", rc);
        if (!sql::is_damage(rc)) {
          e += " (not a runner cache, or damaged; remove it and its -wal and -shm files to start "
               "an empty cache)";
        }
        return e;
      }
    }
    return {};
  }

  // Runs a statement without results (BEGIN/COMMIT/ROLLBACK/DELETE).
  int run(sql::statement& s) {
    sql::statement::use u(s);
    return u.step();
  }

  // Switching to WAL takes an exclusive lock and SQLite reports SQLITE_BUSY
  // at once, without its busy handler, when another process holds any lock;
  // runners opening a fresh cache together would fail. So: retry with a short
  // pause, for at most the busy timeout. A file already in WAL mode (every
  // open after the first) succeeds on the first try.
  std::string use_wal() {
    int waited_ms = 0;
    for (int pause_ms = 1;; pause_ms = std::min(pause_ms * 2, 50)) {
      sql::statement jm;
      int rc = jm.prepare(db.get(), "PRAGMA journal_mode = WAL");
      std::string mode;
      if (rc == SQLITE_OK) {
        sql::statement::use u(jm);
        rc = u.step();
        if (rc == SQLITE_ROW) {
          mode = u.column_text(0);
          rc = SQLITE_OK;
        }
      }
      int primary = rc & 0xff;
      if ((primary == SQLITE_BUSY || primary == SQLITE_LOCKED) && waited_ms < busy_timeout_ms) {
        sqlite3_sleep(pause_ms);
        waited_ms += pause_ms;
        continue;
      }
      if (rc != SQLITE_OK) return error("cannot use the file", rc);
      if (mode != "wal") {
        return "cache database " + db_path + ": cannot switch to WAL mode (journal mode is " +
               mode + "); is the state directory on a file system without shared memory?";
      }
      return {};
    }
  }

  int read_version(int& version) {
    sql::statement v;
    int rc = v.prepare(db.get(), "PRAGMA user_version");
    if (rc == SQLITE_OK) {
      sql::statement::use u(v);
      rc = u.step();
      if (rc == SQLITE_ROW) {
        version = static_cast<int>(u.column_int(0));
        rc = SQLITE_OK;
      }
    }
    return rc;
  }

  // The current schema: created on first open; refuses unknown versions.
  std::string init_schema() {
    // Nearly every open finds it in place: a plain read takes no write lock
    // (WAL), so another runner busy writing does not hold this one up.
    int version = -1;
    if (read_version(version) == SQLITE_OK && version == schema_version)
      return {};
    // IMMEDIATE: two processes opening a fresh file at once must not both create.
    int rc = sql::exec(db.get(), "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return error("cannot start a transaction", rc);
    version = -1;
    rc = read_version(version);
    if (rc != SQLITE_OK) {
      std::string e = error("cannot read the schema version", rc);
      sql::exec(db.get(), "ROLLBACK");
      return e;
    }
    if (version == 0) {
      rc = sql::exec(db.get(), schema_sql);
      if (rc != SQLITE_OK) {
        std::string e = error("cannot create the cache tables", rc);
        sql::exec(db.get(), "ROLLBACK");
        return e;
      }
    } else if (version != schema_version) {
      sql::exec(db.get(), "ROLLBACK");
      return "cache database " + db_path + " has schema version " + std::to_string(version) +
             ", this runner knows version " + std::to_string(schema_version) +
             " (written by another runner version?): remove it and its -wal and -shm files to "
             "start an empty cache";
    }
    rc = sql::exec(db.get(), "COMMIT");
    if (rc != SQLITE_OK) {
      std::string e = error("cannot create the cache tables", rc);
      sql::exec(db.get(), "ROLLBACK");
      return e;
    }
    return {};
  }

  // Deletes outputs, then their entries, in one transaction so no process
  // sees an entry without its outputs. `now_ms` or `key` is bound as ?1 when given.
  count_result remove(sql::statement& outs, sql::statement& ents, std::optional<int64_t> now_ms,
                      const char* what, const std::string* key = nullptr) {
    count_result r;
    int rc = run(begin);
    if (rc != SQLITE_DONE) {
      r.error = error(std::string("cannot ") + what + " the cache", rc);
      return r;
    }
    for (sql::statement* s : {&outs, &ents}) {
      sql::statement::use u(*s);
      if (now_ms) u.integer(1, *now_ms);
      if (key) u.text(1, *key);
      rc = u.step();
      if (rc != SQLITE_DONE) break;
      if (s == &ents) r.count = static_cast<size_t>(sqlite3_changes64(db.get()));
    }
    if (rc == SQLITE_DONE) rc = run(commit);
    if (rc != SQLITE_DONE) {
      r.count = 0;
      r.error = error(std::string("cannot ") + what + " the cache", rc);
      run(rollback);
      return r;
    }
    r.ok = true;
    return r;
  }

  // The key, read or created on first need; failures are not remembered so a
  // fixed key file is picked up without a restart.
  const secret_key* load_key(std::string& err) {
    if (key) return &*key;
    key_result k = load_or_create_key(key_path);
    if (!k.ok) {
      err = k.error;
      return nullptr;
    }
    key = k.key;
    return &*key;
  }
};

cache_store::cache_store(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
cache_store::~cache_store() = default;

const std::string& cache_store::database_path() const { return impl_->db_path; }
const std::string& cache_store::key_path() const { return impl_->key_path; }

cache_store::open_result cache_store::open(const std::string& state_dir) {
  open_result r;
  if (std::string e = make_state_dir(state_dir); !e.empty()) {
    r.error = e;
    return r;
  }
  auto i = std::make_unique<impl>();
  i->db_path = (fs::path(state_dir) / "cache.db").string();
  i->key_path = (fs::path(state_dir) / "cache.key").string();
  if (std::string e = make_db_file(i->db_path); !e.empty()) {
    r.error = e;
    return r;
  }
  sqlite3* raw = nullptr;
  // NOMUTEX: the store's own mutex serialises use of the connection.
  int rc = sqlite3_open_v2(i->db_path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                           nullptr);
  i->db.reset(raw);
  if (rc != SQLITE_OK) {
    r.error = i->error("cannot open", rc);
    return r;
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  // The first statement reads the header: a file that is not SQLite fails here.
  // WAL lets readers proceed while another process writes; it is a property of
  // the file, so only the first process to open it actually switches.
  if (std::string e = i->use_wal(); !e.empty()) {
    r.error = e;
    return r;
  }
  // NORMAL is durable enough in WAL mode for a cache: a power cut can lose
  // the last entries, never corrupt the file.
  rc = sql::exec(raw, "PRAGMA synchronous = NORMAL");
  // Replaced and deleted entries are overwritten, not left in free pages: an
  // entry stored unsealed (before its export was confidential) must not
  // survive its replacement in the file.
  if (rc == SQLITE_OK)
    rc = sql::exec(raw, "PRAGMA secure_delete = ON");
  if (rc != SQLITE_OK) {
    r.error = i->error("cannot configure", rc);
    return r;
  }
  if (std::string e = i->init_schema(); !e.empty()) {
    r.error = e;
    return r;
  }
  if (std::string e = i->prepare_all(); !e.empty()) {
    r.error = e;
    return r;
  }
  r.store.reset(new cache_store(std::move(i)));
  return r;
}

status_result cache_store::put(const cache_entry& entry) {
  status_result r;
  if (entry.key.empty()) {
    r.error = "a cache entry needs a non-empty key";
    return r;
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  // Seal before the transaction: the write lock is held only for the writes.
  struct row {
    const std::string* name;
    bool confidential;
    std::string sealed;  // when confidential
    const std::string* plain;
  };
  std::vector<row> rows;
  rows.reserve(entry.outputs.size());
  const secret_key* key = nullptr;
  for (const auto& [name, value] : entry.outputs) {
    bool conf = entry.confidential.count(name) > 0;
    row rw{&name, conf, {}, &value};
    if (conf) {
      std::string err;
      if (!key && !(key = impl_->load_key(err))) {
        r.error = err;
        return r;
      }
      seal_result s = seal(*key, value, binding(entry.key, name));
      if (!s.ok) {
        r.error = "cannot seal output " + name + " for the cache: " + s.error;
        return r;
      }
      rw.sealed = std::move(s.sealed);
    }
    rows.push_back(std::move(rw));
  }

  int64_t created_ms = to_ms(entry.created_at), expires_ms = expiry_ms(entry.expires_at);
  std::map<std::string, stored_output> stored;
  for (const row& rw : rows)
    stored[*rw.name] = {rw.confidential, rw.confidential ? rw.sealed : *rw.plain};
  std::string digest =
      entry_digest(entry.key, entry.task, entry.group_id, created_ms, expires_ms, stored);

  int rc = impl_->run(impl_->begin);
  if (rc != SQLITE_DONE) {
    r.error = impl_->error("cannot start a write", rc);
    return r;
  }
  auto fail = [&](const char* what, int code) {
    r.error = impl_->error(what, code);
    impl_->run(impl_->rollback);
    return r;
  };
  {
    sql::statement::use u(impl_->upsert_entry);
    u.text(1, entry.key);
    u.text(2, entry.task);
    u.text(3, entry.group_id);
    u.integer(4, created_ms);
    u.integer(5, expires_ms);
    u.blob(6, digest);
    if ((rc = u.step()) != SQLITE_DONE) return fail("cannot store the entry", rc);
  }
  {
    sql::statement::use u(impl_->delete_outputs);
    u.text(1, entry.key);
    if ((rc = u.step()) != SQLITE_DONE) return fail("cannot replace the entry's outputs", rc);
  }
  for (const row& rw : rows) {
    sql::statement::use u(impl_->insert_output);
    u.text(1, entry.key);
    u.text(2, *rw.name);
    u.integer(3, rw.confidential ? 1 : 0);
    u.blob(4, rw.confidential ? std::string_view(rw.sealed) : std::string_view(*rw.plain));
    if ((rc = u.step()) != SQLITE_DONE) return fail("cannot store an output", rc);
  }
  rc = impl_->run(impl_->commit);
  if (rc != SQLITE_DONE) return fail("cannot commit the entry", rc);
  r.ok = true;
  return r;
}

lookup_result cache_store::get(const std::string& key, time_point now) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto miss = [&](std::string reason) {
    lookup_result m;
    m.status = lookup_status::miss;
    m.reason = std::move(reason);
    m.entry.key = key;
    return m;
  };
  std::string task, group_id, digest;
  int64_t created_ms = 0, expires_ms = 0;
  bool found = false;
  std::map<std::string, stored_output> stored;
  {
    sql::statement::use u(impl_->get_entry);
    u.text(1, key);
    int rc;
    while ((rc = u.step()) == SQLITE_ROW) {
      if (!found) {
        found = true;
        task = u.column_text(0);
        group_id = u.column_text(1);
        created_ms = u.column_int(2);
        expires_ms = u.column_int(3);
        digest = u.column_blob(4);
      }
      if (u.column_null(5)) continue;  // an entry without outputs (LEFT JOIN)
      stored[u.column_text(5)] = {u.column_int(6) != 0, u.column_blob(7)};
    }
    if (rc != SQLITE_DONE) {
      lookup_result r;
      r.status = lookup_status::error;
      r.reason = impl_->error("cannot look up a cache entry", rc);
      return r;
    }
  }
  if (!found) return miss("");
  if (expired_at(expires_ms, to_ms(now))) return miss("expired");

  lookup_result r;
  r.status = lookup_status::hit;
  cache_entry& e = r.entry;
  e.key = key;
  e.task = task;
  e.group_id = group_id;
  e.created_at = from_ms(created_ms);
  if (expires_ms != 0) e.expires_at = from_ms(expires_ms);
  const secret_key* k = nullptr;
  for (const auto& [name, o] : stored) {
    if (!o.confidential) {
      e.outputs[name] = o.value;
      continue;
    }
    std::string err;
    if (!k && !(k = impl_->load_key(err)))
      return miss("confidential outputs cannot be opened: " + err);
    unseal_result u = open_sealed(*k, o.value, binding(key, name));
    if (!u.ok) {
      return miss("confidential output " + name + " does not open (" + u.error +
                  "); the task runs again");
    }
    e.outputs[name] = std::move(u.plaintext);
    e.confidential.insert(name);
  }
  // Last, so that the more precise reason above wins for a sealed value.
  if (digest != entry_digest(key, task, group_id, created_ms, expires_ms, stored)) {
    return miss("the entry is damaged (its checksum does not match); the task runs again");
  }
  return r;
}

list_result cache_store::list(time_point now) {
  list_result r;
  std::lock_guard<std::mutex> lock(impl_->mu);
  int64_t now_ms = to_ms(now);
  sql::statement::use u(impl_->list_entries);
  int rc;
  while ((rc = u.step()) == SQLITE_ROW) {
    entry_summary s;
    s.key = u.column_text(0);
    s.task = u.column_text(1);
    s.group_id = u.column_text(2);
    s.created_at = from_ms(u.column_int(3));
    int64_t exp = u.column_int(4);
    if (exp != 0) s.expires_at = from_ms(exp);
    s.expired = expired_at(exp, now_ms);
    s.outputs = static_cast<size_t>(u.column_int(5));
    r.entries.push_back(std::move(s));
  }
  if (rc != SQLITE_DONE) {
    r.entries.clear();
    r.error = impl_->error("cannot list the cache", rc);
    return r;
  }
  r.ok = true;
  return r;
}

count_result cache_store::clear() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->remove(impl_->clear_outputs, impl_->clear_entries, std::nullopt, "clear");
}

count_result cache_store::prune(time_point now) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->remove(impl_->prune_outputs, impl_->prune_entries, to_ms(now), "prune");
}

count_result cache_store::remove(const std::string& key) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->remove(impl_->remove_outputs, impl_->remove_entry, std::nullopt,
                       "remove an entry from", &key);
}

filed_key cache_store::file_key(const cache_key& key) {
  filed_key r;
  if (!key.holds_secret()) {
    r.ok = true;
    r.key = key.rendered;
    return r;
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string err;
  const secret_key* k = impl_->load_key(err);
  if (!k) {
    r.error = "a cache key that holds a confidential value needs the cache's secret key: " + err;
    return r;
  }
  std::string digest = keyed_digest_hex(*k, key.rendered);
  if (digest.empty()) {
    r.error = "OpenSSL failed to compute the HMAC that files a confidential cache key";
    return r;
  }
  r.ok = true;
  r.key = key.masked + " #" + digest.substr(0, filed_digest_hex_digits);
  return r;
}

}  // namespace runner::cache
