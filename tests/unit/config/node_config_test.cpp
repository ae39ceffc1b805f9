// Valid configs: what the model holds, defaults, and relative tls paths.
#include <cstdlib>

#include "config_test_util.hpp"

namespace runner::test {
namespace {

TEST(NodeConfig, ReadsAFullConfig) {
  temp_dir dir;
  dir.write("certs/a.crt", "cert");
  dir.write("certs/a.key", "key");
  std::string ca = dir.write("ca.crt", "ca");
  std::string file = dir.write("runner.yaml", "");
  const std::string text = R"(name: node-a
listen: 0.0.0.0:7700
tls: {cert: certs/a.crt, key: certs/a.key, ca: )" +
                           ca + R"(}
peers: {node-b: 10.0.0.5:7700, node-c: "[fd00::3]:7701", node.d: d.example.com:80}
accept:
  - {from: node-b, task_types: [os_exec, vault]}
  - from: "*"
    task_types: [expression_evaluation]
max_parallel: 8
state_dir: /var/lib/runner
connect_timeout: 1m30s
log: {level: debug, format: json}
transport: {max_message: 1GiB, max_unproven: 512KiB, max_connections: 9,
            max_connections_per_address: 3, handshake_timeout: 2s}
drivers:
  - command: [/usr/bin/my-driver, --verbose]
    env: {MODE: fast}
)";
  config_result r = parse_node_config(text, file);
  ASSERT_TRUE(r.problems.empty()) << all_messages(r);
  ASSERT_TRUE(r.config);
  const node_config& c = *r.config;
  EXPECT_EQ(c.name, "node-a");
  EXPECT_TRUE(c.has_listen);
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 7700);
  EXPECT_FALSE(c.tls.off);
  EXPECT_EQ(c.tls.cert, (dir.path() / "certs/a.crt").string());
  EXPECT_EQ(c.tls.key, (dir.path() / "certs/a.key").string());
  EXPECT_EQ(c.tls.ca, ca);
  ASSERT_EQ(c.peers.size(), 3u);
  EXPECT_EQ(c.peers.at("node-b"), std::make_pair(std::string("10.0.0.5"), uint16_t(7700)));
  EXPECT_EQ(c.peers.at("node-c"), std::make_pair(std::string("fd00::3"), uint16_t(7701)));
  EXPECT_EQ(c.peers.at("node.d"), std::make_pair(std::string("d.example.com"), uint16_t(80)));
  ASSERT_EQ(c.accept.size(), 2u);
  EXPECT_EQ(c.accept[0].from, "node-b");
  EXPECT_EQ(c.accept[0].task_types, (std::vector<std::string>{"os_exec", "vault"}));
  EXPECT_EQ(c.accept[0].mark.line, 6);
  EXPECT_EQ(c.accept[1].from, "*");
  EXPECT_EQ(c.accept[1].mark.line, 7);
  EXPECT_EQ(c.max_parallel, 8u);
  EXPECT_EQ(c.state_dir, "/var/lib/runner");
  EXPECT_EQ(c.connect_timeout, std::chrono::seconds(90));
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.log_format, "json");
  ASSERT_EQ(c.drivers.size(), 1u);
  EXPECT_EQ(c.drivers[0].command, (std::vector<std::string>{"/usr/bin/my-driver", "--verbose"}));
  EXPECT_EQ(c.drivers[0].env.at("MODE"), "fast");
  EXPECT_EQ(c.drivers[0].mark.line, 16);
  EXPECT_EQ(c.transport.max_message, size_t{1} << 30);
  EXPECT_EQ(c.transport.max_unproven, size_t{512} << 10);
  EXPECT_EQ(c.transport.max_connections, 9u);
  EXPECT_EQ(c.transport.max_connections_per_address, 3u);
  EXPECT_EQ(c.transport.handshake_timeout, std::chrono::seconds(2));
  EXPECT_EQ(c.file, file);
}

TEST(NodeConfig, Defaults) {
  const char* old_xdg = std::getenv("XDG_STATE_HOME");
  std::string saved = old_xdg ? old_xdg : "";
  setenv("XDG_STATE_HOME", "/xdg/state", 1);
  config_result r = parse_config("name: solo\ntls: off\n");
  ASSERT_TRUE(r.config) << all_messages(r);
  const node_config& c = *r.config;
  EXPECT_FALSE(c.has_listen);
  EXPECT_TRUE(c.tls.off);
  EXPECT_TRUE(c.peers.empty());
  EXPECT_TRUE(c.accept.empty());  // deny by default
  EXPECT_EQ(c.max_parallel, 0u);  // one per core
  EXPECT_EQ(c.state_dir, "/xdg/state/runner");
  EXPECT_EQ(c.connect_timeout, std::chrono::seconds(10));
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.log_format, "text");
  EXPECT_TRUE(c.drivers.empty());
  EXPECT_EQ(c.transport.max_message, size_t{64} << 20);
  EXPECT_EQ(c.transport.max_unproven, size_t{256} << 20);
  EXPECT_EQ(c.transport.max_connections, 256u);
  EXPECT_EQ(c.transport.max_connections_per_address, 32u);
  EXPECT_EQ(c.transport.handshake_timeout, std::chrono::seconds(10));

  unsetenv("XDG_STATE_HOME");
  const char* home = std::getenv("HOME");
  std::string saved_home = home ? home : "";
  setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(parse_config("name: solo\ntls: off\n").config->state_dir,
            "/home/someone/.local/state/runner");
  if (home) setenv("HOME", saved_home.c_str(), 1);
  if (old_xdg) setenv("XDG_STATE_HOME", saved.c_str(), 1);
}

TEST(NodeConfig, LoopbackWithoutTls) {
  for (const char* listen : {"127.0.0.1:0", "127.1.2.3:7700", "localhost:7700", "\"[::1]:7700\""}) {
    config_result r = parse_config(std::string("name: a\ntls: off\nlisten: ") + listen +
                                   "\npeers: {b: 127.0.0.1:7701}\n");
    ASSERT_TRUE(r.config) << listen << "\n" << all_messages(r);
    EXPECT_TRUE(r.config->tls.off);
  }
  config_result r = parse_config("name: a\ntls: off\nlisten: 127.0.0.1:0\n");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->listen_port, 0);
}

TEST(NodeConfig, RelativeTlsPathsStartAtTheConfigDirectory) {
  temp_dir dir;
  dir.write("conf/tls/n.crt", "c");
  dir.write("conf/tls/n.key", "k");
  dir.write("ca.pem", "a");
  std::string file = dir.write(
      "conf/runner.yaml", "name: n\ntls: {cert: tls/n.crt, key: ./tls/n.key, ca: ../ca.pem}\n");
  config_result r = load_node_config(file);
  ASSERT_TRUE(r.config) << all_messages(r);
  EXPECT_EQ(r.config->tls.cert, (dir.path() / "conf/tls/n.crt").string());
  EXPECT_EQ(r.config->tls.key, (dir.path() / "conf/tls/n.key").string());
  EXPECT_EQ(r.config->tls.ca, (dir.path() / "ca.pem").string());
  EXPECT_EQ(r.config->file, file);
}

TEST(NodeConfig, MissingTlsFilesAreReportedAtTheirKeys) {
  temp_dir dir;
  dir.write("n.crt", "c");
  std::string file = dir.write("runner.yaml", "");
  config_result r = parse_node_config(
      "name: n\ntls:\n  cert: n.crt\n  key: nope.key\n"
      "  ca: missing/ca.crt\n",
      file);
  ASSERT_EQ(r.problems.size(), 2u) << all_messages(r);
  expect_problem(r, "`tls.key`: `nope.key` does not exist", 4, 8);
  expect_problem(r, "`tls.ca`: `missing/ca.crt` does not exist", 5, 7);
  EXPECT_NE(r.problems[0].message.find((dir.path() / "nope.key").string()), std::string::npos);
}

TEST(NodeConfig, TlsPathThatIsADirectory) {
  temp_dir dir;
  dir.write("sub/x", "");
  dir.write("k", "");
  dir.write("c", "");
  std::string file = dir.write("runner.yaml", "");
  config_result r = parse_node_config("name: n\ntls: {cert: sub, key: k, ca: c}\n", file);
  expect_problem(r, "`tls.cert`", 2, 13);
  EXPECT_NE(find_problem(r, "is a directory"), nullptr);
}

TEST(NodeConfig, LoadReportsAnUnreadableFile) {
  config_result r = load_node_config("/nonexistent/runner.yaml");
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].message.find("cannot read"), std::string::npos);
  EXPECT_FALSE(r.config);
}

}  // namespace
}  // namespace runner::test
