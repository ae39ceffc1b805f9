// The wire protocol's invariants: a request hashes the same on both sides of
// the network (the signature depends on it), any change to it changes the
// hash, and what leaves a node for a forwarded group is masked.
#include <gtest/gtest.h>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "net/node_actor.hpp"
#include "net/progress_relay.hpp"
#include "net/remote_call.hpp"
#include "net/wire.hpp"

namespace runner {
namespace {

struct wire_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  wire_system() {
    add_wire_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
  }
};

task_request sample_task() {
  task_request r;
  r.to.destination = "node-c";
  r.to.path = {"node-a"};
  r.group_id = "g1";
  r.task_name = "fetch";
  r.run_id = "run-1";
  r.attempt = 2;
  r.type = "os_exec";
  r.spec_json = R"({"command":"echo hi"})";
  r.exports = {{"password", true}, {"user", false}};
  r.secrets = {"s3cret"};
  return r;
}

// What the receiving node sees: the request after a trip through CAF's
// binary format.
template <class T>
T round_trip(caf::actor_system& sys, T value) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  EXPECT_FALSE(sink(value));
  T out;
  caf::binary_deserializer source{sys, buf};
  EXPECT_FALSE(source(out));
  return out;
}

TEST(Wire, ARequestHashesTheSameAfterCrossingTheWire) {
  wire_system w;
  auto req = sample_task();
  auto received = round_trip(*w.sys, req);
  EXPECT_EQ(request_hash(*w.sys, req), request_hash(*w.sys, received));
  group_request g{{"node-b", {"node-a"}}, "taskGroup: []\n", "g.yaml", "id-1"};
  EXPECT_EQ(request_hash(*w.sys, g), request_hash(*w.sys, round_trip(*w.sys, g)));
}

TEST(Wire, EveryFieldOfARequestIsCoveredByItsHash) {
  wire_system w;
  auto base = request_hash(*w.sys, sample_task());
  std::vector<std::function<void(task_request&)>> changes = {
      [](task_request& r) { r.to.destination = "node-x"; },
      [](task_request& r) { r.to.path.push_back("node-b"); },
      [](task_request& r) { r.group_id = "g2"; },
      [](task_request& r) { r.task_name = "other"; },
      [](task_request& r) { r.run_id = "run-2"; },
      [](task_request& r) { r.attempt = 3; },
      [](task_request& r) { r.type = "vault"; },
      [](task_request& r) { r.spec_json = R"({"command":"rm -rf /"})"; },
      [](task_request& r) { r.exports[0].confidential = false; },
      [](task_request& r) { r.secrets.clear(); },
      [](task_request& r) { r.imports["a.b"] = "c"; },
      [](task_request& r) { r.statuses["a"] = "failed"; },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    auto r = sample_task();
    changes[i](r);
    EXPECT_NE(request_hash(*w.sys, r), base) << "change " << i << " is not covered";
  }
  // The same bytes as another kind of request never hash alike.
  cancel_request c{"run-1"};
  admin_request a{admin_query::describe, "run-1"};
  EXPECT_NE(request_hash(*w.sys, c), request_hash(*w.sys, a));
}

TEST(Wire, AReportLeavingANodeHasItsConfidentialValuesMasked) {
  task_report r;
  r.exports = {{"password", "s3cret", true, true}, {"user", "bob", false, true}};
  auto out = masked_report(r);
  EXPECT_EQ(out.exports[0].value, "***");
  EXPECT_EQ(out.exports[1].value, "bob");
}

TEST(Wire, TargetsAreNodeNamesOrAddresses) {
  EXPECT_TRUE(is_node_name("node-b"));
  EXPECT_FALSE(is_node_name("10.0.0.5:7700"));
  EXPECT_FALSE(is_node_name("[::1]:7700"));
}

node_config with_rules(std::vector<accept_rule> rules) {
  node_config c;
  c.name = "node-b";
  c.file = "/etc/runner.yaml";
  c.accept = std::move(rules);
  return c;
}

TEST(Accept, DenyByDefaultWithAnErrorNamingNodeSubmitterAndType) {
  auto c = with_rules({});
  auto why = refusal(c, "node-a", "vault");
  EXPECT_NE(why.find("node `node-b`"), std::string::npos) << why;
  EXPECT_NE(why.find("`node-a`"), std::string::npos) << why;
  EXPECT_NE(why.find("`vault`"), std::string::npos) << why;
  EXPECT_NE(why.find("/etc/runner.yaml"), std::string::npos) << why;
  EXPECT_NE(why.find("{from: node-a, task_types: [vault]}"), std::string::npos) << why;
}

TEST(Accept, RulesMatchByIdentityAndTypeWithWildcards) {
  auto c = with_rules({{"node-a", {"os_exec"}, {}}, {"*", {"expression_evaluation"}, {}},
                       {"ops", {"*"}, {}}});
  EXPECT_EQ(refusal(c, "node-a", "os_exec"), "");
  EXPECT_NE(refusal(c, "node-a", "vault"), "");
  EXPECT_NE(refusal(c, "node-x", "os_exec"), "");
  EXPECT_EQ(refusal(c, "node-x", "expression_evaluation"), "");
  EXPECT_EQ(refusal(c, "ops", "vault"), "");
  EXPECT_NE(refusal(c, "anonymous", "os_exec"), "");
}

}  // namespace
}  // namespace runner
