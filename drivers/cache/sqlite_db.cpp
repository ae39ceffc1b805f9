#include "drivers/cache/sqlite_db.hpp"

namespace runner::cache::sql {

int statement::prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  stmt_.reset(rc == SQLITE_OK ? s : nullptr);
  if (rc != SQLITE_OK && s) sqlite3_finalize(s);
  return rc;
}

int statement::use::text(int i, std::string_view v) {
  return sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
}

int statement::use::blob(int i, std::string_view v) {
  // A zero-length blob must still be a blob, not NULL: SQLite binds NULL for a
  // null pointer, so an empty value gets a pointer that is never read.
  static const char empty = 0;
  return sqlite3_bind_blob64(s_, i, v.empty() ? &empty : v.data(), v.size(), SQLITE_STATIC);
}

int statement::use::integer(int i, int64_t v) { return sqlite3_bind_int64(s_, i, v); }

std::string statement::use::column_text(int i) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
  int n = sqlite3_column_bytes(s_, i);  // after column_text, as SQLite asks
  return p ? std::string(p, static_cast<size_t>(n)) : std::string();
}

std::string statement::use::column_blob(int i) const {
  auto* p = static_cast<const char*>(sqlite3_column_blob(s_, i));
  int n = sqlite3_column_bytes(s_, i);
  return p ? std::string(p, static_cast<size_t>(n)) : std::string();
}

int exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

bool is_damage(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT || primary == SQLITE_FORMAT;
}

}  // namespace runner::cache::sql
