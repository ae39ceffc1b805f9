#pragma once
// A runner node's configuration file (SPEC §8): who the node is, where it
// listens, how it talks to its peers and what it runs for them. Validated like
// task groups: every problem of the file at once, each with line and column.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "schema/diagnostic.hpp"

namespace runner {

struct tls_config {
  bool off = false;  // `tls: off`: plain TCP, loopback only
  // Resolved against the config file's directory; all three set unless off.
  std::string cert, key, ca;
};

struct accept_rule {
  std::string from;  // a peer name (certificate CN) or "*"
  std::vector<std::string> task_types;
  source_mark mark;
};

struct driver_config {
  std::vector<std::string> command;  // executable and its arguments
  std::map<std::string, std::string> env;
  source_mark mark;
};

// The node's own Vault access (`vault:`), for vault tasks without credentials
// of their own. Paths are resolved against the config file's directory.
struct vault_access_config {
  std::string url;  // empty: not configured
  std::string namespace_;
  std::string ca_cert;
  std::string token_file;
  std::string role_id, secret_id_file;  // AppRole
  std::string role, jwt_file;           // Kubernetes
  std::string auth_mount;
  source_mark mark;
};

// `actions:` — GitHub Actions for github_action tasks.
struct actions_config {
  std::string base_url = "https://github.com/";  // owner/repo@ref is cloned from here; ends in '/'
  std::string node = "node";                       // looked up in PATH unless it has a '/'
};

// `transport:` — what peers can make this node hold and wait for
// (net/gate.hpp; docs/security.md).
struct transport_config {
  size_t max_message = size_t{64} << 20;    // one message (BASP frame) from a peer
  size_t max_unproven = size_t{256} << 20;  // together, for peers with no proven identity
  size_t max_connections = 256;             // accepted connections at once
  size_t max_connections_per_address = 32;
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
};

struct node_config {
  std::string name;
  std::string listen_host;
  uint16_t listen_port = 0;  // 0: any free port (tests)
  bool has_listen = false;   // `listen` is needed by `serve` only
  tls_config tls;
  std::map<std::string, std::pair<std::string, uint16_t>> peers;  // name -> host, port
  std::vector<accept_rule> accept;                                // empty: deny everything remote
  size_t max_parallel = 0;                                        // 0 = one per core
  std::string state_dir;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::string log_level = "info";
  std::string log_format = "text";  // text | json
  std::vector<driver_config> drivers;
  vault_access_config vault;
  actions_config actions;
  transport_config transport;
  // `masking.patterns`: RE2 expressions masked in all output like secrets.
  std::vector<std::string> masking_patterns;
  std::string file;  // where it was read from
};

struct config_result {
  std::optional<node_config> config;  // set only when there are no problems
  diagnostics problems;               // sorted by position
};

// Reads `path` (an unreadable file is a diagnostic, not an exception).
config_result load_node_config(const std::string& path);

// `file` names the text in diagnostics, and relative tls paths are resolved
// against its directory.
config_result parse_node_config(const std::string& text, const std::string& file);

// $XDG_STATE_HOME/runner, else $HOME/.local/state/runner.
std::string default_state_dir();

}  // namespace runner
