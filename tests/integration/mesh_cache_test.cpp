// The task cache on a mesh node: a group forwarded whole runs on the node,
// whose cache (in its own state_dir) serves the second run without running
// the task again.
#include <gtest/gtest.h>

#include <string>

#include "harness.hpp"
#include "mesh_harness.hpp"

namespace runner::test {

using namespace std::chrono_literals;

TEST(MeshCache, AGroupForwardedWholeIsCachedOnTheNodeThatRunsIt) {
  mesh_dir m;
  auto state = m.file("node-b-state");
  node_process b(m.config("node-b", "accept:\n  - {from: node-a, task_types: [os_exec]}\n"
                                    "state_dir: " + state + "\n"));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "", false);
  auto runs = m.file("runs");
  auto group = m.write("g.yaml",
                       "taskGroup:\n"
                       "  - name: build\n    type: os_exec\n    cache: {key: build-1}\n"
                       "    spec: {command: 'echo ran >> " + runs +
                           "; echo out=made >> $OUTPUT_FILE'}\n"
                           "    exports: [{name: out, scope: global}]\n");
  for (int round = 0; round < 2; ++round) {
    auto r = run_runner({"run", group, "--config", a, "--to", b.address(), "--output", "json"},
                        60s);
    ASSERT_EQ(r.exit_code, 0) << r.err << b.output();
    auto j = parse_json(r.out);
    EXPECT_EQ(j["results"]["build"]["cached"], round == 1) << r.out;
    EXPECT_EQ(j["results"]["build"]["outputs"]["out"], "made") << r.out;
  }
  EXPECT_EQ(read_file(runs), "ran\n");  // the second run did not run it
  auto listed = run_runner({"cache", "list", "--state-dir", state});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("build-1"), std::string::npos) << listed.out;
}

}  // namespace runner::test
