// `runner validate` and `runner graph` through the real binary.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace runner::test {

TEST(Validate, ReportsEveryProblemWithPosition) {
  temp_dir tmp;
  auto file = tmp.write("bad.yaml", R"(taskGroup:
  - name: foo,
    type: os_exec
    spec: {command: "echo"}
  - name: bar
    type: os_exec
    depends_on: [nothere]
    spec: {command: "echo '{{ .foo.password )}'"}
  - name: a
    type: os_exec
    depends_on: c
    spec: {command: "true"}
  - name: b
    type: os_exec
    depends_on: a
    spec: {command: "true"}
  - name: c
    type: os_exec
    depends_on: b
    spec: {comand: "true"}
)");
  auto r = run_runner({"validate", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(file + ":2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("trailing comma?"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothere"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unterminated template"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("a -> c -> b -> a"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean `command`?"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was run"), std::string::npos) << r.err;
}

TEST(Validate, AcceptsAValidGroup) {
  auto r = run_runner({"validate", example("diamond.yaml")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ok (4 tasks)"), std::string::npos);
}

TEST(Validate, UnreadableFile) {
  auto r = run_runner({"validate", "/nonexistent/group.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/group.yaml"), std::string::npos) << r.err;
}

TEST(Graph, DotAndMermaid) {
  auto dot = run_runner({"graph", example("diamond.yaml")});
  ASSERT_EQ(dot.exit_code, 0) << dot.err;
  EXPECT_NE(dot.out.find("digraph"), std::string::npos);
  EXPECT_NE(dot.out.find("\"split\" -> \"left\""), std::string::npos) << dot.out;
  EXPECT_NE(dot.out.find("left"), std::string::npos);
  auto mermaid = run_runner({"graph", example("diamond.yaml"), "--format", "mermaid"});
  ASSERT_EQ(mermaid.exit_code, 0);
  EXPECT_NE(mermaid.out.find("flowchart"), std::string::npos) << mermaid.out;
}

TEST(Cli, BadArgumentsExit2) {
  auto r = run_runner({"run"});
  EXPECT_EQ(r.exit_code, 2);
  auto bad_grace = run_runner({"run", example("diamond.yaml"), "--grace", "soon"});
  EXPECT_EQ(bad_grace.exit_code, 2);
  EXPECT_NE(bad_grace.err.find("--grace"), std::string::npos);
}

}  // namespace runner::test
