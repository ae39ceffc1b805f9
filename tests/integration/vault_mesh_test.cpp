// The design note's scenario with two runner processes: only runner B can
// reach Vault (its config has `vault:`), so the vault task is forwarded there;
// the os_exec task on runner A imports the password and uses it. The secret
// appears in no log, no result file and no runnerctl answer.
#include <gtest/gtest.h>

#include "mesh_harness.hpp"
#include "tests/support/vault_server_process.hpp"

namespace runner::test {
namespace {

const std::string kSecret = "vault-Pa55-Heron-7714";

void expect_no_secret(const std::string& where, const std::string& text) {
  EXPECT_EQ(text.find(kSecret), std::string::npos) << "secret leaked into " << where << ":\n" << text;
}

TEST(VaultMesh, TheVaultTaskRunsOnTheRunnerWithVaultAccessAndTheSecretIsShownNowhere) {
  mesh_dir m;
  auto leaf = m.pki().make_leaf("127.0.0.1");
  nlohmann::json seed = {
      {"secrets", {{"secret/payments/db", {{"password", kSecret}}}}},
      {"policies", {{"payments", {{"secret/data/payments/*", {"read"}}}}}},
      {"tokens", {{"runner-b-token", {{"policies", {"payments"}}}}}}};
  vault_server_process vault(vault_api_server_binary(), seed, vault_tls_files{leaf.cert, leaf.key});
  auto token = m.write("vault-token", "runner-b-token\n");
  node_process b(m.config("node-b",
                          "accept:\n  - {from: node-a, task_types: [vault]}\n"
                          "vault: {url: " + vault.https_url() + ", token_file: " + token +
                              ", ca_cert: " + m.pki().ca_cert() + "}\n"
                          "log: {level: debug}\n"));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto used = m.file("used.txt");
  auto group = m.write("g.yaml",
                       "id: seed-scenario\n"
                       "taskGroup:\n"
                       "- name: foo\n"
                       "  type: vault\n"
                       "  forward: {to: node-b}\n"
                       "  spec: {path: payments/db, secret_name: password}\n"
                       "  exports:\n"
                       "  - {name: password, confidential: true, scope: local}\n"
                       "- name: bar\n"
                       "  type: os_exec\n"
                       "  spec:\n"
                       "    command: [\"/bin/bash\", \"-c\", \"printf %s '{{ .foo.password }}' > " + used +
                           "; echo 'using {{ .foo.password }}'\"]\n"
                       "  depends_on: foo\n"
                       "  imports:\n"
                       "  - {from: foo, variable: password}\n");
  auto result = m.file("result.json");
  auto r = run_runner({"--log-level", "debug", "run", group, "--config", a, "--result-file", result});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << b.output();
  EXPECT_EQ(read_file(used), kSecret) << "the importing task on A must get the real value";
  EXPECT_NE(r.out.find("[bar] using ***"), std::string::npos) << r.out;
  auto j = parse_json(read_file(result));
  EXPECT_EQ(j["results"]["foo"]["runner"], "node-b");
  EXPECT_EQ(j["results"]["bar"]["runner"], "node-a");
  expect_no_secret("runner A's stdout", r.out);
  expect_no_secret("runner A's stderr", r.err);
  expect_no_secret("the result file", read_file(result));
  for (auto cmd : {"groups", "status"}) {
    auto ctl = run_runnerctl({"--runner", b.address(), "--config", a, cmd, "--output", "json"});
    EXPECT_EQ(ctl.exit_code, 0) << ctl.err;
    expect_no_secret(std::string("runnerctl ") + cmd, ctl.out + ctl.err);
  }
  auto describe = run_runnerctl({"--runner", b.address(), "--config", a, "describe", "seed-scenario"});
  expect_no_secret("runnerctl describe", describe.out + describe.err);
  expect_no_secret("runner B's log", b.output());

  // Runner A has no Vault access of its own: run there, the task is refused before anything runs.
  auto local = m.write("local.yaml", "taskGroup:\n- {name: foo, type: vault, spec: {path: payments/db, secret_name: password}}\n");
  auto refused = run_runner({"run", local, "--config", a});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("vault needs `url`"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace runner::test
