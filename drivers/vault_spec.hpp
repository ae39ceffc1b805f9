#pragma once
// What a `vault` task asks for (SPEC.md §6), read from its spec and completed
// with the node's own Vault access (`vault:` in the runner config). The node's
// credentials are only ever sent to the node's own Vault address: a task that
// names another `url` must bring its own auth.
#include <chrono>
#include <optional>
#include <string>

#include "drivers/spec_problems.hpp"
#include "schema/model.hpp"

namespace runner {

enum class vault_engine { kv_v2, kv_v1 };
enum class vault_auth { token, approle, kubernetes };

// The node's Vault access, from its config; secrets only as file paths.
struct vault_node_access {
  std::string url;
  std::string namespace_;
  std::string ca_cert;
  std::string token_file;
  std::string role_id, secret_id_file;  // AppRole
  std::string role, jwt_file;           // Kubernetes
  std::string auth_mount;
  bool configured() const { return !url.empty(); }
};

struct vault_request {
  std::string url;  // without a trailing '/'
  vault_engine engine = vault_engine::kv_v2;
  std::string mount = "secret";
  std::string path;
  std::string secret_name;
  std::optional<long> version;  // kv-v2 only
  std::string namespace_;
  std::string ca_cert;
  vault_auth auth = vault_auth::token;
  std::string token, token_file;
  std::string role_id, secret_id, secret_id_file;
  std::string role, jwt_file;
  std::string auth_mount;  // default: approle / kubernetes
  bool node_credentials = false;  // the auth came from the node's config
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  int retries = 3;  // extra attempts after a connection error, a timeout or a 5xx

  std::string login_path() const;  // "auth/approle/login"
  std::string read_path() const;   // "secret/data/db", as Vault's policies name it
  std::string auth_name() const;   // "token auth", "AppRole auth (role_id ...)", ...
};

// The spec fields a vault task knows, for "did you mean".
extern const char* const vault_spec_fields[];

// Reads and checks `spec` (templates resolved, or not yet: check_spec passes
// the document's spec and only checks the shape of templated strings).
// Problems go to `problems` when given; std::nullopt when there was one.
std::optional<vault_request> read_vault_spec(const json& spec, const vault_node_access& node,
                                             spec_problems* problems);

}  // namespace runner
