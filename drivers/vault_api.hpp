#pragma once
// Vault's HTTP API as the vault task uses it, as plain functions: the requests
// (KV v1/v2 reads, AppRole and Kubernetes logins) and what their answers mean,
// including the errors a user can act on. No I/O here: vault_driver does that.
#include <string>

#include "drivers/http_client.hpp"
#include "drivers/vault_spec.hpp"

namespace runner {

// GET {url}/v1/{mount}/data/{path}[?version=N] (kv-v2) or {url}/v1/{mount}/{path} (kv-v1).
http_request vault_read_request(const vault_request& q, const std::string& token);
// POST {url}/v1/auth/{mount}/login with {"role_id","secret_id"} or {"role","jwt"}.
http_request vault_login_request(const vault_request& q, const std::string& credential);

// Connection errors, timeouts, 429 and 5xx other than 501 may pass; the rest
// (TLS problems, 4xx) will not, so they are not retried. Vault's own client
// retries the same set.
bool vault_worth_retrying(const http_response& r);

struct vault_answer {
  bool ok = false;
  std::string value;  // the client token (login) or the secret's value (read)
  std::string error;  // when !ok: what happened and what to do
};

vault_answer read_vault_login(const vault_request& q, const http_response& r);
vault_answer read_vault_secret(const vault_request& q, const http_response& r);

// "couldn't connect to server" / "503 Vault is sealed": what a failed exchange
// was, for the message after the last retry.
std::string describe_vault_failure(const http_response& r);

}  // namespace runner
