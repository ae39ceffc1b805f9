// Vault's HTTP API as the vault task speaks it: request shapes and what each
// kind of answer becomes (the value, or an error a user can act on).
#include <gtest/gtest.h>

#include "drivers/vault_api.hpp"

namespace runner {
namespace {

vault_request request(vault_engine engine = vault_engine::kv_v2) {
  vault_request q;
  q.url = "https://vault:8200";
  q.engine = engine;
  q.mount = "secret";
  q.path = "team a/db";
  q.secret_name = "password";
  q.namespace_ = "ns1";
  q.token = "hvs.t";
  return q;
}

http_response answer(long status, std::string body, std::string type = "application/json") {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(type);
  return r;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(VaultApi, ReadRequests) {
  auto q = request();
  q.version = 3;
  auto h = vault_read_request(q, "hvs.t");
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.url, "https://vault:8200/v1/secret/data/team%20a/db?version=3");
  EXPECT_NE(std::find(h.headers.begin(), h.headers.end(), "X-Vault-Token: hvs.t"), h.headers.end());
  EXPECT_NE(std::find(h.headers.begin(), h.headers.end(), "X-Vault-Namespace: ns1"), h.headers.end());
  auto v1 = vault_read_request(request(vault_engine::kv_v1), "t");
  EXPECT_EQ(v1.url, "https://vault:8200/v1/secret/team%20a/db");
}

TEST(VaultApi, LoginRequests) {
  auto q = request();
  q.auth = vault_auth::approle;
  q.role_id = "rid";
  auto h = vault_login_request(q, "sid");
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.url, "https://vault:8200/v1/auth/approle/login");
  EXPECT_EQ(json::parse(h.body), (json{{"role_id", "rid"}, {"secret_id", "sid"}}));
  q.auth = vault_auth::kubernetes;
  q.role = "ci";
  q.auth_mount = "k8s";
  auto k = vault_login_request(q, "jwt");
  EXPECT_EQ(k.url, "https://vault:8200/v1/auth/k8s/login");
  EXPECT_EQ(json::parse(k.body), (json{{"role", "ci"}, {"jwt", "jwt"}}));
}

TEST(VaultApi, SecretValues) {
  auto v2 = read_vault_secret(request(), answer(200, R"({"data":{"data":{"password":"s3cret","n":5},"metadata":{"version":2}}})"));
  ASSERT_TRUE(v2.ok) << v2.error;
  EXPECT_EQ(v2.value, "s3cret");
  auto v1 = read_vault_secret(request(vault_engine::kv_v1), answer(200, R"({"data":{"password":"p1"},"lease_duration":2764800})"));
  ASSERT_TRUE(v1.ok) << v1.error;
  EXPECT_EQ(v1.value, "p1");
  auto q = request();
  q.secret_name = "n";
  EXPECT_EQ(read_vault_secret(q, answer(200, R"({"data":{"data":{"n":5}}})")).value, "5");
}

TEST(VaultApi, ErrorsSayWhatToDo) {
  auto denied = read_vault_secret(request(), answer(403, R"({"errors":["permission denied"]})"));
  EXPECT_FALSE(denied.ok);
  EXPECT_TRUE(has(denied.error, "permission denied: Vault refused to let token auth read `secret/data/team a/db` in namespace `ns1` (HTTP 403 (permission denied))")) << denied.error;
  EXPECT_TRUE(has(denied.error, "need `read` on `secret/data/team a/db`")) << denied.error;
  auto missing = read_vault_secret(request(), answer(404, R"({"errors":[]})"));
  EXPECT_TRUE(has(missing.error, "no such secret: Vault has nothing at `secret/data/team a/db`")) << missing.error;
  EXPECT_TRUE(has(missing.error, "engine: kv-v1")) << missing.error;
  auto no_key = read_vault_secret(request(), answer(200, R"({"data":{"data":{"user":"u","host":"h"}}})"));
  EXPECT_TRUE(has(no_key.error, "has no key `password` (its keys: host, user)")) << no_key.error;
  auto deleted = read_vault_secret(request(), answer(404, R"({"data":{"data":null,"metadata":{"version":4,"deletion_time":"2026-01-01T00:00:00Z","destroyed":false}}})"));
  EXPECT_TRUE(has(deleted.error, "version 4 of the secret at `secret/data/team a/db` in namespace `ns1` was deleted at 2026-01-01T00:00:00Z")) << deleted.error;
  auto html = read_vault_secret(request(), answer(200, "<html>login</html>", "text/html"));
  EXPECT_TRUE(has(html.error, "a body that is not Vault's JSON (text/html, 18 bytes)")) << html.error;
  EXPECT_FALSE(has(html.error, "login"));
  auto shape = read_vault_secret(request(), answer(200, R"({"hello":"world"})"));
  EXPECT_TRUE(has(shape.error, "JSON that has no `data` object")) << shape.error;
  auto v1_as_v2 = read_vault_secret(request(), answer(200, R"({"data":{"password":"x"}})"));
  EXPECT_TRUE(has(v1_as_v2.error, "set `engine: kv-v1`")) << v1_as_v2.error;
}

TEST(VaultApi, LoginAnswers) {
  auto q = request();
  q.auth = vault_auth::approle;
  q.role_id = "rid";
  auto ok = read_vault_login(q, answer(200, R"({"auth":{"client_token":"hvs.new","policies":["p"]}})"));
  ASSERT_TRUE(ok.ok);
  EXPECT_EQ(ok.value, "hvs.new");
  auto bad = read_vault_login(q, answer(400, R"({"errors":["invalid role or secret ID"]})"));
  EXPECT_TRUE(has(bad.error, "Vault refused the AppRole login (role_id `rid`) at auth/approle/login in namespace `ns1`: HTTP 400 (invalid role or secret ID)")) << bad.error;
  auto nowhere = read_vault_login(q, answer(404, R"({"errors":["no handler for route"]})"));
  EXPECT_TRUE(has(nowhere.error, "set `auth_mount`")) << nowhere.error;
  auto empty = read_vault_login(q, answer(200, R"({"auth":null})"));
  EXPECT_TRUE(has(empty.error, "without `auth.client_token`")) << empty.error;
}

TEST(VaultApi, WhatIsRetried) {
  http_response refused;
  refused.transport_error = "Couldn't connect to server";
  EXPECT_TRUE(vault_worth_retrying(refused));
  EXPECT_TRUE(vault_worth_retrying(answer(503, R"({"errors":["Vault is sealed"]})")));
  EXPECT_TRUE(vault_worth_retrying(answer(429, "{}")));
  EXPECT_FALSE(vault_worth_retrying(answer(501, "{}")));
  EXPECT_FALSE(vault_worth_retrying(answer(403, "{}")));
  http_response tls = refused;
  tls.tls_problem = true;
  EXPECT_FALSE(vault_worth_retrying(tls));
  EXPECT_EQ(describe_vault_failure(answer(503, R"({"errors":["Vault is sealed"]})")),
            "HTTP 503 (Vault is sealed)");
  EXPECT_EQ(describe_vault_failure(answer(
                403, R"({"errors":["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"]})")),
            "HTTP 403 (permission denied; invalid token)");
}

}  // namespace
}  // namespace runner
