// Every problem a node config can have: message, position and a hint.
#include "config_test_util.hpp"

namespace runner::test {
namespace {

TEST(NodeConfigErrors, UnknownKeySuggestsTheClosest) {
  config_result r = parse_config("name: a\ntls: off\nmax_paralel: 4\nlog: {levl: info}\n");
  expect_problem(r, "unknown field `max_paralel` in the node config", 3, 1);
  EXPECT_NE(find_problem(r, "max_paralel")->hint.find("did you mean `max_parallel`"),
            std::string::npos);
  expect_problem(r, "unknown field `levl` in `log`", 4, 7);
  EXPECT_NE(find_problem(r, "levl")->hint.find("did you mean `level`"), std::string::npos);
}

TEST(NodeConfigErrors, MissingName) {
  config_result r = parse_config("tls: off\n");
  expect_problem(r, "`name` is missing", 1, 1);
}

TEST(NodeConfigErrors, BadName) {
  expect_problem(parse_config("name: 1node\ntls: off\n"), "node name `1node` is not valid", 1, 7);
  expect_problem(parse_config("name: a b\ntls: off\n"), "node name `a b` is not valid", 1, 7);
  config_result comma = parse_config("name: node-a,\ntls: off\n");
  expect_problem(comma, "node name `node-a,` is not valid", 1, 7);
  EXPECT_NE(comma.problems[0].hint.find("trailing comma"), std::string::npos);
  expect_problem(parse_config("name: \"\"\ntls: off\n"), "node name `` is not valid", 1, 7);
  EXPECT_TRUE(parse_config("name: Node_1.a-b\ntls: off\n").config);
}

TEST(NodeConfigErrors, BadListenAddress) {
  expect_problem(parse_config("name: a\ntls: off\nlisten: 7700\n"),
                 "`listen`: `7700` is not a valid "
                 "address: it has no port",
                 3, 9);
  expect_problem(parse_config("name: a\ntls: off\nlisten: localhost:70000\n"),
                 "the port `70000` is not a number from 1 to 65535", 3, 9);
  expect_problem(parse_config("name: a\ntls: off\nlisten: 127.0.0.1:http\n"), "the port `http`", 3,
                 9);
  expect_problem(parse_config("name: a\ntls: off\nlisten: 300.0.0.1:80\n"),
                 "`300.0.0.1` is not an IPv4 address", 3, 9);
  expect_problem(parse_config("name: a\ntls: off\nlisten: ::1:80\n"),
                 "an IPv6 address must be in brackets", 3, 9);
}

TEST(NodeConfigErrors, UnquotedIpv6SaysToQuote) {
  for (const char* text : {"name: a\ntls: off\nlisten: [::1]:7700\n",
                           "name: a\ntls: off\npeers:\n  b: [::1]:7700\n"}) {
    config_result r = parse_config(text);
    EXPECT_FALSE(r.config);
    bool says_quote = false;
    for (const diagnostic& d : r.problems)
      says_quote |= d.hint.find("quote an IPv6 address") != std::string::npos && d.mark.line > 2;
    EXPECT_TRUE(says_quote) << text << all_messages(r);
  }
  // Quoted, it is read; a value that YAML did read as a list is explained too.
  EXPECT_TRUE(parse_config("name: a\ntls: off\nlisten: \"[::1]:7700\"\n").config);
  expect_problem(parse_config("name: a\ntls: off\nlisten: [\"::1\", 7700]\n"),
                 "`listen` must be host:port, not a list", 3, 9);
}

TEST(NodeConfigErrors, PeerAddressesNeedARealPort) {
  config_result r = parse_config("name: a\ntls: off\npeers:\n  b: 127.0.0.1:0\n  c: 127.0.0.1\n");
  expect_problem(r, "peer `b`: `127.0.0.1:0` is not a valid address: port 0", 4, 6);
  expect_problem(r, "peer `c`: `127.0.0.1` is not a valid address: it has no port", 5, 6);
}

TEST(NodeConfigErrors, BadPeerName) {
  expect_problem(parse_config("name: a\ntls: off\npeers: {9b: 127.0.0.1:1}\n"),
                 "peer name `9b` is not valid", 3, 9);
}

TEST(NodeConfigErrors, PeersNotAMapping) {
  expect_problem(parse_config("name: a\ntls: off\npeers: [127.0.0.1:7701]\n"),
                 "`peers` must be a mapping of peer names to addresses, not a list", 3, 8);
  expect_problem(parse_config("name: a\ntls: off\npeers: b\n"),
                 "`peers` must be a mapping of peer names to addresses, not a single value", 3, 8);
}

TEST(NodeConfigErrors, TlsMissing) {
  config_result r = parse_config("name: a\nlisten: 127.0.0.1:1\n");
  expect_problem(r, "`tls` is missing", 1, 1);
  EXPECT_NE(find_problem(r, "`tls` is missing")->hint.find("`tls: {cert, key, ca}`"),
            std::string::npos);
  EXPECT_NE(find_problem(r, "`tls` is missing")->hint.find("`tls: off`"), std::string::npos);
}

TEST(NodeConfigErrors, TlsNeedsAllThreeFiles) {
  config_result r = parse_config("name: a\ntls: {cert: /x.crt}\n");
  expect_problem(r, "`tls` has no `key`", 2, 6);
  expect_problem(r, "`tls` has no `ca`", 2, 6);
}

TEST(NodeConfigErrors, TlsBadValue) {
  expect_problem(parse_config("name: a\ntls: on\n"), "`tls` must be `off` or a mapping, not `on`",
                 2, 6);
  expect_problem(parse_config("name: a\ntls:\n"), "`tls` must be `off` or a mapping, not empty", 2,
                 1);
}

TEST(NodeConfigErrors, TlsOffNeedsLoopback) {
  config_result r = parse_config("name: a\ntls: off\nlisten: 0.0.0.0:7700\n");
  expect_problem(r, "`tls: off` allows only a loopback `listen` address, not `0.0.0.0`", 3, 9);
  expect_problem(parse_config("name: a\ntls: off\nlisten: node.example.com:7700\n"),
                 "not `node.example.com`", 3, 9);
  expect_problem(parse_config("name: a\ntls: off\npeers: {b: 10.0.0.5:7700}\n"),
                 "`tls: off` allows only loopback peers, but `b` is at `10.0.0.5`", 3, 9);
}

TEST(NodeConfigErrors, AcceptFromNamesAnySubmitterButMustBeANodeName) {
  // Submitters need not be peers: the node never connects to them.
  config_result r = parse_config(
      "name: a\ntls: off\npeers: {node-b: 127.0.0.1:1}\naccept:\n"
      "  - {from: node-c, task_types: [os_exec]}\n");
  EXPECT_TRUE(r.config) << all_messages(r);
  expect_problem(parse_config("name: a\ntls: off\naccept:\n  - {from: 'node c', task_types: [os_exec]}\n"),
                 "`accept` names `node c`, which is not a node name", 4, 12);
}

TEST(NodeConfigErrors, AcceptEmptyTaskTypes) {
  config_result r = parse_config(
      "name: a\ntls: off\naccept:\n  - {from: \"*\", task_types: []}\n"
      "  - from: x\n");
  expect_problem(r, "`task_types` is empty", 4, 29);
  expect_problem(r, "an `accept` rule has no `task_types`", 5, 5);
}

TEST(NodeConfigErrors, AcceptDuplicateFrom) {
  config_result r = parse_config(
      "name: a\ntls: off\naccept:\n  - {from: \"*\", task_types: [a]}\n"
      "  - {from: \"*\", task_types: [b]}\n");
  expect_problem(r, "`accept` has two rules for `*`", 5, 12);
  EXPECT_NE(find_problem(r, "two rules")->hint.find("line 4"), std::string::npos);
}

TEST(NodeConfigErrors, AcceptNotAList) {
  expect_problem(parse_config("name: a\ntls: off\naccept: {from: x}\n"),
                 "`accept` must be a list of rules, not a mapping", 3, 9);
  expect_problem(parse_config("name: a\ntls: off\naccept: [os_exec]\n"),
                 "an `accept` rule must be a mapping, not a single value", 3, 10);
}

TEST(NodeConfigErrors, MaxParallel) {
  expect_problem(parse_config("name: a\ntls: off\nmax_parallel: 0\n"),
                 "`max_parallel` must be at least 1, not 0", 3, 15);
  expect_problem(parse_config("name: a\ntls: off\nmax_parallel: -2\n"),
                 "`max_parallel` must be at least 1, not -2", 3, 15);
  expect_problem(parse_config("name: a\ntls: off\nmax_parallel: many\n"),
                 "`max_parallel`: `many` is not a whole number", 3, 15);
}

TEST(NodeConfigErrors, BadDuration) {
  expect_problem(parse_config("name: a\ntls: off\nconnect_timeout: 10 seconds\n"),
                 "`connect_timeout`: `10 seconds` is not a duration", 3, 18);
  expect_problem(parse_config("name: a\ntls: off\nconnect_timeout: 0s\n"),
                 "`connect_timeout` must be longer than 0", 3, 18);
}

TEST(NodeConfigErrors, TransportBounds) {
  config_result r = parse_config(
      "name: a\ntls: off\ntransport:\n"
      "  max_message: 4GiB\n"           // 4 over 2 GiB
      "  max_unproven: lots\n"          // 5 not a size
      "  max_connections: 0\n"          // 6
      "  max_connections_per_address: -3\n"  // 7
      "  handshake_timeout: 0s\n"       // 8
      "  max_frames: 3\n");             // 9 unknown
  expect_problem(r, "`transport.max_message` must be between 65536 and 2147483648 bytes", 4, 16);
  expect_problem(r, "`transport.max_unproven`: `lots` is not a size", 5, 17);
  expect_problem(r, "`transport.max_connections`: `0` is not a whole number", 6, 20);
  expect_problem(r, "`transport.max_connections_per_address`: `-3`", 7, 32);
  expect_problem(r, "`transport.handshake_timeout` must be longer than 0", 8, 22);
  EXPECT_NE(find_problem(r, "max_frames"), nullptr) << all_messages(r);
  expect_problem(parse_config("name: a\ntls: off\ntransport: 64MiB\n"),
                 "`transport` must be a mapping", 3, 12);
}

TEST(NodeConfigErrors, LogValues) {
  config_result r = parse_config("name: a\ntls: off\nlog:\n  level: warning\n  format: jsno\n");
  expect_problem(r, "`log.level`: `warning` is not a known level", 4, 10);
  expect_problem(r, "`log.format`: `jsno` is not a known format", 5, 11);
  EXPECT_NE(find_problem(r, "jsno")->hint.find("did you mean `json`"), std::string::npos);
  expect_problem(parse_config("name: a\ntls: off\nlog: debug\n"),
                 "`log` must be a mapping, not a single value", 3, 6);
}

TEST(NodeConfigErrors, DriversNeedACommandList) {
  config_result r = parse_config(
      "name: a\ntls: off\ndrivers:\n"
      "  - env: {A: b}\n"
      "  - command: []\n"
      "  - command: /usr/bin/drv --x\n"
      "  - /usr/bin/drv\n");
  expect_problem(r, "a `drivers` entry has no `command`", 4, 5);
  expect_problem(r, "`command` is empty", 5, 14);
  expect_problem(r, "`command` must be a list, not a single value", 6, 14);
  expect_problem(r, "a `drivers` entry must be a mapping, not a single value", 7, 5);
  expect_problem(parse_config("name: a\ntls: off\ndrivers: {command: [x]}\n"),
                 "`drivers` must be a list, not a mapping", 3, 10);
}

TEST(NodeConfigErrors, NotAMapping) {
  expect_problem(parse_config(""), "the document is empty", 1, 1);
  expect_problem(parse_config("- name: a\n"), "a node config must be a mapping, not a list", 1, 1);
}

TEST(NodeConfigErrors, YamlSyntaxErrorsAreDiagnostics) {
  config_result r = parse_config("name: a\ntls: off\npeers: {b: 127.0.0.1:1\n");
  EXPECT_FALSE(r.config);
  ASSERT_FALSE(r.problems.empty());
  EXPECT_GT(r.problems[0].mark.line, 0);
}

TEST(NodeConfigErrors, ReportsEveryProblemAtOnceInFileOrder) {
  config_result r = parse_config(
      "name: 1a\n"               // 1 bad name
      "listen: 0.0.0.0:99999\n"  // 2 bad port
      "peers: {b: 127.0.0.1}\n"  // 3 no port
      "accept:\n"
      "  - {from: c!, task_types: []}\n"   // 5 bad name, empty
      "max_parallel: 0\n"                  // 6
      "connect_timeout: soon\n"            // 7
      "log: {level: loud, format: xml}\n"  // 8 two
      "drivers: [{env: {}}]\n"             // 9
      "colour: blue\n");                   // 10 unknown; and no tls
  EXPECT_FALSE(r.config);
  EXPECT_EQ(r.problems.size(), 12u) << all_messages(r);
  for (const char* text : {"node name", "99999", "peer `b`", "not a node name", "`task_types` is empty",
                           "max_parallel", "connect_timeout", "log.level", "log.format",
                           "no `command`", "unknown field `colour`", "`tls` is missing"})
    EXPECT_NE(find_problem(r, text), nullptr) << text << "\n" << all_messages(r);
  for (size_t i = 1; i < r.problems.size(); ++i)
    EXPECT_LE(r.problems[i - 1].mark.line, r.problems[i].mark.line);
  for (const diagnostic& d : r.problems) {
    EXPECT_EQ(d.file, "node.yaml");
    EXPECT_GT(d.mark.line, 0);
    EXPECT_GT(d.mark.column, 0);
  }
}

}  // namespace
}  // namespace runner::test

namespace runner::test {
namespace {

TEST(NodeConfigVault, ANodesOwnVaultAccess) {
  config_result ok = parse_config(
      "name: a\ntls: off\nvault: {url: 'https://vault:8200/', token_file: token, ca_cert: /etc/ca.pem}\n",
      "/etc/runner/node.yaml");
  ASSERT_TRUE(ok.config);
  EXPECT_EQ(ok.config->vault.url, "https://vault:8200");
  EXPECT_EQ(ok.config->vault.ca_cert, "/etc/ca.pem");
  EXPECT_EQ(ok.config->vault.token_file, "/etc/runner/token") << "relative to the config's directory";
  config_result approle =
      parse_config("name: a\ntls: off\nvault: {url: http://v, role_id: r, secret_id_file: /s}\n");
  EXPECT_TRUE(approle.config);
}

TEST(NodeConfigVault, Mistakes) {
  expect_problem(parse_config("name: a\ntls: off\nvault: yes\n"), "`vault` must be a mapping", 3, 8);
  expect_problem(parse_config("name: a\ntls: off\nvault: {token_file: t}\n"), "`vault` has no `url`", 3, 8);
  expect_problem(parse_config("name: a\ntls: off\nvault: {url: vault:8200, token_file: t}\n"),
                 "`vault.url` must start with https://", 3, 8);
  expect_problem(parse_config("name: a\ntls: off\nvault: {url: http://v}\n"), "`vault` has no way to log in", 3, 8);
  expect_problem(parse_config("name: a\ntls: off\nvault: {url: http://v, token_file: t, role: ci}\n"),
                 "`vault` gives more than one way to log in", 3, 8);
  expect_problem(parse_config("name: a\ntls: off\nvault: {url: http://v, role_id: r}\n"),
                 "AppRole auth needs both `role_id` and `secret_id_file`", 3, 8);
  expect_problem(parse_config("name: a\ntls: off\nvault: {url: http://v, jwt_file: /j}\n"),
                 "Kubernetes auth needs `role`", 3, 8);
  config_result typo = parse_config("name: a\ntls: off\nvault: {url: http://v, token_fil: t}\n");
  expect_problem(typo, "unknown field `token_fil` in `vault`", 3, 24);
}

}  // namespace
}  // namespace runner::test

namespace runner::test {
namespace {

TEST(NodeConfigActions, DefaultsAndValues) {
  config_result none = parse_config("name: a\ntls: off\n");
  ASSERT_TRUE(none.config);
  EXPECT_EQ(none.config->actions.base_url, "https://github.com/");
  EXPECT_EQ(none.config->actions.node, "node");
  config_result ok = parse_config(
      "name: a\ntls: off\nactions: {base_url: 'https://git.corp/mirror', node: bin/node}\n",
      "/etc/runner/node.yaml");
  ASSERT_TRUE(ok.config);
  EXPECT_EQ(ok.config->actions.base_url, "https://git.corp/mirror/") << "a trailing '/' is added";
  EXPECT_EQ(ok.config->actions.node, "/etc/runner/bin/node") << "relative to the config's directory";
  config_result dir = parse_config("name: a\ntls: off\nactions: {base_url: ./mirror}\n",
                                   "/etc/runner/node.yaml");
  ASSERT_TRUE(dir.config);
  EXPECT_EQ(dir.config->actions.base_url, "file:///etc/runner/mirror/");
}

TEST(NodeConfigActions, Mistakes) {
  expect_problem(parse_config("name: a\ntls: off\nactions: yes\n"), "`actions` must be a mapping", 3, 10);
  expect_problem(parse_config("name: a\ntls: off\nactions: {base_url: github.com}\n"),
                 "`actions.base_url` must be a URL git can clone from", 3, 21);
  expect_problem(parse_config("name: a\ntls: off\nactions: {node: ''}\n"), "`actions.node` is empty",
                 3, 17);
}

}  // namespace
}  // namespace runner::test

namespace runner::test {
namespace {

TEST(NodeConfigErrors, MaskingPatterns) {
  config_result r = parse_config(
      "name: a\ntls: off\nmasking:\n  patterns:\n"
      "    - 'gh[pousr]_[A-Za-z0-9]{36,}'\n"  // 5 fine
      "    - '(unclosed'\n"                   // 6
      "    - 'x*'\n"                          // 7 matches ""
      "    - ''\n"                            // 8 empty
      "    - {a: b}\n");                      // 9 not a string
  expect_problem(r, "`(unclosed` is not a valid RE2 expression", 6, 7);
  expect_problem(r, "`x*` matches the empty string", 7, 7);
  expect_problem(r, "a `masking.patterns` entry is empty", 8, 7);
  expect_problem(r, "a `masking.patterns` entry must be a string", 9, 7);
  std::string many = "name: a\ntls: off\nmasking:\n  patterns:\n";
  for (int i = 0; i < 65; ++i)
    many += "    - 'p" + std::to_string(i) + "'\n";
  expect_problem(parse_config(many), "`masking.patterns` has 65 entries; at most 64", 5, 5);
  expect_problem(parse_config("name: a\ntls: off\nmasking:\n  patterns:\n    - '" +
                              std::string(4097, 'x') + "'\n"),
                 "entry is 4097 bytes; at most 4096", 5, 7);
  expect_problem(parse_config("name: a\ntls: off\nmasking: [x]\n"), "`masking` must be a mapping",
                 3, 10);
}

TEST(NodeConfig, MaskingPatternsAreKept) {
  config_result r =
      parse_config("name: a\ntls: off\nmasking: {patterns: ['ghp_[A-Za-z0-9]{36}', 'eyJ\\w+']}\n");
  ASSERT_TRUE(r.config) << all_messages(r);
  EXPECT_EQ(r.config->masking_patterns,
            (std::vector<std::string>{"ghp_[A-Za-z0-9]{36}", "eyJ\\w+"}));
}

}  // namespace
}  // namespace runner::test
