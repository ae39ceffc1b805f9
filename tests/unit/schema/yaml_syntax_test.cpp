// YAML syntax errors: the message, a hint a person can act on, and recovery so
// the rest of the document is still checked.
#include "schema_test_util.hpp"

namespace runner::test {
namespace {

const char kTask[] = "taskGroup:\n  - name: a\n    type: os_exec\n    spec:\n";

TEST(YamlSyntax, MissingCommaInAFlowList) {
  parse_result r = parse(std::string(kTask) + "      command: [\"/bin/bash\" \"-c\", \"x\"]\n");
  diagnostic d = find_one(r.problems, "YAML syntax error: end of sequence flow not found");
  EXPECT_AT(d, 5, 29);  // the item after the missing comma
  EXPECT_EQ(d.hint, "missing comma between list items?");
  // Recovered as if the comma were there.
  ASSERT_TRUE(r.group);
  EXPECT_EQ(r.group->tasks[0].spec["command"], json::array({"/bin/bash", "-c", "x"}));
  EXPECT_EQ(r.problems.size(), 1u) << dump(r.problems);
}

TEST(YamlSyntax, MissingCommaInAFlowMapping) {
  parse_result r = parse(std::string(kTask) + "      envs: {\"A\": \"1\" \"B\": \"2\"}\n");
  diagnostic d = find_one(r.problems, "YAML syntax error");
  EXPECT_EQ(d.hint, "missing comma between entries?");
  EXPECT_EQ(r.group->tasks[0].spec["envs"], json({{"A", "1"}, {"B", "2"}}));
}

TEST(YamlSyntax, StrayCommaAfterAFlowList) {
  parse_result r = parse(std::string(kTask) + "      command: [\"ls\", \"-l\"],\n      dir: /\n");
  diagnostic d = find_one(r.problems, "YAML syntax error: end of map not found");
  EXPECT_AT(d, 5, 28);
  EXPECT_HAS(d.hint, "stray comma?");
  EXPECT_EQ(r.group->tasks[0].spec["dir"], "/");
}

TEST(YamlSyntax, UnclosedFlowList) {
  parse_result r = parse(std::string(kTask) + "      command: [\"ls\", \"-l\"\n    depends_on: b\n");
  diagnostic d = find_one(r.problems, "YAML syntax error");
  EXPECT_HAS(d.hint, "closing `]` missing?");
}

TEST(YamlSyntax, MissingCommaAtALineBreakInsideAList) {
  parse_result r = parse(std::string(kTask) +
                         "      command: [\"ls\",\n         \"-l\"\n         \"x\"]\n");
  diagnostic d = find_one(r.problems, "YAML syntax error");
  EXPECT_AT(d, 7, 10);
  EXPECT_EQ(d.hint, "missing comma between list items?");
  EXPECT_EQ(r.group->tasks[0].spec["command"], json::array({"ls", "-l", "x"}));
}

TEST(YamlSyntax, ListNeverClosedBeforeTheNextTask) {
  parse_result r = parse(std::string(kTask) +
                         "      command: [\"ls\", \"-l\"\n  - name: b\n    type: os_exec\n"
                         "    typo: 1\n");
  diagnostic d = find_one(r.problems, "YAML syntax error");
  EXPECT_AT(d, 6, 3);
  EXPECT_EQ(d.hint, "is the closing `]` missing? the `[` on line 5 is never closed");
  // Recovered by closing the list where it most likely ended.
  EXPECT_EQ(r.group->tasks[0].spec["command"], json::array({"ls", "-l"}));
  EXPECT_AT(find_one(r.problems, "unknown field `typo`"), 8, 5);
}

TEST(YamlSyntax, ListNeverClosedBeforeTheNextField) {
  parse_result r = parse(std::string(kTask) +
                         "      command: [\"ls\",\n         \"-l\"\n    depends_on: x\n");
  diagnostic d = find_one(r.problems, "YAML syntax error");
  EXPECT_HAS(d.hint, "is the closing `]` missing?");
}

TEST(YamlSyntax, MismatchedCloser) {
  parse_result r = parse(std::string(kTask) + "      x: [1, 2}\n");
  diagnostic d = find_one(r.problems, "YAML syntax error: illegal flow end");
  EXPECT_AT(d, 5, 15);
  EXPECT_HAS(d.hint, "is a `]` missing?");
  EXPECT_EQ(r.group->tasks[0].spec["x"], json::array({1, 2}));

  parse_result inner = parse("taskGroup:\n  - name: a\n    type: os_exec\n"
                             "    spec: {command: ls, x: [1, 2}\n");
  EXPECT_HAS(find_one(inner.problems, "YAML syntax error").hint,
             "`}` here, but the `[` on line 4 is still open; is a `]` missing?");
  EXPECT_EQ(inner.group->tasks[0].spec, json::parse(R"({"command": "ls", "x": [1, 2]})"));
}

TEST(YamlSyntax, UnterminatedQuoteThatYamlCppAccepts) {
  parse_result r = parse(std::string(kTask) + "      command: \"echo\n  - name: b\n    type: os_exec\n");
  diagnostic d = find_one(r.problems, "unterminated quoted string");
  EXPECT_AT(d, 5, 16);
  EXPECT_HAS(d.hint, "close it with `\"`");
}

TEST(YamlSyntax, TabIndentation) {
  parse_result r = parse("taskGroup:\n  - name: a\n\ttype: os_exec\n");
  diagnostic d = find_one(r.problems, "YAML syntax error");
  EXPECT_AT(d, 3, 1);
  EXPECT_HAS(d.hint, "tabs");
}

TEST(YamlSyntax, ColonInsideAPlainValue) {
  parse_result r = parse(std::string(kTask) + "      command: echo a: b\n");
  diagnostic d = find_one(r.problems, "YAML syntax error: illegal map value");
  EXPECT_AT(d, 5, 22);
  EXPECT_HAS(d.hint, "must be quoted");
}

TEST(YamlSyntax, TextAfterAClosingQuote) {
  parse_result r = parse(std::string(kTask) + "      command: 'it's'\n");
  diagnostic d = find_one(r.problems, "YAML syntax error");
  EXPECT_HAS(d.hint, "after a closing quote");
}

TEST(YamlSyntax, BadIndentation) {
  parse_result r = parse("taskGroup:\n  - name: a\n   type: os_exec\n");
  diagnostic d = find_one(r.problems, "YAML syntax error");
  EXPECT_AT(d, 3, 4);
  EXPECT_HAS(d.hint, "indentation");
}

TEST(YamlSyntax, RecoversAfterAGuessAndChecksTheRest) {
  // Line 5 is dropped to recover; the unknown field on line 8 is still found.
  parse_result r = parse(std::string(kTask) +
                         "      command: echo a: b\n  - name: b\n    type: os_exec\n    tyype: x\n");
  EXPECT_EQ(count_of(r.problems, "YAML syntax error"), 1) << dump(r.problems);
  EXPECT_AT(find_one(r.problems, "unknown field `tyype`"), 8, 5);
}

TEST(YamlSyntax, NonBreakingSpacesInIndentation) {
  parse_result r = parse("taskGroup:\n- name: a\n\xC2\xA0 type: os_exec\n"
                         "-\xC2\xA0name: b\n  type:\xC2\xA0os_exec\n");
  diagnostic d = find_one(r.problems, "non-breaking space (U+00A0)");
  EXPECT_AT(d, 3, 1);
  EXPECT_HAS(d.message, "also on lines 4, 5");
  EXPECT_HAS(d.hint, "ordinary space");
  ASSERT_TRUE(r.group);
  ASSERT_EQ(r.group->tasks.size(), 2u);
  EXPECT_EQ(r.group->tasks[1].type, "os_exec");
  EXPECT_EQ(r.problems.size(), 1u) << dump(r.problems);
}

TEST(YamlSyntax, NonBreakingSpaceInsideTextIsLeftAlone) {
  parse_result r = parse(std::string(kTask) + "      msg: \"a\xC2\xA0" "b\"\n");
  EXPECT_TRUE(r.problems.empty()) << dump(r.problems);
  EXPECT_EQ(r.group->tasks[0].spec["msg"], "a\xC2\xA0""b");
}

TEST(YamlSyntax, HopelessTextGivesNoGroup) {
  parse_result r = parse("taskGroup: [\n  {name: a\n");
  EXPECT_GE(count_of(r.problems, "YAML syntax error"), 1);
  // Either no group, or a group the checks can still walk; never a crash.
  if (r.group) {
    EXPECT_FALSE(r.problems.empty());
  }
}

TEST(YamlSyntax, FormatShowsFileLineColumnAndHint) {
  parse_result r = parse(std::string(kTask) + "      command: [\"a\" \"b\"]\n");
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(format_diagnostic(r.problems[0]),
            "g.yaml:5:21: error: YAML syntax error: end of sequence flow not found\n"
            "  hint: missing comma between list items?\n");
}

}  // namespace
}  // namespace runner::test
