#include "tests/vault_server/vault_seed.hpp"

#include <fstream>
#include <initializer_list>
#include <sstream>

namespace vault_stub {

namespace {

using nlohmann::json;

// Walks the seed with the dotted path of where it is, so that every error can
// say exactly which field is wrong.
struct reader {
  std::string file;

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw seed_error(file + ": " + (where.empty() ? "(top level)" : where) + ": " + what);
  }
  static std::string at(const std::string& where, const std::string& key) {
    bool plain = key.find_first_of("./ ") == std::string::npos && !key.empty();
    std::string k = plain ? key : "\"" + key + "\"";
    return where.empty() ? k : where + "." + k;
  }

  const json& object(const json& v, const std::string& where) const {
    if (!v.is_object()) fail(where, "expected an object");
    return v;
  }
  void only_keys(const json& v, const std::string& where, std::initializer_list<const char*> keys) const {
    for (const auto& [k, _] : object(v, where).items()) {
      bool known = false;
      for (const char* allowed : keys) known = known || k == allowed;
      if (!known) fail(at(where, k), "unknown field");
    }
  }
  std::string string(const json& v, const std::string& where) const {
    if (!v.is_string()) fail(where, "expected a string");
    return v.get<std::string>();
  }
  int64_t integer(const json& v, const std::string& where, int64_t min) const {
    if (!v.is_number_integer() || v.get<int64_t>() < min)
      fail(where, "expected an integer >= " + std::to_string(min));
    return v.get<int64_t>();
  }
  bool boolean(const json& v, const std::string& where) const {
    if (!v.is_boolean()) fail(where, "expected true or false");
    return v.get<bool>();
  }
  std::vector<std::string> strings(const json& v, const std::string& where) const {
    if (!v.is_array()) fail(where, "expected an array of strings");
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i) out.push_back(string(v[i], where + "[" + std::to_string(i) + "]"));
    return out;
  }
  string_map string_values(const json& v, const std::string& where) const {
    string_map out;
    for (const auto& [k, value] : object(v, where).items()) out[k] = string(value, at(where, k));
    return out;
  }
  // A path segment list as a seed key: no leading/trailing slash, not empty.
  std::string path_key(const std::string& key, const std::string& where) const {
    if (key.empty() || key.front() == '/' || key.back() == '/')
      fail(where, "must not be empty or begin or end with '/'");
    return key;
  }

  void mounts(const json& v, const std::string& where, vault_namespace& ns) const {
    for (const auto& [name, m] : object(v, where).items()) {
      auto w = at(where, name);
      only_keys(m, w, {"version"});
      kv_mount mount;
      if (m.contains("version")) {
        mount.version = static_cast<int>(integer(m["version"], at(w, "version"), 1));
        if (mount.version > 2) fail(at(w, "version"), "expected 1 or 2");
      }
      ns.mounts[path_key(name, w)] = mount;
    }
  }

  void secrets(const json& v, const std::string& where, vault_namespace& ns) const {
    for (const auto& [key, s] : object(v, where).items()) {
      auto w = at(where, key);
      path_key(key, w);
      // The secret belongs to the mount with the longest matching prefix, as Vault routes.
      const std::string* mount_name = nullptr;
      for (const auto& [name, _] : ns.mounts)
        if (key.compare(0, name.size() + 1, name + "/") == 0 && (!mount_name || name.size() > mount_name->size()))
          mount_name = &name;
      if (!mount_name) fail(w, "no mount holds this path (mounts are the \"mounts\" keys)");
      auto& mount = ns.mounts[*mount_name];
      kv_secret secret;
      object(s, w);
      if (s.contains("data") && s["data"].is_object()) {
        only_keys(s, w, {"data", "version", "created_time", "custom_metadata"});
        secret.data = string_values(s["data"], at(w, "data"));
        if (s.contains("version")) secret.version = static_cast<int>(integer(s["version"], at(w, "version"), 1));
        if (s.contains("created_time")) secret.created_time = string(s["created_time"], at(w, "created_time"));
        if (s.contains("custom_metadata"))
          secret.custom_metadata = string_values(s["custom_metadata"], at(w, "custom_metadata"));
        if (mount.version == 1 && (s.contains("version") || s.contains("custom_metadata")))
          fail(w, "version and custom_metadata need a kv-v2 mount");
      } else {
        secret.data = string_values(s, w);
      }
      mount.secrets[key.substr(mount_name->size() + 1)] = secret;
    }
  }

  void policies(const json& v, const std::string& where, vault_namespace& ns) const {
    static const std::set<std::string> known{"create", "read", "update", "patch", "delete",
                                             "list",   "sudo", "deny",   "subscribe"};
    for (const auto& [name, rules] : object(v, where).items()) {
      auto w = at(where, name);
      if (name == "root") fail(w, "\"root\" is built in and cannot be redefined");
      policy_rules out;
      for (const auto& [pattern, caps] : object(rules, w).items()) {
        auto pw = at(w, pattern);
        auto star = pattern.find('*');
        if (pattern.empty() || (star != std::string::npos && star + 1 != pattern.size()))
          fail(pw, "a '*' may only end a path pattern");
        for (const auto& c : strings(caps, pw)) {
          if (!known.count(c)) fail(pw, "unknown capability \"" + c + "\"");
          out[pattern].insert(c);
        }
      }
      ns.policies[name] = out;
    }
  }

  void tokens(const json& v, const std::string& where, const std::string& ns_name, vault_state& state) const {
    for (const auto& [id, t] : object(v, where).items()) {
      auto w = at(where, id);
      only_keys(t, w, {"policies", "no_default_policy", "ttl", "display_name"});
      if (id.empty()) fail(w, "a token must not be empty");
      if (state.find_token(id)) fail(w, "this token is already defined (tokens are global ids)");
      token_entry token;
      token.id = id;
      token.accessor = random_id(24);
      token.ns = ns_name;
      bool no_default = t.contains("no_default_policy") && boolean(t["no_default_policy"], at(w, "no_default_policy"));
      auto p = t.contains("policies") ? strings(t["policies"], at(w, "policies")) : std::vector<std::string>{};
      token.policies = token_policies(p, !no_default);
      if (t.contains("ttl")) token.ttl = integer(t["ttl"], at(w, "ttl"), 0);
      if (t.contains("display_name")) token.display_name = string(t["display_name"], at(w, "display_name"));
      token.creation_time = unix_now();
      token.renewable = token.ttl > 0;
      state.add_token(token);
    }
  }

  void auth(const json& v, const std::string& where, vault_namespace& ns) const {
    for (const auto& [path, m] : object(v, where).items()) {
      auto w = at(where, path);
      only_keys(m, w, {"type", "roles"});
      auth_mount mount;
      mount.type = m.contains("type") ? string(m["type"], at(w, "type")) : path;
      if (mount.type != "approle" && mount.type != "kubernetes")
        fail(m.contains("type") ? at(w, "type") : w,
             "type must be \"approle\" or \"kubernetes\" (it defaults to the mount path)");
      auto rw = at(w, "roles");
      const json roles = m.contains("roles") ? m["roles"] : json::object();
      for (const auto& [name, r] : object(roles, rw).items()) {
        auto w2 = at(rw, name);
        if (mount.type == "approle") {
          only_keys(r, w2, {"role_id", "secret_id", "secret_ids", "bind_secret_id", "policies", "token_ttl"});
          approle_role role;
          if (!r.contains("role_id")) fail(at(w2, "role_id"), "missing");
          role.role_id = string(r["role_id"], at(w2, "role_id"));
          if (r.contains("secret_id")) role.secret_ids.push_back(string(r["secret_id"], at(w2, "secret_id")));
          if (r.contains("secret_ids")) {
            auto more = strings(r["secret_ids"], at(w2, "secret_ids"));
            role.secret_ids.insert(role.secret_ids.end(), more.begin(), more.end());
          }
          if (r.contains("bind_secret_id")) role.bind_secret_id = boolean(r["bind_secret_id"], at(w2, "bind_secret_id"));
          if (role.bind_secret_id && role.secret_ids.empty())
            fail(w2, "needs secret_id or secret_ids (or \"bind_secret_id\": false)");
          if (r.contains("policies")) role.policies = strings(r["policies"], at(w2, "policies"));
          if (r.contains("token_ttl")) role.token_ttl = integer(r["token_ttl"], at(w2, "token_ttl"), 1);
          mount.approle_roles[name] = role;
        } else {
          only_keys(r, w2, {"jwt", "jwts", "policies", "service_account_name", "service_account_namespace", "token_ttl"});
          kubernetes_role role;
          if (r.contains("jwt")) role.jwts.push_back(string(r["jwt"], at(w2, "jwt")));
          if (r.contains("jwts")) {
            auto more = strings(r["jwts"], at(w2, "jwts"));
            role.jwts.insert(role.jwts.end(), more.begin(), more.end());
          }
          if (role.jwts.empty()) fail(w2, "needs jwt or jwts");
          if (r.contains("policies")) role.policies = strings(r["policies"], at(w2, "policies"));
          if (r.contains("service_account_name"))
            role.service_account_name = string(r["service_account_name"], at(w2, "service_account_name"));
          if (r.contains("service_account_namespace"))
            role.service_account_namespace = string(r["service_account_namespace"], at(w2, "service_account_namespace"));
          if (r.contains("token_ttl")) role.token_ttl = integer(r["token_ttl"], at(w2, "token_ttl"), 1);
          mount.kubernetes_roles[name] = role;
        }
      }
      ns.auth[path_key(path, w)] = mount;
    }
  }

  void faults(const json& v, const std::string& where, fault_knobs& f) const {
    only_keys(v, where, {"sealed_for_first_requests", "non_json_paths", "wrong_shape_paths", "delay_ms_paths"});
    if (v.contains("sealed_for_first_requests"))
      f.sealed_for_first_requests =
          static_cast<uint64_t>(integer(v["sealed_for_first_requests"], at(where, "sealed_for_first_requests"), 0));
    if (v.contains("non_json_paths"))
      for (auto& p : strings(v["non_json_paths"], at(where, "non_json_paths"))) f.non_json_paths.insert(p);
    if (v.contains("wrong_shape_paths"))
      for (auto& p : strings(v["wrong_shape_paths"], at(where, "wrong_shape_paths"))) f.wrong_shape_paths.insert(p);
    if (v.contains("delay_ms_paths"))
      for (const auto& [p, ms] : object(v["delay_ms_paths"], at(where, "delay_ms_paths")).items())
        f.delay_ms_paths[p] = integer(ms, at(at(where, "delay_ms_paths"), p), 0);
  }

  // One namespace document: the root one, or one under "namespaces".
  void space(const json& v, const std::string& where, const std::string& name, vault_state& state,
             bool root) const {
    if (root)
      only_keys(v, where, {"mounts", "secrets", "policies", "tokens", "auth", "namespaces", "faults"});
    else
      only_keys(v, where, {"mounts", "secrets", "policies", "tokens", "auth"});
    auto& ns = state.namespaces[name];
    if (v.contains("mounts"))
      mounts(v["mounts"], at(where, "mounts"), ns);
    else
      ns.mounts["secret"] = kv_mount{};  // like a dev server: kv-v2 at secret/
    // Vault's built-in default policy lets every token look itself up (it grants
    // more, none of which this stand-in serves). A seed may redefine it.
    ns.policies["default"] = policy_rules{{"auth/token/lookup-self", {"read"}}};
    if (v.contains("policies")) policies(v["policies"], at(where, "policies"), ns);
    if (v.contains("secrets")) secrets(v["secrets"], at(where, "secrets"), ns);
    if (v.contains("auth")) auth(v["auth"], at(where, "auth"), ns);
    if (v.contains("tokens")) tokens(v["tokens"], at(where, "tokens"), name, state);
  }
};

}  // namespace

std::unique_ptr<vault_state> load_seed(const std::string& file) {
  reader r{file};
  std::ifstream in(file);
  if (!in) throw seed_error(file + ": cannot read the file");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw seed_error(file + ": not valid JSON: " + e.what());
  }
  auto state = std::make_unique<vault_state>();
  r.space(r.object(doc, ""), "", "", *state, true);
  if (doc.contains("namespaces")) {
    for (const auto& [name, v] : r.object(doc["namespaces"], "namespaces").items()) {
      auto w = reader::at("namespaces", name);
      r.path_key(name, w);
      r.space(v, w, name, *state, false);
    }
    // Vault only creates a namespace under an existing parent.
    for (const auto& [name, _] : state->namespaces) {
      auto slash = name.rfind('/');
      if (slash != std::string::npos && !state->namespaces.count(name.substr(0, slash)))
        r.fail(reader::at("namespaces", name), "its parent namespace \"" + name.substr(0, slash) + "\" is not defined");
    }
  }
  if (doc.contains("faults")) r.faults(doc["faults"], "faults", state->faults);
  return state;
}

}  // namespace vault_stub
