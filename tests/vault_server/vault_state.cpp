#include "tests/vault_server/vault_state.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

namespace vault_stub {

namespace {

std::mt19937_64& rng() {
  // Ids only need to be unguessable enough for tests and distinct; one seeded
  // generator per thread avoids locking.
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

}  // namespace

std::string random_id(size_t length) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<size_t> pick(0, sizeof(alphabet) - 2);
  std::string out(length, ' ');
  for (auto& c : out) c = alphabet[pick(rng())];
  return out;
}

std::string random_uuid() {
  std::uniform_int_distribution<unsigned> byte(0, 255);
  unsigned char b[16];
  for (auto& x : b) x = static_cast<unsigned char>(byte(rng()));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  return out;
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> token_policies(std::vector<std::string> policies, bool add_default) {
  bool root = std::find(policies.begin(), policies.end(), "root") != policies.end();
  if (add_default && !root) policies.push_back("default");
  std::sort(policies.begin(), policies.end());
  policies.erase(std::unique(policies.begin(), policies.end()), policies.end());
  return policies;
}

std::pair<std::string, std::string> vault_state::split_namespace(const std::string& full_path) const {
  std::string best;
  for (const auto& [name, ns] : namespaces) {
    if (name.empty() || name.size() <= best.size()) continue;
    if (full_path.compare(0, name.size(), name) == 0 &&
        (full_path.size() == name.size() || full_path[name.size()] == '/'))
      best = name;
  }
  if (best.empty()) return {"", full_path};
  return {best, full_path.size() > best.size() ? full_path.substr(best.size() + 1) : ""};
}

void vault_state::add_token(token_entry token) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto id = token.id;
  tokens_[id] = std::move(token);
}

std::optional<token_entry> vault_state::find_token(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tokens_.find(id);
  if (it == tokens_.end()) return std::nullopt;
  const auto& t = it->second;
  if (t.ttl > 0 && unix_now() >= t.creation_time + t.ttl) return std::nullopt;  // expired = unknown
  return t;
}

token_entry vault_state::issue_token(const std::string& ns, std::vector<std::string> policies,
                                     const std::string& display_name, const std::string& path,
                                     string_map metadata, int64_t ttl) {
  token_entry t;
  // Real service tokens are "hvs." plus ~90 characters; namespaced ones end in
  // ".<namespace id>". Clients must treat them as opaque, so the length is moot.
  t.id = "hvs." + random_id(24) + (ns.empty() ? "" : "." + random_id(5));
  t.accessor = random_id(24);
  t.ns = ns;
  t.policies = token_policies(std::move(policies), true);
  t.display_name = display_name;
  t.path = path;
  t.metadata = std::move(metadata);
  t.ttl = ttl;
  t.creation_time = unix_now();
  t.entity_id = random_uuid();
  t.orphan = true;  // tokens from auth method logins have no parent
  t.renewable = true;
  add_token(t);
  return t;
}

bool vault_state::allowed(const token_entry& token, const std::string& ns, const std::string& path,
                          const std::string& capability) const {
  // A token reaches its own namespace and those below it, with paths relative
  // to its own namespace (so a root policy names "ns1/secret/data/x").
  std::string acl_path;
  if (token.ns == ns) {
    acl_path = path;
  } else if (token.ns.empty()) {
    acl_path = ns + "/" + path;
  } else if (ns.compare(0, token.ns.size() + 1, token.ns + "/") == 0) {
    acl_path = ns.substr(token.ns.size() + 1) + "/" + path;
  } else {
    return false;
  }
  if (std::find(token.policies.begin(), token.policies.end(), "root") != token.policies.end())
    return true;
  auto home = namespaces.find(token.ns);
  if (home == namespaces.end()) return false;
  std::vector<const policy_rules*> rules;
  for (const auto& name : token.policies) {
    auto p = home->second.policies.find(name);
    if (p != home->second.policies.end()) rules.push_back(&p->second);  // unknown names grant nothing
  }
  return acl_allows(rules, acl_path, capability);
}

}  // namespace vault_stub
