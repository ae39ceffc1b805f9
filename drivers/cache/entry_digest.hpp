#pragma once
// A checksum over everything a cache entry stores, kept with the entry and
// checked on every lookup. SQLite does not notice every kind of damage: a
// database file cut short inside a page reads back zero-filled, so a plain
// value could come back altered with no error at all. GCM already guards
// confidential values; this guards the rest (plain values, which outputs
// exist, which are confidential, the metadata). It detects damage, not a
// forger: whoever can rewrite the database can recompute it.
#include <cstdint>
#include <map>
#include <string>

namespace runner::cache {

struct stored_output {
  bool confidential = false;
  std::string value;  // as stored: sealed bytes when confidential
};

// SHA-256 over length-prefixed fields, outputs in name order.
std::string entry_digest(const std::string& key, const std::string& task,
                         const std::string& group_id, int64_t created_ms, int64_t expires_ms,
                         const std::map<std::string, stored_output>& outputs);

}  // namespace runner::cache
