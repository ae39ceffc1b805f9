// github_action at its edges: what a step leaves in place of its command
// files, lines longer than the log's line limit, confidential exports of a
// composite, a failing pre, inputs action.yml does not declare. The actions
// here need Node.js but not the toolkit.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "harness.hpp"

namespace runner::test {

namespace {

std::string one_task(const temp_dir& ws, const std::string& action, const std::string& extra) {
  return ws.write("g.yaml", "id: edge\ntaskGroup:\n  - name: act\n    type: github_action\n" +
                                extra + "    spec:\n      uses: ./" + action +
                                "\n      workspace: " + ws.path() + "\n");
}

void composite(const temp_dir& ws, const std::string& name, const std::string& body) {
  mkdir(ws.file(name).c_str(), 0755);
  ws.write(name + "/action.yml", "name: " + name + "\n" + body);
}

}  // namespace

TEST(GitHubActionEdges, AFifoInPlaceOfACommandFileFailsTheStepNotTheRunner) {
  temp_dir ws;
  composite(ws, "fifo", "runs:\n  using: composite\n  steps:\n"
                        "    - shell: bash\n      run: rm \"$GITHUB_PATH\"; mkfifo \"$GITHUB_PATH\"\n");
  auto file = ws.write("g.yaml", "id: edge\ntaskGroup:\n"
                                 "  - name: act\n    type: github_action\n"
                                 "    spec: {uses: ./fifo, workspace: " + ws.path() + "}\n"
                                 "  - name: other\n    type: os_exec\n    spec: {command: 'true'}\n");
  auto r = run_runner({"run", file, "--output", "json"}, std::chrono::seconds(60));
  ASSERT_FALSE(r.timed_out) << "the runner hung on a FIFO";
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["other"]["status"], "success");
  std::string error = j["results"]["act"]["error"];
  EXPECT_NE(error.find("is no longer a regular file"), std::string::npos) << error;
}

TEST(GitHubActionEdges, ASecretAcrossTheCutOfALongLineIsMasked) {
  temp_dir ws;
  const std::string secret = "Long-Line-Secret-8841";
  // The secret starts 10 bytes before the 64 KiB cut of the printed line.
  composite(ws, "long", "runs:\n  using: composite\n  steps:\n"
                        "    - shell: bash\n      run: |\n"
                        "        echo \"::add-mask::$(echo " + secret + ")\"\n"
                        "        printf 'a%.0s' $(seq 1 65526); echo \"$(echo " + secret +
                            ") and more\"\n");
  auto r = run_runner({"run", one_task(ws, "long", ""), "--output", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
  EXPECT_EQ(r.err.find("8841"), std::string::npos) << "a piece of the secret was shown";
  EXPECT_NE(r.err.find("***"), std::string::npos);
}

TEST(GitHubActionEdges, AConfidentialCompositeOutputIsMaskedAsSoonAsAStepMadeIt) {
  temp_dir ws;
  composite(ws, "issue", "outputs:\n  token: {value: '${{ steps.gen.outputs.value }}'}\n"
                         "runs:\n  using: composite\n  steps:\n"
                         "    - id: gen\n      shell: bash\n"
                         "      run: echo \"value=Tok-$((6000 + 221))-Zebra\" >> \"$GITHUB_OUTPUT\"\n"
                         "    - shell: bash\n      run: echo 'got ${{ steps.gen.outputs.value }}'\n");
  auto r = run_runner({"run", one_task(ws, "issue",
                                       "    exports: [{name: token, confidential: true, scope: global}]\n"),
                       "--output", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("Tok-6221-Zebra"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[act] got ***"), std::string::npos) << r.err;
  EXPECT_EQ(parse_json(r.out)["results"]["act"]["outputs"]["token"], "***");
}

TEST(GitHubActionEdges, PostCleansUpAfterAFailedPre) {
  temp_dir ws;
  mkdir(ws.file("setup").c_str(), 0755);
  ws.write("setup/action.yml", "name: setup\nruns:\n  using: node20\n  pre: pre.js\n"
                               "  main: main.js\n  post: post.js\n");
  ws.write("setup/pre.js", "console.log('pre fails'); process.exit(1);\n");
  ws.write("setup/main.js", "require('fs').writeFileSync('main-ran', '');\n");
  ws.write("setup/post.js", "require('fs').writeFileSync('post-ran', '');\n");
  auto r = run_runner({"run", one_task(ws, "setup", ""), "--output", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  struct stat st;
  EXPECT_NE(stat(ws.file("main-ran").c_str(), &st), 0) << "main runs only after a good pre";
  EXPECT_EQ(stat(ws.file("post-ran").c_str(), &st), 0) << "post is registered when pre starts";
  std::string error = parse_json(r.out)["results"]["act"]["error"];
  EXPECT_NE(error.find("pre step of ./setup failed: exit status 1"), std::string::npos) << error;
}

TEST(GitHubActionEdges, InputsActionYmlDoesNotDeclareArePassedOnWithAWarning) {
  temp_dir ws;
  mkdir(ws.file("loose").c_str(), 0755);
  ws.write("loose/action.yml", "name: loose\ninputs:\n  known: {default: k}\n"
                               "runs:\n  using: node20\n  main: main.js\n");
  ws.write("loose/main.js", "console.log(`extra=[${process.env['INPUT_EXTRA']}]`);\n");
  auto file = ws.write("g.yaml", "id: edge\ntaskGroup:\n  - name: act\n    type: github_action\n"
                                 "    spec: {uses: ./loose, workspace: " + ws.path() +
                                 ", with: {extra: hello}}\n");
  auto r = run_runner({"run", file});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("##[warning]Unexpected input(s) 'extra', valid inputs are ['known']"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[act] extra=[hello]"), std::string::npos) << r.out;
}

}  // namespace runner::test
