#pragma once
// The `runner` subcommands. Each returns the process exit code (SPEC.md §5).
#include <string>
#include <vector>

#include "drivers/limits.hpp"

namespace runner {

enum exit_code : int {
  exit_success = 0,
  exit_task_failed = 1,
  exit_invalid_input = 2,
  exit_infrastructure = 3,
  exit_cancelled = 130,
};

struct run_options {
  std::string file;
  std::string output = "text";  // text | json
  std::string result_file;
  size_t max_parallel = 0;      // 0: number of CPU cores
  std::string grace = "10s";    // SIGTERM -> SIGKILL
  output_limits limits;
  std::string config;           // node config: identity, TLS, peers (needed to forward)
  std::string to;               // run the whole group on this runner (name or host:port)
};

struct serve_options {
  std::string config;
  std::string grace = "10s";
  output_limits limits;
  bool log_level_given = false;  // --log-level/--log-format beat the config's `log`
};

// `runner cache list|clear|prune` (SPEC.md §7).
struct cache_options {
  std::string action;             // list | clear | prune
  std::string config;             // the cache of this node config's state_dir
  std::string state_dir;          // or of this directory (default: default_state_dir())
  std::string output = "text";    // list: text | json
  std::vector<std::string> keys;  // clear: only these entries (default: all)
};

int run_command(const run_options& opts);
int serve_command(const serve_options& opts);
// `config`: a node config whose `drivers` may serve the group's types (optional).
int validate_command(const std::string& file, const std::string& config);
int graph_command(const std::string& file, const std::string& format);
int cache_command(const cache_options& opts);

}  // namespace runner
