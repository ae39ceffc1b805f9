// A github_action task forwarded to the runner that has what it needs: node B
// runs the action in its own workspace and action store, runner A gets its
// outputs, and a value the action masked stays masked on A.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "mesh_harness.hpp"

namespace runner::test {
namespace {

const std::string kToken = "tok-Quail-5531-Ridge";

TEST(GitHubActionMesh, AForwardedActionRunsOnTheNodeAndItsMaskedOutputStaysMasked) {
  mesh_dir m;
  std::string ws = m.file("ws-b");
  mkdir(ws.c_str(), 0755);
  mkdir((ws + "/issue").c_str(), 0755);
  m.write("ws-b/issue/action.yml",
          "name: issue a token\noutputs:\n"
          "  token: {value: '${{ steps.t.outputs.token }}'}\n"
          "  where: {value: '${{ steps.t.outputs.where }}'}\n"
          "runs:\n  using: composite\n  steps:\n"
          "    - id: t\n      shell: bash\n      run: |\n"
          "        echo \"::add-mask::" + kToken + "\"\n"
          "        echo \"token=" + kToken + "\" >> \"$GITHUB_OUTPUT\"\n"
          "        echo \"where=$RUNNER_NAME\" >> \"$GITHUB_OUTPUT\"\n"
          "        echo \"issued " + kToken + "\"\n");
  node_process b(m.config("node-b", "accept:\n  - {from: node-a, task_types: [github_action]}\n"
                                    "state_dir: " + m.file("state-b") + "\n"));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto used = m.file("used.txt");
  auto group = m.write("g.yaml",
                       "id: forwarded-action\ntaskGroup:\n"
                       "- name: issue\n  type: github_action\n  forward: {to: node-b}\n"
                       "  spec: {uses: ./issue, workspace: " + ws + "}\n"
                       "  exports: [{name: token, scope: global}, {name: where, scope: global}]\n"
                       "- name: use\n  type: os_exec\n"
                       "  imports: [{from: issue, variable: token}]\n"
                       "  spec: {command: \"printf %s '{{ .issue.token }}' > " + used +
                           "; echo 'using {{ .issue.token }}'\"}\n");
  auto r = run_runner({"run", group, "--config", a, "--output", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << b.output();
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["issue"]["runner"], "node-b");
  EXPECT_EQ(j["results"]["issue"]["outputs"]["where"], "node-b") << "RUNNER_NAME is the node's name";
  EXPECT_EQ(j["results"]["issue"]["outputs"]["token"], "***");
  EXPECT_EQ(read_file(used), kToken) << "the importing task gets the real value";
  EXPECT_NE(r.err.find("[issue] issued ***"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[use] using ***"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find(kToken), std::string::npos) << r.out << r.err;
  EXPECT_EQ(b.output().find(kToken), std::string::npos) << b.output();
}

}  // namespace
}  // namespace runner::test
