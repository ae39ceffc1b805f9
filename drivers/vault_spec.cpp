#include "drivers/vault_spec.hpp"

#include <set>
#include <vector>

#include "schema/duration.hpp"
#include "schema/suggest.hpp"

namespace runner {

const char* const vault_spec_fields[] = {
    "url",      "engine",    "mount",          "path",      "secret_name", "version",
    "namespace", "ca_cert",  "token",          "token_file", "role_id",    "secret_id",
    "secret_id_file", "role", "jwt_file",      "auth_mount", "request_timeout", "retries",
    "artifact", nullptr};

std::string vault_request::login_path() const {
  std::string m = auth_mount;
  if (m.empty())
    m = auth == vault_auth::approle ? "approle" : "kubernetes";
  return "auth/" + m + "/login";
}

std::string vault_request::read_path() const {
  return mount + (engine == vault_engine::kv_v2 ? "/data/" : "/") + path;
}

std::string vault_request::auth_name() const {
  std::string who;
  switch (auth) {
    case vault_auth::token: who = token_file.empty() ? "token auth" : "token auth (" + token_file + ")"; break;
    case vault_auth::approle: who = "AppRole auth (role_id `" + role_id + "`)"; break;
    case vault_auth::kubernetes: who = "Kubernetes auth (role `" + role + "`)"; break;
  }
  if (node_credentials)
    who += " from the runner config";
  return who;
}

namespace {

// A "/a//b/" path becomes "a/b"; Vault's own paths never begin or end with '/'.
std::string trim_slashes(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] != '/' || (!out.empty() && out.back() != '/'))
      out += s[i];
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

class reader {
 public:
  reader(const json& spec, spec_problems* problems) : spec_(spec), problems_(problems) {}

  void problem(const std::string& field, std::string message, std::string hint) {
    ok_ = false;
    if (problems_)
      problems_->report(field.empty() ? "" : "/" + field, std::move(message), std::move(hint));
  }

  bool has(const char* field) const { return spec_.contains(field) && !spec_[field].is_null(); }

  std::string text(const char* field, const std::string& example) {
    if (!has(field))
      return {};
    const json& v = spec_[field];
    if (v.is_string())
      return v.get<std::string>();
    if (v.is_number_integer())
      return v.dump();
    problem(field, "`" + std::string(field) + "` must be a single value, not " +
                       (v.is_object() ? "a mapping" : v.is_array() ? "a list" : "a " + std::string(v.type_name())),
            "write `" + std::string(field) + ": " + example + "`");
    return {};
  }

  bool ok() const { return ok_; }
  const json& spec() const { return spec_; }

 private:
  const json& spec_;
  spec_problems* problems_;
  bool ok_ = true;
};

}  // namespace

std::optional<vault_request> read_vault_spec(const json& spec, const vault_node_access& node,
                                             spec_problems* problems) {
  if (!spec.is_object()) {
    if (problems)
      problems->report("", "a vault task's `spec` must be a mapping",
                       "spec: {url: https://vault:8200, path: db, secret_name: password, token_file: /run/token}");
    return std::nullopt;
  }
  reader r(spec, problems);
  std::vector<std::string> known;
  for (auto f = vault_spec_fields; *f; ++f) known.emplace_back(*f);
  for (auto& [key, value] : spec.items())
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string guess = closest_match(key, known);
      r.problem(key, "unknown vault field `" + key + "`",
                guess.empty() ? "vault takes " + quoted_list(known) : "did you mean `" + guess + "`?");
    }

  vault_request q;
  q.url = r.text("url", "https://vault.example.com:8200");
  while (!q.url.empty() && q.url.back() == '/') q.url.pop_back();
  q.path = trim_slashes(r.text("path", "team/db"));
  q.secret_name = r.text("secret_name", "password");
  if (r.has("mount"))
    q.mount = trim_slashes(r.text("mount", "secret"));
  q.namespace_ = r.text("namespace", "team-a");
  q.ca_cert = r.text("ca_cert", "/etc/ssl/vault-ca.pem");
  q.token = r.text("token", "\"{{ .login.token }}\"");
  q.token_file = r.text("token_file", "/run/secrets/vault-token");
  q.role_id = r.text("role_id", "<role id>");
  q.secret_id = r.text("secret_id", "\"{{ .approle.secret_id }}\"");
  q.secret_id_file = r.text("secret_id_file", "/run/secrets/secret-id");
  q.role = r.text("role", "ci");
  q.jwt_file = r.text("jwt_file", "/var/run/secrets/kubernetes.io/serviceaccount/token");
  q.auth_mount = trim_slashes(r.text("auth_mount", "approle"));

  std::string engine = r.text("engine", "kv-v2");
  if (engine == "kv-v1" || engine == "kv1")
    q.engine = vault_engine::kv_v1;
  else if (!engine.empty() && engine != "kv-v2" && engine != "kv2")
    r.problem("engine", "unknown vault engine `" + engine + "`",
              "write `engine: kv-v2` (the default) or `engine: kv-v1`");

  if (r.has("version")) {
    const json& v = spec["version"];
    if (!v.is_number_integer() || v.get<long>() < 0)
      r.problem("version", "`version` must be a whole number (0 = the latest)", "write `version: 3`");
    else if (q.engine == vault_engine::kv_v1)
      r.problem("version", "`version` needs `engine: kv-v2`; a kv-v1 secret has no versions",
                "remove `version`");
    else if (v.get<long>() > 0)
      q.version = v.get<long>();
  }
  if (r.has("request_timeout")) {
    auto d = parse_duration(r.text("request_timeout", "30s"));
    if (!d || d->count() <= 0)
      r.problem("request_timeout", "`request_timeout` is not a duration", "write `request_timeout: 30s`");
    else
      q.request_timeout = *d;
  }
  if (r.has("retries")) {
    const json& v = spec["retries"];
    if (!v.is_number_integer() || v.get<long>() < 0 || v.get<long>() > 20)
      r.problem("retries", "`retries` must be a whole number from 0 to 20", "write `retries: 3`");
    else
      q.retries = static_cast<int>(v.get<long>());
  }

  if (q.path.empty())
    r.problem(r.has("path") ? "path" : "", "vault needs the secret's `path` inside its mount",
              "write `path: team/db` (for `vault kv get secret/team/db`)");
  if (q.secret_name.empty())
    r.problem(r.has("secret_name") ? "secret_name" : "",
              "vault needs `secret_name`, the key inside the secret to export",
              "write `secret_name: password`");
  if (q.mount.empty())
    r.problem("mount", "`mount` is empty", "write `mount: secret`, the KV engine's mount path");

  // Exactly one way to log in, from the spec or else from the node.
  int ways = (!q.token.empty() || !q.token_file.empty()) + (!q.role_id.empty() || !q.secret_id.empty() || !q.secret_id_file.empty()) +
             (!q.role.empty() || r.has("jwt_file"));
  if (ways > 1)
    r.problem("", "a vault task logs in one way: `token`/`token_file`, `role_id` + `secret_id` "
                  "(AppRole) or `role` + `jwt_file` (Kubernetes)",
              "keep the fields of one of them");
  if (!q.token.empty() && !q.token_file.empty())
    r.problem("token_file", "`token` and `token_file` both given", "keep one of them");
  if (!q.secret_id.empty() && !q.secret_id_file.empty())
    r.problem("secret_id_file", "`secret_id` and `secret_id_file` both given", "keep one of them");
  bool own_auth = ways > 0;
  bool nodes_vault = node.configured() && (q.url.empty() || q.url == node.url);
  if (nodes_vault) {
    q.url = node.url;
    if (q.namespace_.empty()) q.namespace_ = node.namespace_;
    if (q.ca_cert.empty()) q.ca_cert = node.ca_cert;
  }
  if (!own_auth && nodes_vault) {
    q.token_file = node.token_file;
    q.role_id = node.role_id;
    q.secret_id_file = node.secret_id_file;
    q.role = node.role;
    q.jwt_file = node.jwt_file;
    if (q.auth_mount.empty()) q.auth_mount = node.auth_mount;
    q.node_credentials = true;
  } else if (q.url.empty()) {
    r.problem("", "vault needs `url`, the Vault server's address",
              "write `url: https://vault.example.com:8200`, or forward the task to a runner whose "
              "config has a `vault:` section");
  }
  if (!q.role_id.empty() || !q.secret_id.empty() || !q.secret_id_file.empty()) {
    q.auth = vault_auth::approle;
    if (q.role_id.empty() || (q.secret_id.empty() && q.secret_id_file.empty()))
      r.problem("", "AppRole auth needs both `role_id` and `secret_id` (or `secret_id_file`)",
                "write `role_id: <id>` and `secret_id: \"{{ .approle.secret_id }}\"`");
  } else if (!q.role.empty() || !q.jwt_file.empty()) {
    q.auth = vault_auth::kubernetes;
    if (q.role.empty())
      r.problem("jwt_file", "Kubernetes auth needs `role`", "write `role: ci`, the Vault role to log in as");
    if (q.jwt_file.empty())
      q.jwt_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  } else if (q.token.empty() && q.token_file.empty() && !q.url.empty()) {
    r.problem("", !node.configured() || nodes_vault
                      ? "vault needs a way to log in"
                      : "vault needs a way to log in: this runner's own Vault credentials are only "
                        "sent to its own Vault (" + node.url + ")",
              "give `token_file` (or `token`), `role_id` + `secret_id` (AppRole) or `role` + "
              "`jwt_file` (Kubernetes)");
  }
  if (!q.url.empty() && q.url.rfind("https://", 0) != 0 && q.url.rfind("http://", 0) != 0 &&
      q.url.find("{{") == std::string::npos)
    r.problem("url", "`url` must start with https:// (or http:// for a local dev server)",
              "write `url: https://vault.example.com:8200`");
  if (!r.ok())
    return std::nullopt;
  return q;
}

}  // namespace runner
