#pragma once
// What the stand-in Vault knows: per namespace its KV mounts and secrets, ACL
// policies and auth mounts (AppRole, Kubernetes roles); tokens (seeded ones and
// those logins issue); and the fault knobs. Built once from the seed
// (vault_seed.hpp); afterwards only the token table changes, under a mutex,
// because handlers run on httplib's worker threads.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/vault_server/vault_acl.hpp"

namespace vault_stub {

using string_map = std::map<std::string, std::string>;

struct kv_secret {
  string_map data;
  int version = 1;                                  // kv-v2 only: the current version
  std::string created_time = "2024-01-01T00:00:00.000000000Z";
  nlohmann::json custom_metadata = nullptr;         // kv-v2 only
};

struct kv_mount {
  int version = 2;                           // 1 or 2
  std::map<std::string, kv_secret> secrets;  // path inside the mount -> secret
};

struct approle_role {
  std::string role_id;
  std::vector<std::string> secret_ids;
  bool bind_secret_id = true;
  std::vector<std::string> policies;
  int64_t token_ttl = 2764800;
};

struct kubernetes_role {
  std::vector<std::string> jwts;  // the stand-in treats a JWT as an opaque, accepted string
  std::vector<std::string> policies;
  std::string service_account_name = "default";
  std::string service_account_namespace = "default";
  int64_t token_ttl = 2764800;
};

struct auth_mount {
  std::string type;  // "approle" or "kubernetes"
  std::map<std::string, approle_role> approle_roles;        // role name -> role
  std::map<std::string, kubernetes_role> kubernetes_roles;  // role name -> role
};

struct vault_namespace {
  std::map<std::string, kv_mount> mounts;        // mount path (no slashes around) -> mount
  std::map<std::string, policy_rules> policies;  // name -> rules; "default" is always there
  std::map<std::string, auth_mount> auth;        // auth mount path -> mount
};

struct token_entry {
  std::string id, accessor, ns;  // ns: the namespace the token lives in ("" = root)
  std::vector<std::string> policies;  // sorted, as Vault reports them
  std::string display_name = "token";
  std::string path = "auth/token/create";
  string_map metadata;
  int64_t ttl = 0;  // 0: never expires
  int64_t creation_time = 0;
  std::string entity_id;
  bool orphan = false;
  bool renewable = false;
};

struct fault_knobs {
  uint64_t sealed_for_first_requests = 0;
  std::set<std::string> non_json_paths;     // 200 with an HTML body
  std::set<std::string> wrong_shape_paths;  // 200 with JSON that is not Vault's envelope
  std::map<std::string, int64_t> delay_ms_paths;
};

class vault_state {
 public:
  std::map<std::string, vault_namespace> namespaces;  // "" is the root namespace
  fault_knobs faults;

  // Splits a namespace-qualified path ("ns1/team/secret/data/x") into the
  // deepest namespace that exists and the rest, as Vault Enterprise does.
  std::pair<std::string, std::string> split_namespace(const std::string& full_path) const;

  void add_token(token_entry token);
  std::optional<token_entry> find_token(const std::string& id) const;
  // A new service token with Vault's shape of ids (hvs.…, a 24-char accessor).
  token_entry issue_token(const std::string& ns, std::vector<std::string> policies,
                          const std::string& display_name, const std::string& path,
                          string_map metadata, int64_t ttl);

  // Whether `token` may use `capability` on `path` in namespace `ns`.
  bool allowed(const token_entry& token, const std::string& ns, const std::string& path,
               const std::string& capability) const;

  // Counts a request; true while the "sealed for the first N requests" fault lasts.
  bool count_request_sealed() { return ++requests_ <= faults.sealed_for_first_requests; }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, token_entry> tokens_;
  std::atomic<uint64_t> requests_{0};
};

// Policies sorted and deduplicated, with "default" added unless `root` or told not to.
std::vector<std::string> token_policies(std::vector<std::string> policies, bool add_default);

std::string random_id(size_t length);  // [A-Za-z0-9]
std::string random_uuid();
int64_t unix_now();

}  // namespace vault_stub
