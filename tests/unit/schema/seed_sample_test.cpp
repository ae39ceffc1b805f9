// The "Sample" task group of seed/runner-design.md, verbatim: every one of its
// mistakes must come out in one run, each with its position and a hint.
#include "schema_test_util.hpp"

namespace runner::test {
namespace {

// Copied from the design note as it is, non-breaking spaces (U+00A0, pasted
// from a web page) included.
const std::string kSeedSample =
    "taskGroup: \n"
    "- name: foo,\n"
    "\u00A0\u00A0type: os_exec,\n"
    "\u00A0\u00A0spec:\n"
    "\u00A0\u00A0\u00A0\u00A0command: |\n"
    "      secret=curl https://vault...;\n"
    "\u00A0\u00A0\u00A0\u00A0\u00A0\u00A0echo \"password=${secret}\" > ${OUTPUT_FILE}_foo;\n"
    "  exports:\n"
    "  - name: password\n"
    "    confidential: true\n"
    "    scope: local\n"
    "-\u00A0name: bar,\n"
    "\u00A0\u00A0type: os_exec,\n"
    "\u00A0\u00A0spec:\n"
    "\u00A0\u00A0\u00A0\u00A0command: [\"/bin/bash\" \"-c\", \"echo '{{ .foo.password )}'\"],\n"
    "    envs:\n"
    "    - key: value\n"
    "\u00A0\u00A0depends_on: foo,\n"
    "  imports:\n"
    "  - from: foo,\n"
    "    variable: password\n";

std::string without_nbsp(std::string s) {
  for (size_t k; (k = s.find("\u00A0")) != std::string::npos;) s.replace(k, 2, " ");
  return s;
}

struct expected {
  int line, column;
  const char* message;
  const char* hint;
};

const expected kMistakes[] = {
    {2, 9, "task name `foo,` is not valid", "trailing comma? YAML keeps it as part of the value"},
    {3, 9, "task type `os_exec,` is not valid", "trailing comma?"},
    {12, 9, "task name `bar,` is not valid", "trailing comma?"},
    {13, 9, "task type `os_exec,` is not valid", "trailing comma?"},
    {15, 27, "YAML syntax error: end of sequence flow not found",
     "missing comma between list items?"},
    {15, 40, "unterminated template", "close it with `}}`: {{ .task.variable }}"},
    {15, 62, "YAML syntax error: end of map not found", "stray comma?"},
    {18, 15, "`depends_on` entry `foo,` is not a valid task name", "trailing comma?"},
    {20, 11, "import source `foo,` is not a valid task name", "trailing comma?"},
};

void expect_mistakes(const diagnostics& ds) {
  for (const expected& e : kMistakes) {
    int found = 0;
    for (const diagnostic& d : ds) {
      if (d.mark.line != e.line || d.message.find(e.message) == std::string::npos)
        continue;
      ++found;
      EXPECT_EQ(d.mark.column, e.column) << e.message;
      EXPECT_HAS(d.hint, e.hint);
      EXPECT_EQ(d.file, "g.yaml");
    }
    EXPECT_EQ(found, 1) << "line " << e.line << ": " << e.message << " in\n" << dump(ds);
  }
}

TEST(SeedSample, AsPublishedWithNonBreakingSpaces) {
  diagnostics ds = check(kSeedSample);
  expect_mistakes(ds);
  diagnostic nbsp = find_one(ds, "non-breaking space (U+00A0)");
  EXPECT_AT(nbsp, 3, 1);
  EXPECT_HAS(nbsp.message, "also on lines 4, 5, 7, 12, 13, 14, 15, 18");
  EXPECT_EQ(ds.size(), std::size(kMistakes) + 1) << dump(ds);
}

TEST(SeedSample, WithPlainSpaces) {
  diagnostics ds = check(without_nbsp(kSeedSample));
  expect_mistakes(ds);
  EXPECT_EQ(ds.size(), std::size(kMistakes)) << dump(ds);
}

TEST(SeedSample, ProblemsComeInFileOrder) {
  diagnostics ds = check(without_nbsp(kSeedSample));
  ASSERT_EQ(ds.size(), std::size(kMistakes));
  for (size_t i = 0; i < ds.size(); ++i) {
    EXPECT_EQ(ds[i].mark.line, kMistakes[i].line);
    EXPECT_HAS(ds[i].message, kMistakes[i].message);
  }
}

TEST(SeedSample, FixedVersionIsValid) {
  // The same group with its mistakes corrected, as the user would end up with.
  diagnostics ds = check(R"(taskGroup:
- name: foo
  type: os_exec
  spec:
    command: |
      secret=curl https://vault...;
      echo "password=${secret}" > ${OUTPUT_FILE}_foo;
  exports:
  - name: password
    confidential: true
    scope: local
- name: bar
  type: os_exec
  spec:
    command: ["/bin/bash", "-c", "echo '{{ .foo.password }}'"]
    envs:
    - key: value
  depends_on: foo
  imports:
  - from: foo
    variable: password
)");
  EXPECT_TRUE(ds.empty()) << dump(ds);
}

}  // namespace
}  // namespace runner::test
