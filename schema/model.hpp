#pragma once
// The task group document (SPEC.md §2) as plain data. Parsing fills these; the
// engine only ever reads them. Source positions are kept beside the data so that
// later checks (driver spec validation, templates) can point at the user's text.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/diagnostic.hpp"
#include "schema/heap_optional.hpp"

namespace runner {

using json = nlohmann::json;
using duration = std::chrono::milliseconds;

enum class export_scope { local, global };

struct import_decl {
  std::string from;
  std::string variable;
  source_mark mark;
};

struct export_decl {
  std::string name;
  bool confidential = false;
  export_scope scope = export_scope::local;
  source_mark mark;
};

struct forward_decl {
  std::string to;
  source_mark mark;
};

struct cache_decl {
  std::string key;                // may hold {{ .task.var }} templates
  std::optional<duration> ttl;    // none: entries never expire (always > 0 when set)
  source_mark mark;               // the `cache` key
  source_mark key_mark;           // where the key's text starts, for template errors
};

struct retry_decl {
  int attempts = 1;        // total runs, including the first
  duration backoff{0};     // delay before the 2nd run; doubled for each later one
  source_mark mark;
};

// A JSON pointer ("/command/0") into a task's spec -> where it stood in the file.
// A sorted vector rather than a std::map: a group holds a map per task, and
// a map's node per entry costs twice the entry.
class source_map {
 public:
  using value_type = std::pair<std::string, source_mark>;
  using const_iterator = std::vector<value_type>::const_iterator;

  source_map() = default;
  // Each pointer once, in any order.
  explicit source_map(std::vector<value_type> marks);

  const_iterator find(const std::string& pointer) const;
  const source_mark& at(const std::string& pointer) const;  // throws std::out_of_range
  const_iterator begin() const { return marks_.begin(); }
  const_iterator end() const { return marks_.end(); }
  size_t size() const { return marks_.size(); }
  bool empty() const { return marks_.empty(); }

 private:
  std::vector<value_type> marks_;  // by pointer
};

struct task_decl {
  std::string name;
  std::string type;
  json spec = json::object();  // YAML mapped to JSON; plain scalars typed, quoted ones strings
  source_map spec_marks;       // positions of every node of spec, by JSON pointer; for
                               // a string, where its text starts (inside the quotes, or
                               // the first line of a block scalar)
  std::vector<std::string> depends_on;
  std::vector<import_decl> imports;
  std::vector<export_decl> exports;
  // Rarely set: on the heap, so that a large group does not pay for them.
  heap_optional<forward_decl> forward;
  heap_optional<cache_decl> cache;
  heap_optional<std::string> when;
  source_mark when_mark;
  std::optional<duration> timeout;
  heap_optional<retry_decl> retry;
  source_mark mark;           // the task's own mapping
  source_mark name_mark, type_mark, depends_on_mark;
  std::vector<source_mark> depends_on_marks;  // one per depends_on entry
};

struct task_group {
  std::string id;  // generated (UUID v4) when the document has none
  std::optional<forward_decl> forward;
  std::vector<task_decl> tasks;
  std::string file;  // where it was read from, for messages
};

}  // namespace runner
