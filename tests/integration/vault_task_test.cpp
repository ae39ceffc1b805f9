// The vault task type through the real binary against tests/vault_server (a
// Vault API stand-in checked with hvac): engines, auth methods, namespaces,
// TLS, and the errors a user can act on. The secret never shows.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "harness.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/vault_server_process.hpp"

namespace runner::test {
namespace {

const char kSecret[] = "pa55-Vault-Secret";
const char kJwt[] = "eyJhbGciOiJSUzI1NiJ9.e30.runner-test";

nlohmann::json seed() {
  return {
      {"mounts", {{"secret", {{"version", 2}}}, {"kv", {{"version", 1}}}}},
      {"secrets",
       {{"secret/db", {{"password", kSecret}, {"user", "app"}}},
        {"kv/legacy", {{"api_key", kSecret}}},
        {"secret/forbidden", {{"password", "nope"}}}}},
      {"policies", {{"db-read", {{"secret/data/db", {"read"}}, {"kv/*", {"read"}}}}}},
      {"tokens", {{"reader-token", {{"policies", {"db-read"}}}}}},
      {"auth",
       {{"approle", {{"roles", {{"app", {{"role_id", "rid-1"}, {"secret_id", "sid-1"}, {"policies", {"db-read"}}}}}}}},
        {"kubernetes", {{"roles", {{"ci", {{"jwt", kJwt}, {"policies", {"db-read"}}}}}}}}}},
      {"namespaces",
       {{"team-a",
         {{"secrets", {{"secret/db", {{"password", "ns-secret"}}}}},
          {"policies", {{"ns-read", {{"secret/data/*", {"read"}}}}}},
          {"tokens", {{"ns-token", {{"policies", {"ns-read"}}}}}}}}}},
      {"faults", {{"non_json_paths", {"secret/data/broken"}}, {"delay_ms_paths", {{"secret/data/slow", 5000}}}}},
  };
}

struct vault_fixture : ::testing::Test {
  temp_dir tmp;
  test_pki pki{tmp.path() + "/pki"};
  std::unique_ptr<vault_server_process> vault;

  void SetUp() override {
    auto leaf = pki.make_leaf("127.0.0.1");
    vault = std::make_unique<vault_server_process>(vault_api_server_binary(), seed(),
                                                   vault_tls_files{leaf.cert, leaf.key});
  }

  // A group: the vault task `fetch` with `spec_lines` (YAML, indented 6), and
  // a task that uses the password, so the secret reaches a process.
  std::string group(const std::string& spec_lines, const std::string& key = "password") {
    return tmp.write("g.yaml", "taskGroup:\n"
                               "  - name: fetch\n"
                               "    type: vault\n"
                               "    spec:\n" + spec_lines +
                               "      secret_name: " + key + "\n"
                               "    exports: [{name: " + key + ", confidential: true, scope: global}]\n"
                               "  - name: use\n"
                               "    type: os_exec\n"
                               "    imports: [{from: fetch, variable: " + key + "}]\n"
                               "    spec: {command: 'test \"{{ .fetch." + key + " }}\" = \"" + kSecret +
                               "\" && echo got {{ .fetch." + key + " }}'}\n");
  }

  run_output run(const std::string& file) {
    auto result = tmp.file("result.json");
    auto r = run_runner({"run", file, "--result-file", result});
    if (r.exit_code == 0)
      r.out += read_file(result);
    return r;
  }
};

void expect_secret_hidden(const run_output& r) {
  EXPECT_EQ(r.out.find(kSecret), std::string::npos) << r.out;
  EXPECT_EQ((r.out + r.err).find(kSecret), std::string::npos) << r.out << r.err;
}

TEST_F(vault_fixture, KvV2WithATokenOverHttps) {
  auto r = run(group("      url: " + vault->https_url() + "\n      ca_cert: " + pki.ca_cert() +
                     "\n      path: db\n      token: reader-token\n"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("[use] got ***"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("\"password\": \"***\""), std::string::npos) << r.out;
  expect_secret_hidden(r);
}

TEST_F(vault_fixture, KvV1WithATokenFileOverHttp) {
  auto token = tmp.write("token", "reader-token\n");
  auto r = run(group("      url: " + vault->http_url() + "\n      engine: kv-v1\n      mount: kv\n"
                     "      path: legacy\n      token_file: " + token + "\n", "api_key"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_secret_hidden(r);
}

TEST_F(vault_fixture, AppRoleAndKubernetesLogIn) {
  auto sid = tmp.write("sid", "sid-1");
  auto approle = run(group("      url: " + vault->http_url() +
                           "\n      path: db\n      role_id: rid-1\n      secret_id_file: " + sid + "\n"));
  EXPECT_EQ(approle.exit_code, 0) << approle.out << approle.err;
  expect_secret_hidden(approle);
  auto jwt = tmp.write("jwt", kJwt);
  auto k8s = run(group("      url: " + vault->http_url() + "\n      path: db\n      role: ci\n      jwt_file: " + jwt + "\n"));
  EXPECT_EQ(k8s.exit_code, 0) << k8s.out << k8s.err;
  auto wrong = tmp.write("jwt2", "eyJ.other.token");
  auto refused = run(group("      url: " + vault->http_url() + "\n      path: db\n      role: ci\n      jwt_file: " + wrong + "\n"));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE((refused.out + refused.err).find("Vault refused the Kubernetes login as role `ci` at auth/kubernetes/login"),
            std::string::npos) << refused.out << refused.err;
}

TEST_F(vault_fixture, NamespacesSeparateSecrets) {
  auto file = tmp.write("ns.yaml", "taskGroup:\n  - name: fetch\n    type: vault\n    spec: {url: " +
                                       vault->http_url() + ", namespace: team-a, path: db, secret_name: password, token: ns-token}\n"
                                       "    exports: [{name: password, scope: global}]\n");
  auto r = run_runner({"run", file, "--output", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(parse_json(r.out)["results"]["fetch"]["outputs"]["password"], "***")
      << "a vault secret is confidential even when the document forgets to say so";
}

TEST_F(vault_fixture, PermissionDeniedAndMissingSecretsAndKeys) {
  auto denied = run(group("      url: " + vault->http_url() + "\n      path: forbidden\n      token: reader-token\n"));
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE((denied.out + denied.err).find("permission denied: Vault refused to let token auth read `secret/data/forbidden`"),
            std::string::npos) << denied.out << denied.err;
  // Vault answers 403, not 404, for a path outside the token's policies: kv/* is inside.
  auto missing = run(group("      url: " + vault->http_url() +
                           "\n      engine: kv-v1\n      mount: kv\n      path: nothing-here\n      token: reader-token\n"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE((missing.out + missing.err).find("no such secret: Vault has nothing at `kv/nothing-here`"), std::string::npos) << missing.out
      << missing.err;
  auto no_key = run(group("      url: " + vault->http_url() + "\n      path: db\n      token: reader-token\n", "pasword"));
  EXPECT_NE((no_key.out + no_key.err).find("no such key: the secret at `secret/data/db` has no key `pasword` (its keys: password, user)"),
            std::string::npos) << no_key.out << no_key.err;
  expect_secret_hidden(no_key);
}

TEST_F(vault_fixture, AnswersThatAreNotVaultsAreClearErrors) {
  auto r = run(group("      url: " + vault->http_url() + "\n      path: broken\n      token: reader-token\n"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find("a body that is not Vault's JSON"), std::string::npos) << r.out << r.err;
}

TEST_F(vault_fixture, ASlowVaultTimesOutNamingTheUrl) {
  auto r = run(group("      url: " + vault->http_url() +
                     "\n      path: slow\n      token: reader-token\n      request_timeout: 300ms\n      retries: 1\n"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find("attempt 1 to read from " + vault->http_url() + "/v1/secret/data/slow failed"),
            std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("cannot read from Vault at " + vault->http_url() + "/v1/secret/data/slow"),
            std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("(2 attempts)"), std::string::npos) << r.out << r.err;
}

TEST_F(vault_fixture, TlsWithoutTheRightCaSaysSo) {
  auto r = run(group("      url: " + vault->https_url() + "\n      path: db\n      token: reader-token\n"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find("TLS with Vault at " + vault->https_url()), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("set `ca_cert`"), std::string::npos) << r.out << r.err;
}

TEST(VaultTask, ARefusedConnectionIsRetriedThenFailsNamingTheUrl) {
  // A port nobody listens on: bound, then closed.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  temp_dir tmp;
  auto file = tmp.write("g.yaml", "taskGroup:\n  - name: fetch\n    type: vault\n    spec: {url: '" + url +
                                      "', path: db, secret_name: password, token: t, retries: 2}\n");
  auto r = run_runner({"run", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find("attempt 2 to read from " + url), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("retrying in 500ms"), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("cannot read from Vault at " + url + "/v1/secret/data/db"), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("(3 attempts)"), std::string::npos) << r.out << r.err;
}

TEST(VaultTask, ASealedVaultIsRetriedUntilItAnswers) {
  nlohmann::json s = {{"tokens", {{"t", {{"policies", {"root"}}}}}},
                      {"secrets", {{"secret/db", {{"password", "pw"}}}}},
                      {"faults", {{"sealed_for_first_requests", 2}}}};
  vault_server_process vault(vault_api_server_binary(), s);
  temp_dir tmp;
  auto file = tmp.write("g.yaml", "taskGroup:\n  - name: fetch\n    type: vault\n    spec: {url: '" +
                                      vault.http_url() + "', path: db, secret_name: password, token: t}\n");
  auto r = run_runner({"run", file});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("failed (HTTP 503 (Vault is sealed)); retrying in 250ms"), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("failed (HTTP 503 (Vault is sealed)); retrying in 500ms"), std::string::npos) << r.out << r.err;
}

TEST(VaultTask, SpecMistakesAreValidationErrors) {
  temp_dir tmp;
  auto file = tmp.write("g.yaml", "taskGroup:\n  - name: fetch\n    type: vault\n    spec: {pth: db, secret_name: pw}\n");
  auto r = run_runner({"run", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE((r.out + r.err).find("g.yaml:4:17: error: task `fetch`: unknown vault field `pth`"), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("did you mean `path`?"), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("vault needs `url`"), std::string::npos) << r.out << r.err;
}

std::string sha256_of(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

TEST(VaultTask, AnArtifactFetcherGetsTheSpecAndItsOutputsAreSecrets) {
  temp_dir tmp;
  std::string script =
      "#!/bin/sh\n"
      "input=$(cat)\n"
      "echo \"fetcher read: $input\" >&2\n"
      "case \"$input\" in *'\"path\":\"team/db\"'*) printf '{\"password\": \"%s\"}' '" + std::string(kSecret) + "' ;;\n"
      "  *) echo 'no path in the input' >&2; exit 4 ;; esac\n";
  auto fetcher = tmp.write("fetch.sh", script);
  chmod(fetcher.c_str(), 0700);
  auto group = [&](const std::string& sha) {
    return tmp.write("g.yaml", "taskGroup:\n  - name: fetch\n    type: vault\n"
                               "    spec: {path: team/db, artifact: {source: " + fetcher + ", sha256: " + sha + "}}\n"
                               "    exports: [{name: password, scope: global}]\n");
  };
  // The fetcher cache goes to the runner's state directory: keep it in tmp.
  struct state_home {
    std::string old;
    bool had;
    explicit state_home(const std::string& dir) : had(getenv("XDG_STATE_HOME") != nullptr) {
      if (had) old = getenv("XDG_STATE_HOME");
      setenv("XDG_STATE_HOME", dir.c_str(), 1);
    }
    ~state_home() { had ? (void)setenv("XDG_STATE_HOME", old.c_str(), 1) : (void)unsetenv("XDG_STATE_HOME"); }
  } state(tmp.path() + "/state");
  auto r = run_runner({"run", group(sha256_of(script)), "--output", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_json(r.out)["results"]["fetch"]["outputs"]["password"], "***");
  EXPECT_NE(r.err.find("[fetch] fetcher read: {"), std::string::npos) << r.err;
  expect_secret_hidden(r);
  auto wrong = run_runner({"run", group(std::string(64, 'a'))});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE((wrong.out + wrong.err).find("sha256 mismatch"), std::string::npos) << wrong.out << wrong.err;
  EXPECT_NE((wrong.out + wrong.err).find("the fetcher was not run"), std::string::npos) << wrong.out;
}

}  // namespace
}  // namespace runner::test
