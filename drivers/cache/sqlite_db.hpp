#pragma once
// Thin RAII over the SQLite C API for the cache store: a connection and its
// prepared statements. Every value reaches SQL through a bound parameter;
// no SQL text is ever built from data.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace runner::cache::sql {

struct db_closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using db_ptr = std::unique_ptr<sqlite3, db_closer>;

// A prepared statement, kept for the connection's lifetime (lookups on a hit
// should not pay for parsing SQL). A `use` resets it when done, so a finished
// SELECT never holds a read transaction open (that would stall checkpoints of
// the WAL by other processes) and bound pointers never outlive their strings.
class statement {
 public:
  statement() = default;
  // Returns an SQLite result code; `*this` is usable only on SQLITE_OK.
  int prepare(sqlite3* db, const char* sql);
  sqlite3_stmt* get() const { return stmt_.get(); }
  explicit operator bool() const { return stmt_ != nullptr; }

  class use {
   public:
    explicit use(statement& s) : s_(s.get()) {}
    ~use() {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
    use(const use&) = delete;
    use& operator=(const use&) = delete;
    // Binds 1-based parameters; the data must stay alive until this use ends.
    int text(int i, std::string_view v);
    int blob(int i, std::string_view v);
    int integer(int i, int64_t v);
    int step() { return sqlite3_step(s_); }  // SQLITE_ROW, SQLITE_DONE or an error
    std::string column_text(int i) const;
    std::string column_blob(int i) const;
    int64_t column_int(int i) const { return sqlite3_column_int64(s_, i); }
    bool column_null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }

   private:
    sqlite3_stmt* s_;
  };

 private:
  struct finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  std::unique_ptr<sqlite3_stmt, finalizer> stmt_;
};

// Runs SQL without parameters or results (pragmas, DDL, BEGIN/COMMIT).
int exec(sqlite3* db, const char* sql);

// True for the result codes that mean the file is not a (sound) SQLite database.
bool is_damage(int rc);

}  // namespace runner::cache::sql
