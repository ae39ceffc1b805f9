#include "tests/vault_server/vault_api.hpp"

#include <algorithm>

#include "tests/vault_server/vault_http.hpp"

namespace vault_stub {

void stop_signal::trigger() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
  }
  cv_.notify_all();
}

bool stop_signal::wait_for(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mutex_);
  return cv_.wait_for(lock, d, [&] { return stopped_; });
}

namespace {

using httplib::Request;
using httplib::Response;

// Messages as Vault's sources spell them (vault/request_handling.go,
// sdk/logical/error.go, builtin/credential/approle/path_login.go,
// vault-plugin-auth-kubernetes path_login.go, vault-plugin-secrets-kv backend.go).
const char* const permission_denied = "permission denied";
const char* const invalid_token = "invalid token";
const char* const unsupported_operation = "unsupported operation";
const char* const unsupported_path = "unsupported path";

std::string trim_slashes(std::string s) {
  while (!s.empty() && s.front() == '/') s.erase(s.begin());
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

ordered_json sorted_map(const string_map& m) {
  ordered_json out = ordered_json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

// Vault reads a string field "weakly": numbers become strings, absent or null is "".
std::string string_field(const nlohmann::json& body, const char* key) {
  if (!body.contains(key) || body[key].is_null()) return "";
  const auto& v = body[key];
  std::string s = v.is_string() ? v.get<std::string>() : v.is_primitive() ? v.dump() : "";
  auto b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

class api {
 public:
  api(vault_state& state, stop_signal& stop) : state_(state), stop_(stop) {}

  void handle(const Request& req, Response& res) {
    // A sealed Vault answers everything, health included, with 503.
    if (state_.count_request_sealed()) return sealed(req, res);
    if (!starts_with(req.path, "/v1/")) {
      // Outside /v1/ Vault serves its UI or Go's plain 404.
      res.status = 404;
      res.set_content("404 page not found\n", "text/plain; charset=utf-8");
      return;
    }
    std::string api_path = req.path.substr(4);
    while (!api_path.empty() && api_path.front() == '/') api_path.erase(api_path.begin());
    if (api_path == "sys/health") return health(req, res);

    // The namespace is the X-Vault-Namespace header and/or a prefix of the path;
    // Vault Enterprise joins both.
    std::string header_ns = trim_slashes(req.get_header_value("X-Vault-Namespace"));
    std::string full = header_ns.empty() ? api_path : header_ns + "/" + api_path;
    if (fault(full, res)) return;
    auto [ns_name, path] = state_.split_namespace(full);
    const auto& ns = state_.namespaces.at(ns_name);

    if (req.method == "OPTIONS") return send_errors(res, 405, {});  // no CORS configured
    if (auto login = login_mount(ns, path)) return do_login(req, res, ns_name, path, *login);

    auto token = authenticate(req, res);
    if (!token) return;
    std::string capability = capability_for(req);
    if (!state_.allowed(*token, ns_name, path, capability))
      return send_errors(res, 403, {multierror({permission_denied})});
    route(req, res, *token, ns, path);
  }

 private:
  vault_state& state_;
  stop_signal& stop_;

  void sealed(const Request& req, Response& res) {
    std::string api_path = trim_slashes(req.path.size() > 4 ? req.path.substr(4) : "");
    if (api_path == "sys/health") return health_answer(req, res, true);
    send_errors(res, 503, {"Vault is sealed"});
  }

  void health(const Request& req, Response& res) { health_answer(req, res, false); }

  // http/sys_health.go: GET and HEAD only; status codes overridable by query.
  void health_answer(const Request& req, Response& res, bool sealed) {
    if (req.method != "GET" && req.method != "HEAD") return send_errors(res, 405, {});
    int code = sealed ? 503 : 200;
    const char* param = sealed ? "sealedcode" : "activecode";
    if (req.has_param(param)) {
      try {
        code = std::stoi(req.get_param_value(param));
      } catch (const std::exception&) {
        return send_errors(res, 400, {});
      }
    }
    ordered_json body{{"initialized", true},
                      {"sealed", sealed},
                      {"standby", sealed},
                      {"performance_standby", false},
                      {"replication_performance_mode", sealed ? "unknown" : "disabled"},
                      {"replication_dr_mode", sealed ? "unknown" : "disabled"},
                      {"server_time_utc", unix_now()},
                      {"version", "1.15.6+ent"}};
    if (!sealed) {
      body["cluster_name"] = "vault-cluster-stand-in";
      body["cluster_id"] = cluster_id();
    }
    send_json(res, code, body);
  }

  static const std::string& cluster_id() {
    static const std::string id = random_uuid();
    return id;
  }

  // The fault knobs, matched on the namespace-qualified API path.
  bool fault(const std::string& full, Response& res) {
    auto delay = state_.faults.delay_ms_paths.find(full);
    if (delay != state_.faults.delay_ms_paths.end() &&
        stop_.wait_for(std::chrono::milliseconds(delay->second))) {
      send_errors(res, 503, {"vault_api_server is stopping"});
      return true;
    }
    if (state_.faults.non_json_paths.count(full)) {
      res.status = 200;
      res.set_content("<html><head><title>Proxy</title></head><body>Not Vault</body></html>\n",
                      "text/html; charset=utf-8");
      return true;
    }
    if (state_.faults.wrong_shape_paths.count(full)) {
      send_json(res, 200, ordered_json{{"hello", "world"}});
      return true;
    }
    return false;
  }

  // "auth/<mount>/login" for an AppRole or Kubernetes mount of this namespace.
  static const auth_mount* login_mount(const vault_namespace& ns, const std::string& path) {
    const std::string suffix = "/login";
    if (!starts_with(path, "auth/") || path.size() <= 5 + suffix.size() ||
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0)
      return nullptr;
    auto it = ns.auth.find(path.substr(5, path.size() - 5 - suffix.size()));
    return it == ns.auth.end() ? nullptr : &it->second;
  }

  std::optional<token_entry> authenticate(const Request& req, Response& res) {
    // X-Vault-Token wins; "Authorization: Bearer" is the fallback (http/handler.go).
    std::string id = req.get_header_value("X-Vault-Token");
    if (id.empty()) {
      std::string authz = req.get_header_value("Authorization");
      if (starts_with(authz, "Bearer ")) id = authz.substr(7);
    }
    if (id.empty()) {
      send_errors(res, 403, {permission_denied});
      return std::nullopt;
    }
    auto token = state_.find_token(id);
    // Current Vault names both causes for an unknown, revoked or expired token
    // (docs/concepts/tokens "Error responses"); a missing one is a bare denial.
    if (!token) send_errors(res, 403, {multierror({permission_denied, invalid_token})});
    return token;
  }

  static std::string capability_for(const Request& req) {
    if (req.method == "GET" || req.method == "HEAD")
      return req.get_param_value("list") == "true" ? "list" : "read";
    if (req.method == "DELETE") return "delete";
    if (req.method == "PATCH") return "patch";
    return "update";  // POST, PUT (Vault tells create from update by existence; no writes here)
  }

  void route(const Request& req, Response& res, const token_entry& token, const vault_namespace& ns,
             const std::string& path) {
    bool read = (req.method == "GET" || req.method == "HEAD") && req.get_param_value("list") != "true";
    if (path == "auth/token/lookup-self") {
      if (!read) return send_errors(res, 405, {multierror({unsupported_operation})});
      return lookup_self(res, token);
    }
    const std::string* mount_name = nullptr;
    for (const auto& [name, _] : ns.mounts)
      if ((path == name || starts_with(path, name + "/")) && (!mount_name || name.size() > mount_name->size()))
        mount_name = &name;
    if (mount_name) {
      const auto& mount = ns.mounts.at(*mount_name);
      std::string sub = path.size() > mount_name->size() ? path.substr(mount_name->size() + 1) : "";
      if (mount.version == 1) return kv1(req, res, mount, sub, read);
      return kv2(req, res, mount, sub, read);
    }
    if (starts_with(path, "sys/") || starts_with(path, "auth/token/") || login_prefix(ns, path))
      return send_errors(res, 404, {multierror({unsupported_path})});
    // vault/router.go, for a path under no mount at all.
    send_errors(res, 404, {"no handler for route \"" + path + "\". route entry not found."});
  }

  static bool login_prefix(const vault_namespace& ns, const std::string& path) {
    for (const auto& [name, _] : ns.auth)
      if (starts_with(path, "auth/" + name + "/")) return true;
    return false;
  }

  void lookup_self(Response& res, const token_entry& t) {
    int64_t now = unix_now();
    ordered_json meta = t.metadata.empty() ? ordered_json(nullptr) : sorted_map(t.metadata);
    ordered_json data{{"accessor", t.accessor},
                      {"creation_time", t.creation_time},
                      {"creation_ttl", t.ttl},
                      {"display_name", t.display_name},
                      {"entity_id", t.entity_id},
                      {"expire_time", t.ttl > 0 ? ordered_json(rfc3339(t.creation_time + t.ttl)) : ordered_json(nullptr)},
                      {"explicit_max_ttl", 0},
                      {"id", t.id},
                      {"issue_time", rfc3339(t.creation_time)},
                      {"meta", meta},
                      {"num_uses", 0},
                      {"orphan", t.orphan},
                      {"path", t.path},
                      {"policies", t.policies},
                      {"renewable", t.renewable},
                      {"ttl", t.ttl > 0 ? std::max<int64_t>(0, t.creation_time + t.ttl - now) : 0},
                      {"type", "service"}};
    send_json(res, 200, envelope(data, "token"));
  }

  // KV v1 (the passthrough backend): the secret map is `data`, with the mount's
  // default 32-day TTL as lease_duration but no lease.
  void kv1(const Request& req, Response& res, const kv_mount& mount, const std::string& sub, bool read) {
    if (!read) return send_errors(res, 405, {multierror({unsupported_operation})});
    auto it = mount.secrets.find(sub);
    if (it == mount.secrets.end()) return send_errors(res, 404, {});
    send_json(res, 200, envelope(sorted_map(it->second.data), "kv", 2764800));
  }

  void kv2(const Request& req, Response& res, const kv_mount& mount, const std::string& sub, bool read) {
    static const std::vector<std::string> roots{"data", "metadata", "delete", "undelete", "destroy"};
    if (std::find(roots.begin(), roots.end(), sub) != roots.end())
      return send_json(res, 404, envelope(nullptr, "kv", 0, nullptr,
                                          {"Non-listing operations on the root of a K/V v2 mount are not supported."}));
    if (!starts_with(sub, "data/")) {
      for (const char* p : {"metadata/", "delete/", "undelete/", "destroy/", "subkeys/"})
        if (starts_with(sub, p)) return send_errors(res, 404, {multierror({unsupported_path})});
      if (sub == "config") return send_errors(res, 404, {multierror({unsupported_path})});
      // backend.go pathInvalid: a v1-style path on a v2 mount.
      std::string verb = req.method == "GET" || req.method == "HEAD" ? (read ? "get" : "list")
                         : req.method == "DELETE"                    ? "delete"
                         : req.method == "PATCH"                     ? "patch"
                                                                     : "put";
      return send_json(res, 404,
                       envelope(nullptr, "kv", 0, nullptr,
                                {"Invalid path for a versioned K/V secrets engine. See the API docs for the "
                                 "appropriate API endpoints to use. If using the Vault CLI, use 'vault kv " +
                                 verb + "' for this operation."}));
    }
    if (!read) return send_errors(res, 405, {multierror({unsupported_operation})});
    auto it = mount.secrets.find(sub.substr(5));
    if (it == mount.secrets.end()) return send_errors(res, 404, {});
    const auto& s = it->second;
    if (req.has_param("version")) {
      int version = 0;
      try {
        version = std::stoi(req.get_param_value("version"));
      } catch (const std::exception&) {
        return send_errors(res, 400, {multierror({"error converting input " + req.get_param_value("version") +
                                                  " for field \"version\""})});
      }
      // Only the current version is seeded; any other one is as absent as a
      // version that never existed (path_data.go returns no response: 404).
      if (version != 0 && version != s.version) return send_errors(res, 404, {});
    }
    ordered_json metadata{{"created_time", s.created_time},
                          {"custom_metadata", s.custom_metadata.is_null() ? ordered_json(nullptr)
                                                                          : ordered_json(s.custom_metadata)},
                          {"deletion_time", ""},
                          {"destroyed", false},
                          {"version", s.version}};
    send_json(res, 200, envelope({{"data", sorted_map(s.data)}, {"metadata", metadata}}, "kv"));
  }

  void do_login(const Request& req, Response& res, const std::string& ns_name, const std::string& path,
                const auth_mount& mount) {
    // Login paths are unauthenticated and answer with bare (not multierror) errors.
    if (req.method != "POST" && req.method != "PUT") return send_errors(res, 405, {unsupported_operation});
    nlohmann::json body = nlohmann::json::object();
    if (!req.body.empty()) {
      body = nlohmann::json::parse(req.body, nullptr, false);
      if (body.is_discarded() || !body.is_object()) return send_errors(res, 400, {"error parsing JSON"});
    }
    std::string mount_path = path.substr(5, path.size() - 5 - 6);
    if (mount.type == "approle") return approle_login(res, ns_name, path, mount_path, mount, body);
    kubernetes_login(res, ns_name, path, mount_path, mount, body);
  }

  void approle_login(Response& res, const std::string& ns_name, const std::string& path,
                     const std::string& mount_path, const auth_mount& mount, const nlohmann::json& body) {
    std::string role_id = string_field(body, "role_id");
    if (role_id.empty()) return send_errors(res, 400, {"missing role_id"});
    for (const auto& [name, role] : mount.approle_roles) {
      if (role.role_id != role_id) continue;
      if (role.bind_secret_id) {
        std::string secret_id = string_field(body, "secret_id");
        if (secret_id.empty()) return send_errors(res, 400, {"missing secret_id"});
        if (std::find(role.secret_ids.begin(), role.secret_ids.end(), secret_id) == role.secret_ids.end())
          return send_errors(res, 400, {"invalid role or secret ID"});
      }
      auto t = state_.issue_token(ns_name, role.policies, mount_path, path, {{"role_name", name}}, role.token_ttl);
      return send_auth(res, t);
    }
    send_errors(res, 400, {"invalid role or secret ID"});
  }

  void kubernetes_login(Response& res, const std::string& ns_name, const std::string& path,
                        const std::string& mount_path, const auth_mount& mount, const nlohmann::json& body) {
    std::string role_name = string_field(body, "role");
    if (role_name.empty()) return send_errors(res, 400, {"missing role"});
    std::string jwt = string_field(body, "jwt");
    if (jwt.empty()) return send_errors(res, 400, {"missing jwt"});
    auto it = mount.kubernetes_roles.find(role_name);
    if (it == mount.kubernetes_roles.end())
      return send_errors(res, 400, {"invalid role name \"" + role_name + "\""});
    const auto& role = it->second;
    // Real Vault asks the Kubernetes TokenReview API; a rejected JWT is a bare
    // "permission denied" from the login handler.
    if (std::find(role.jwts.begin(), role.jwts.end(), jwt) == role.jwts.end())
      return send_errors(res, 403, {permission_denied});
    string_map metadata{{"role", role_name},
                        {"service_account_name", role.service_account_name},
                        {"service_account_namespace", role.service_account_namespace},
                        {"service_account_secret_name", ""},
                        {"service_account_uid", random_uuid()}};
    auto t = state_.issue_token(ns_name, role.policies,
                                mount_path + "-" + role.service_account_namespace + "-" + role.service_account_name,
                                path, metadata, role.token_ttl);
    send_auth(res, t);
  }

  void send_auth(Response& res, const token_entry& t) {
    ordered_json auth{{"client_token", t.id},
                      {"accessor", t.accessor},
                      {"policies", t.policies},
                      {"token_policies", t.policies},
                      {"metadata", sorted_map(t.metadata)},
                      {"lease_duration", t.ttl},
                      {"renewable", t.renewable},
                      {"entity_id", t.entity_id},
                      {"token_type", "service"},
                      {"orphan", t.orphan},
                      {"mfa_requirement", nullptr},
                      {"num_uses", 0}};
    send_json(res, 200, envelope(nullptr, "", 0, auth));
  }
};

}  // namespace

void install_routes(httplib::Server& server, vault_state& state, stop_signal& stop) {
  auto shared = std::make_shared<api>(state, stop);
  auto handler = [shared](const Request& req, Response& res) { shared->handle(req, res); };
  // One catch-all handler per method httplib knows (HEAD goes to the GET one).
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Put(".*", handler);
  server.Patch(".*", handler);
  server.Delete(".*", handler);
  server.Options(".*", handler);
}

}  // namespace vault_stub
