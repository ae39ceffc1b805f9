// The Vault stand-in as the vault driver's tests will use it: started through
// the helper, reachable over HTTP and over HTTPS with a test_pki certificate,
// and gone when asked. Its fidelity to Vault is checked with a real client in
// tests/vault_server/hvac_check.py.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "tests/integration/harness.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/vault_server_process.hpp"

namespace runner::test {
namespace {

const nlohmann::json seed = {
    {"secrets", {{"secret/db", {{"password", "hunter2"}}}}},
    {"tokens", {{"test-token", {{"policies", {"root"}}}}}},
};

TEST(VaultServer, ServesHttpAndHttpsWithTheTestCaAndStopsCleanly) {
  temp_dir dir;
  test_pki pki(dir.file("pki"));
  auto leaf = pki.make_leaf("vault.test");
  vault_server_process vault(vault_api_server_binary(), seed, {leaf.cert, leaf.key});
  ASSERT_FALSE(vault.http_url().empty());
  ASSERT_FALSE(vault.https_url().empty());

  const httplib::Headers token{{"X-Vault-Token", "test-token"}};
  httplib::Client plain(vault.http_url());
  auto res = plain.Get("/v1/secret/data/db", token);
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(nlohmann::json::parse(res->body)["data"]["data"]["password"], "hunter2");

  httplib::Client tls(vault.https_url());
  tls.set_ca_cert_path(pki.ca_cert().c_str());
  tls.enable_server_certificate_verification(true);
  res = tls.Get("/v1/secret/data/db", token);
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);

  httplib::Client wrong_ca(vault.https_url());
  wrong_ca.set_ca_cert_path(pki.other_ca_cert().c_str());
  wrong_ca.enable_server_certificate_verification(true);
  EXPECT_FALSE(wrong_ca.Get("/v1/sys/health"));

  EXPECT_EQ(vault.stop(), 0);
}

TEST(VaultServer, ABadSeedIsReportedWithWhatTheServerSaid) {
  try {
    vault_server_process vault(vault_api_server_binary(), R"({"tokens": {"t": {"policies": "root"}}})");
    FAIL() << "started with a bad seed";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("tokens.t.policies: expected an array of strings"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace runner::test
