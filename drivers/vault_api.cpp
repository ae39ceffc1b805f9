#include "drivers/vault_api.hpp"
#include "schema/json_text.hpp"

#include <algorithm>

#include "schema/model.hpp"

namespace runner {

namespace {

// Percent-encodes each segment of a Vault path, keeping the '/' between them.
std::string encode_path(const std::string& path) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

http_request base_request(const vault_request& q) {
  http_request h;
  h.ca_file = q.ca_cert;
  h.timeout = q.request_timeout;
  h.connect_timeout = std::min(q.request_timeout, std::chrono::milliseconds(10000));
  h.max_response_bytes = 4 << 20;
  if (!q.namespace_.empty())
    h.headers.push_back("X-Vault-Namespace: " + q.namespace_);
  // Vault's clients send it; it also makes Vault answer 400 instead of a browser redirect.
  h.headers.push_back("X-Vault-Request: true");
  return h;
}

std::string in_namespace(const vault_request& q) {
  return q.namespace_.empty() ? "" : " in namespace `" + q.namespace_ + "`";
}

// One of Vault's error strings on one line. Vault wraps several errors as a Go
// multierror ("2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"):
// keep just the messages.
std::string one_line(const std::string& e) {
  std::string out;
  size_t start = 0;
  bool multi = e.find(" occurred:\n") != std::string::npos;
  while (start <= e.size()) {
    size_t end = e.find('\n', start);
    if (end == std::string::npos) end = e.size();
    std::string line = e.substr(start, end - start);
    size_t b = line.find_first_not_of(" \t*");
    if (multi && line.find(" occurred:") != std::string::npos) b = std::string::npos;
    if (b != std::string::npos) {
      line = line.substr(multi ? b : line.find_first_not_of(" \t"));
      out += (out.empty() ? "" : "; ") + line;
    }
    start = end + 1;
  }
  return out;
}

// Vault's error body is {"errors": ["..."]}; the messages, joined.
std::string vault_errors(const json& body) {
  std::string out;
  if (body.is_object() && body.contains("errors") && body["errors"].is_array())
    for (auto& e : body["errors"])
      if (e.is_string() && !e.get<std::string>().empty())
        out += (out.empty() ? "" : "; ") + one_line(e.get<std::string>());
  return out;
}

// A body that is not JSON is described, never shown: it could hold anything.
std::string not_json(const vault_request& q, const http_response& r, const std::string& what) {
  std::string type = r.content_type.empty() ? "no content type" : r.content_type;
  return "Vault at " + q.url + " answered " + what + " with HTTP " + std::to_string(r.status) +
         " and a body that is not Vault's JSON (" + type + ", " + std::to_string(r.body.size()) +
         " bytes): is `url` the Vault API address, not a proxy or UI page?";
}

json parse_body(const http_response& r) { return json::parse(r.body, nullptr, false); }

std::string status_words(const http_response& r, const json& body) {
  std::string errors = vault_errors(body);
  return "HTTP " + std::to_string(r.status) + (errors.empty() ? "" : " (" + errors + ")");
}

}  // namespace

http_request vault_read_request(const vault_request& q, const std::string& token) {
  http_request h = base_request(q);
  h.method = "GET";
  h.url = q.url + "/v1/" + encode_path(q.read_path());
  if (q.version)
    h.url += "?version=" + std::to_string(*q.version);
  h.headers.push_back("X-Vault-Token: " + token);
  return h;
}

http_request vault_login_request(const vault_request& q, const std::string& credential) {
  http_request h = base_request(q);
  h.method = "POST";
  h.url = q.url + "/v1/" + encode_path(q.login_path());
  json body = q.auth == vault_auth::approle ? json{{"role_id", q.role_id}, {"secret_id", credential}}
                                            : json{{"role", q.role}, {"jwt", credential}};
  h.body = json_text(body);
  h.headers.push_back("Content-Type: application/json");
  return h;
}

bool vault_worth_retrying(const http_response& r) {
  if (r.cancelled || r.tls_problem || r.too_large)
    return false;
  if (r.status == 0)
    return true;
  return r.status == 429 || (r.status >= 500 && r.status != 501);
}

std::string describe_vault_failure(const http_response& r) {
  if (r.status == 0)
    return r.transport_error;
  json body = parse_body(r);
  return status_words(r, body);
}

vault_answer read_vault_login(const vault_request& q, const http_response& r) {
  vault_answer a;
  std::string where = q.login_path() + in_namespace(q);
  std::string who = q.auth == vault_auth::approle ? "the AppRole login (role_id `" + q.role_id + "`)"
                                                  : "the Kubernetes login as role `" + q.role + "`";
  json body = parse_body(r);
  if (r.status == 0) {
    a.error = "cannot log in to Vault at " + q.url + ": " + r.transport_error;
    return a;
  }
  if (r.status == 200) {
    if (body.is_discarded()) {
      a.error = not_json(q, r, "the login at " + where);
      return a;
    }
    if (body.is_object() && body.contains("auth") && body["auth"].is_object() &&
        body["auth"].contains("client_token") && body["auth"]["client_token"].is_string() &&
        !body["auth"]["client_token"].get<std::string>().empty()) {
      a.ok = true;
      a.value = body["auth"]["client_token"].get<std::string>();
      return a;
    }
    a.error = "Vault at " + q.url + " answered " + who + " at " + where +
              " without `auth.client_token`: is `auth_mount` (" + q.login_path() +
              ") an auth method of that type?";
    return a;
  }
  std::string hint;
  switch (r.status) {
    case 400:
      hint = q.auth == vault_auth::approle ? "check role_id and secret_id (a secret_id may be used up or expired)"
                                           : "check the role name and the service account token in jwt_file";
      break;
    case 403:
      hint = q.auth == vault_auth::approle
                 ? "check role_id and secret_id"
                 : "the role's bound service account names/namespaces must match the token in " + q.jwt_file;
      break;
    case 404:
      hint = "no auth method is enabled at `" + q.login_path().substr(0, q.login_path().size() - 6) +
             "`; set `auth_mount` to where it is mounted";
      break;
    default:
      hint = "see Vault's server log";
  }
  a.error = "Vault refused " + who + " at " + where + ": " + status_words(r, body) + "; " + hint;
  return a;
}

vault_answer read_vault_secret(const vault_request& q, const http_response& r) {
  vault_answer a;
  std::string where = "`" + q.read_path() + "`" + in_namespace(q);
  json body = parse_body(r);
  if (r.status == 0) {
    a.error = "cannot read " + where + " from Vault at " + q.url + ": " + r.transport_error;
    return a;
  }
  if (r.status == 403) {
    a.error = "permission denied: Vault refused to let " + q.auth_name() + " read " + where +
              " (" + status_words(r, body) + "); the token's policies need `read` on `" +
              q.read_path() + "`";
    return a;
  }
  if (r.status == 404) {
    // kv-v2 answers 404 for a deleted or destroyed version too, with its metadata.
    if (body.is_object() && body.contains("data") && body["data"].is_object() &&
        body["data"].contains("metadata") && body["data"]["metadata"].is_object()) {
      auto& m = body["data"]["metadata"];
      std::string version = m.contains("version") ? m["version"].dump() : "?";
      if (m.value("destroyed", false)) {
        a.error = "version " + version + " of the secret at " + where + " was destroyed";
        return a;
      }
      if (m.contains("deletion_time") && m["deletion_time"].is_string() &&
          !m["deletion_time"].get<std::string>().empty()) {
        a.error = "version " + version + " of the secret at " + where + " was deleted at " +
                  m["deletion_time"].get<std::string>() + "; undelete it or read another `version`";
        return a;
      }
    }
    a.error = "no such secret: Vault has nothing at " + where + " (mount `" + q.mount + "`, path `" +
              q.path + "`" + (q.engine == vault_engine::kv_v2 ? ", kv-v2" : ", kv-v1") +
              "); check `mount`, `path`" +
              (q.engine == vault_engine::kv_v2 ? " and whether the mount is kv-v1 (`engine: kv-v1`)"
                                               : " and whether the mount is kv-v2 (`engine: kv-v2`)");
    return a;
  }
  if (r.status != 200) {
    a.error = "Vault at " + q.url + " could not read " + where + ": " + status_words(r, body);
    return a;
  }
  if (body.is_discarded()) {
    a.error = not_json(q, r, "the read of " + where);
    return a;
  }
  const json* data = nullptr;
  if (body.is_object() && body.contains("data") && body["data"].is_object()) {
    data = &body["data"];
    if (q.engine == vault_engine::kv_v2) {
      if (!data->contains("data") || !(*data)["data"].is_object()) {
        a.error = "Vault's answer for " + where +
                  " has no `data.data`: is mount `" + q.mount + "` a kv-v1 engine? then set `engine: kv-v1`";
        return a;
      }
      data = &(*data)["data"];
    }
  }
  if (!data) {
    a.error = "Vault at " + q.url + " answered the read of " + where +
              " with JSON that has no `data` object: is `url` a Vault server?";
    return a;
  }
  auto it = data->find(q.secret_name);
  if (it == data->end()) {
    std::string keys;
    for (auto& [k, v] : data->items()) keys += (keys.empty() ? "" : ", ") + k;
    a.error = "no such key: the secret at " + where + " has no key `" + q.secret_name + "`" +
              (keys.empty() ? " (it has no keys)" : " (its keys: " + keys + ")");
    return a;
  }
  a.ok = true;
  a.value = it->is_string() ? it->get<std::string>() : it->dump();
  return a;
}

}  // namespace runner
