#include "schema/graph_render.hpp"

#include "schema_test_util.hpp"

namespace runner::test {
namespace {

const char kGroup[] = R"(id: build-42
taskGroup:
  - name: fetch
    type: vault
    exports: [{name: password}, {name: user}]
  - name: lint
    type: os_exec
  - name: deploy-app
    type: os_exec
    depends_on: [lint, fetch]
    imports:
      - {from: fetch, variable: user}
      - {from: fetch, variable: password}
  - name: end
    type: expression_evaluation
    depends_on: deploy-app
)";

task_group load() {
  parse_result r = parse(kGroup);
  EXPECT_TRUE(r.problems.empty()) << dump(r.problems);
  return *r.group;
}

TEST(GraphRender, Dot) {
  EXPECT_EQ(render_dot(load()),
            "digraph \"build-42\" {\n"
            "  \"fetch\" [label=\"fetch\\n(vault)\"];\n"
            "  \"lint\" [label=\"lint\\n(os_exec)\"];\n"
            "  \"deploy-app\" [label=\"deploy-app\\n(os_exec)\"];\n"
            "  \"end\" [label=\"end\\n(expression_evaluation)\"];\n"
            "  \"lint\" -> \"deploy-app\";\n"
            "  \"fetch\" -> \"deploy-app\" [label=\"user, password\"];\n"
            "  \"deploy-app\" -> \"end\";\n"
            "}\n");
}

TEST(GraphRender, Mermaid) {
  EXPECT_EQ(render_mermaid(load()),
            "flowchart TD\n"
            "  t_fetch[\"fetch<br/>(vault)\"]\n"
            "  t_lint[\"lint<br/>(os_exec)\"]\n"
            "  t_deploy_app[\"deploy-app<br/>(os_exec)\"]\n"
            "  t_end[\"end<br/>(expression_evaluation)\"]\n"
            "  t_lint --> t_deploy_app\n"
            "  t_fetch -->|\"user, password\"| t_deploy_app\n"
            "  t_deploy_app --> t_end\n");
}

TEST(GraphRender, ImportOnlyEdgeAndRepeatedImport) {
  task_group g = *parse("id: g\ntaskGroup:\n  - {name: a, type: os_exec, exports: [{name: x}]}\n"
                        "  - name: b\n    type: os_exec\n"
                        "    imports: [{from: a, variable: x}, {from: a, variable: x}]\n")
                      .group;
  EXPECT_NE(render_dot(g).find("  \"a\" -> \"b\" [label=\"x\"];\n"), std::string::npos)
      << render_dot(g);
  EXPECT_NE(render_mermaid(g).find("  t_a -->|\"x\"| t_b\n"), std::string::npos);
}

TEST(GraphRender, MermaidIdsStayUnique) {
  task_group g = *parse("id: g\ntaskGroup:\n  - {name: a-b, type: os_exec}\n"
                        "  - {name: a_b, type: os_exec, depends_on: a-b}\n")
                      .group;
  std::string m = render_mermaid(g);
  EXPECT_NE(m.find("  t_a_b[\"a-b<br/>(os_exec)\"]\n"), std::string::npos) << m;
  EXPECT_NE(m.find("  t_a_b_2[\"a_b<br/>(os_exec)\"]\n"), std::string::npos) << m;
  EXPECT_NE(m.find("  t_a_b --> t_a_b_2\n"), std::string::npos) << m;
}

TEST(GraphRender, QuotesInIdAreEscaped) {
  task_group g;
  g.id = "say \"hi\"";
  EXPECT_EQ(render_dot(g), "digraph \"say \\\"hi\\\"\" {\n}\n");
}

TEST(GraphRender, OutputIsDeterministic) {
  EXPECT_EQ(render_dot(load()), render_dot(load()));
  EXPECT_EQ(render_mermaid(load()), render_mermaid(load()));
}

}  // namespace
}  // namespace runner::test
