// `runner cache list|clear|prune`: the task cache of a state directory
// (SPEC.md §7, docs/cache.md). Shows what is kept — keys, tasks, ages,
// expiry — and never a value. Runs beside runners using the same cache: the
// store is made for several processes at once.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "actors/result_json.hpp"
#include "schema/json_text.hpp"
#include "drivers/cache/cache_store.hpp"
#include "tools/runner/cache_setup.hpp"
#include "tools/runner/commands.hpp"

namespace runner {

namespace {

using clock_type = std::chrono::system_clock;

int64_t epoch_ms(cache::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// "45s", "12m", "3h5m", "2d4h": the two largest units, enough to read an age.
std::string rough(std::chrono::milliseconds d) {
  int64_t s = std::max<int64_t>(0, d.count() / 1000);
  struct unit {
    int64_t seconds;
    const char* suffix;
  } units[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  std::string out;
  int shown = 0;
  for (const unit& u : units) {
    int64_t n = s / u.seconds;
    if (n == 0 && out.empty() && u.seconds != 1)
      continue;
    if (n != 0 || out.empty())
      out += std::to_string(n) + u.suffix;
    s %= u.seconds;
    if (++shown == 2)
      break;
  }
  return out;
}

// A key is the user's text and may hold a newline or an escape sequence,
// which must not break the table or the terminal.
std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string expiry_text(const cache::entry_summary& e, cache::time_point now) {
  if (!e.expires_at)
    return "never";
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(*e.expires_at - now);
  return e.expired ? "expired " + rough(-d) + " ago" : "in " + rough(d);
}

void print_table(const std::vector<cache::entry_summary>& entries, cache::time_point now) {
  std::vector<std::vector<std::string>> rows = {{"KEY", "TASK", "GROUP", "AGE", "EXPIRES"}};
  for (const auto& e : entries) {
    auto age = std::chrono::duration_cast<std::chrono::milliseconds>(now - e.created_at);
    rows.push_back({printable(e.key), printable(e.task), printable(e.group_id), rough(age),
                    expiry_text(e, now)});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c)
      width[c] = std::max(width[c], r[c].size());
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size())
        line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

nlohmann::json entries_json(const std::string& database,
                            const std::vector<cache::entry_summary>& entries) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : entries) {
    nlohmann::json expires = nullptr;
    if (e.expires_at)
      expires = iso8601_utc(epoch_ms(*e.expires_at));
    list.push_back({{"key", e.key},
                    {"task", e.task},
                    {"group", e.group_id},
                    {"created_at", iso8601_utc(epoch_ms(e.created_at))},
                    {"expires_at", std::move(expires)},
                    {"expired", e.expired},
                    {"outputs", e.outputs}});
  }
  return {{"database", database}, {"entries", std::move(list)}};
}

int list_entries(cache::cache_store* store, const std::string& database,
                 const cache_options& opts) {
  auto now = clock_type::now();
  std::vector<cache::entry_summary> entries;
  if (store) {
    cache::list_result r = store->list(now);
    if (!r.ok) {
      std::fprintf(stderr, "runner: %s\n", r.error.c_str());
      return exit_infrastructure;
    }
    entries = std::move(r.entries);
  }
  if (opts.output == "json") {
    // Invalid UTF-8 in a key must not make the listing fail.
    std::cout << json_text(entries_json(database, entries), 2)
              << "\n";
    return exit_success;
  }
  if (entries.empty()) {
    std::printf("no entries in %s\n", database.c_str());
    return exit_success;
  }
  print_table(entries, now);
  size_t expired = std::count_if(entries.begin(), entries.end(),
                                 [](const cache::entry_summary& e) { return e.expired; });
  std::string note = expired ? " (" + std::to_string(expired) +
                                   " expired: `runner cache prune` removes them)"
                             : "";
  std::printf("%zu entr%s%s in %s\n", entries.size(), entries.size() == 1 ? "y" : "ies",
              note.c_str(), database.c_str());
  return exit_success;
}

int clear_entries(cache::cache_store* store, const std::string& database,
                  const cache_options& opts) {
  if (opts.keys.empty()) {
    size_t removed = 0;
    if (store) {
      cache::count_result r = store->clear();
      if (!r.ok) {
        std::fprintf(stderr, "runner: %s\n", r.error.c_str());
        return exit_infrastructure;
      }
      removed = r.count;
    }
    std::printf("removed %zu entr%s from %s\n", removed, removed == 1 ? "y" : "ies",
                database.c_str());
    return exit_success;
  }
  int code = exit_success;
  for (const std::string& key : opts.keys) {
    size_t removed = 0;
    if (store) {
      cache::count_result r = store->remove(key);
      if (!r.ok) {
        std::fprintf(stderr, "runner: %s\n", r.error.c_str());
        return exit_infrastructure;
      }
      removed = r.count;
    }
    if (removed) {
      std::printf("removed `%s`\n", printable(key).c_str());
    } else {
      std::fprintf(stderr,
                   "runner: %s has no entry `%s`: name keys as `runner cache list` shows them\n",
                   database.c_str(), printable(key).c_str());
      code = exit_invalid_input;
    }
  }
  return code;
}

int prune_entries(cache::cache_store* store, const std::string& database) {
  size_t removed = 0;
  if (store) {
    cache::count_result r = store->prune(clock_type::now());
    if (!r.ok) {
      std::fprintf(stderr, "runner: %s\n", r.error.c_str());
      return exit_infrastructure;
    }
    removed = r.count;
  }
  std::printf("removed %zu expired entr%s from %s\n", removed, removed == 1 ? "y" : "ies",
              database.c_str());
  return exit_success;
}

}  // namespace

int cache_command(const cache_options& opts) {
  std::string state_dir = opts.state_dir;
  if (!opts.config.empty()) {
    config_result c = load_node_config(opts.config);
    if (!c.config) {
      std::fputs(format_diagnostics(c.problems).c_str(), stderr);
      return exit_invalid_input;
    }
    state_dir = state_dir_of(&*c.config);
  } else if (state_dir.empty()) {
    state_dir = state_dir_of(nullptr);
  }
  std::string database = (std::filesystem::path(state_dir) / "cache.db").string();

  // A runner that never cached anything has no database; looking at it
  // must not make one.
  std::unique_ptr<cache::cache_store> store;
  struct stat st {};
  if (::lstat(database.c_str(), &st) == 0) {
    cache::cache_store::open_result opened = cache::cache_store::open(state_dir);
    if (!opened.store) {
      std::fprintf(stderr, "runner: %s\n", opened.error.c_str());
      return exit_infrastructure;
    }
    store = std::move(opened.store);
  }
  if (opts.action == "list")
    return list_entries(store.get(), database, opts);
  if (opts.action == "clear")
    return clear_entries(store.get(), database, opts);
  return prune_entries(store.get(), database);
}

}  // namespace runner
