// The vault task's spec: fields, auth choices, defaults from the node's own
// Vault access, and the rule that the node's credentials only go to its Vault.
#include <gtest/gtest.h>

#include "drivers/vault_spec.hpp"

namespace runner {
namespace {

struct checked {
  std::optional<vault_request> request;
  diagnostics problems;
  std::string all() const {
    std::string out;
    for (auto& d : problems) out += d.message + " | " + d.hint + "\n";
    return out;
  }
};

checked read(json spec, vault_node_access node = {}) {
  task_decl t;
  t.name = "fetch";
  t.type = "vault";
  t.spec = spec;
  checked c;
  spec_problems p(t, "g.yaml", c.problems);
  c.request = read_vault_spec(t.spec, node, &p);
  return c;
}

vault_node_access node_b() {
  vault_node_access n;
  n.url = "https://vault.b:8200";
  n.token_file = "/etc/runner/vault-token";
  n.namespace_ = "team-b";
  n.ca_cert = "/etc/runner/vault-ca.pem";
  return n;
}

TEST(VaultSpec, TokenAuthKvV2Defaults) {
  auto c = read({{"url", "https://vault:8200/"}, {"path", "/team/db/"}, {"secret_name", "password"},
                 {"token", "hvs.x"}});
  ASSERT_TRUE(c.request) << c.all();
  auto& q = *c.request;
  EXPECT_EQ(q.url, "https://vault:8200");
  EXPECT_EQ(q.engine, vault_engine::kv_v2);
  EXPECT_EQ(q.read_path(), "secret/data/team/db");
  EXPECT_EQ(q.auth, vault_auth::token);
  EXPECT_EQ(q.retries, 3);
}

TEST(VaultSpec, KvV1AppRoleAndKubernetes) {
  auto v1 = read({{"url", "http://127.0.0.1:8200"}, {"engine", "kv-v1"}, {"mount", "kv"},
                  {"path", "db"}, {"secret_name", "pw"}, {"role_id", "r"}, {"secret_id", "s"}});
  ASSERT_TRUE(v1.request) << v1.all();
  EXPECT_EQ(v1.request->read_path(), "kv/db");
  EXPECT_EQ(v1.request->auth, vault_auth::approle);
  EXPECT_EQ(v1.request->login_path(), "auth/approle/login");
  auto k8s = read({{"url", "https://v"}, {"path", "db"}, {"secret_name", "pw"}, {"role", "ci"},
                   {"auth_mount", "k8s-prod"}});
  ASSERT_TRUE(k8s.request) << k8s.all();
  EXPECT_EQ(k8s.request->auth, vault_auth::kubernetes);
  EXPECT_EQ(k8s.request->jwt_file, "/var/run/secrets/kubernetes.io/serviceaccount/token");
  EXPECT_EQ(k8s.request->login_path(), "auth/k8s-prod/login");
}

TEST(VaultSpec, MistakesAreReportedTogether) {
  auto c = read({{"url", "vault:8200"}, {"secret", "x"}, {"engine", "kv3"}, {"version", "two"},
                 {"token", "t"}, {"role_id", "r"}});
  EXPECT_FALSE(c.request);
  auto all = c.all();
  EXPECT_NE(all.find("unknown vault field `secret` | did you mean `secret_id`?"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown vault engine `kv3`"), std::string::npos) << all;
  EXPECT_NE(all.find("`version` must be a whole number"), std::string::npos) << all;
  EXPECT_NE(all.find("vault needs the secret's `path`"), std::string::npos) << all;
  EXPECT_NE(all.find("vault needs `secret_name`"), std::string::npos) << all;
  EXPECT_NE(all.find("logs in one way"), std::string::npos) << all;
  EXPECT_NE(all.find("`url` must start with https://"), std::string::npos) << all;
  for (auto& d : c.problems)
    EXPECT_EQ(d.message.rfind("task `fetch`: ", 0), 0u) << d.message;
}

TEST(VaultSpec, NoUrlOrNoAuthWithoutANodeVault) {
  auto c = read({{"path", "db"}, {"secret_name", "pw"}});
  auto all = c.all();
  EXPECT_NE(all.find("vault needs `url`"), std::string::npos) << all;
  EXPECT_NE(all.find("forward the task to a runner whose config has a `vault:` section"),
            std::string::npos) << all;
  auto d = read({{"url", "https://v"}, {"path", "db"}, {"secret_name", "pw"}});
  EXPECT_NE(d.all().find("vault needs a way to log in"), std::string::npos) << d.all();
}

TEST(VaultSpec, TheNodesVaultAndCredentialsFillIn) {
  auto c = read({{"path", "db"}, {"secret_name", "pw"}}, node_b());
  ASSERT_TRUE(c.request) << c.all();
  EXPECT_EQ(c.request->url, "https://vault.b:8200");
  EXPECT_EQ(c.request->token_file, "/etc/runner/vault-token");
  EXPECT_EQ(c.request->namespace_, "team-b");
  EXPECT_EQ(c.request->ca_cert, "/etc/runner/vault-ca.pem");
  EXPECT_TRUE(c.request->node_credentials);
  // The task's own auth goes to the node's Vault without the node's credentials.
  auto own = read({{"path", "db"}, {"secret_name", "pw"}, {"token", "mine"}}, node_b());
  ASSERT_TRUE(own.request) << own.all();
  EXPECT_EQ(own.request->url, "https://vault.b:8200");
  EXPECT_FALSE(own.request->node_credentials);
  EXPECT_EQ(own.request->token_file, "");
}

TEST(VaultSpec, TheNodesCredentialsNeverGoToAnotherUrl) {
  auto c = read({{"url", "https://attacker.example"}, {"path", "db"}, {"secret_name", "pw"}}, node_b());
  EXPECT_FALSE(c.request);
  EXPECT_NE(c.all().find("this runner's own Vault credentials are only sent to its own Vault "
                         "(https://vault.b:8200)"),
            std::string::npos)
      << c.all();
}

}  // namespace
}  // namespace runner
