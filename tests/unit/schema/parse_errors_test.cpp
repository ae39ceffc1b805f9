// Structural mistakes the parser reports: each with its position and a hint.
#include "schema_test_util.hpp"

namespace runner::test {
namespace {

TEST(ParseErrors, TopLevelMustBeAMapping) {
  parse_result r = parse("- just\n- a list\n");
  diagnostic d = find_one(r.problems, "must be a mapping, not a list");
  EXPECT_AT(d, 1, 1);
  EXPECT_HAS(d.hint, "taskGroup:");

  diagnostic s = find_one(parse("hello\n").problems, "must be a mapping, not a single value");
  EXPECT_AT(s, 1, 1);

  diagnostic e = find_one(parse("# nothing\n").problems, "the document is empty");
  EXPECT_HAS(e.hint, "taskGroup");
}

TEST(ParseErrors, TopLevelListOfTasksIsStillRead) {
  parse_result r = parse("- name: a,\n  type: os_exec\n");
  EXPECT_EQ(count_of(r.problems, "must be a mapping, not a list"), 1);
  diagnostic d = find_one(r.problems, "task name `a,`");
  EXPECT_AT(d, 1, 9);
}

TEST(ParseErrors, TaskGroupMissingOrNotAList) {
  diagnostic missing = find_one(parse("id: x\n").problems, "`taskGroup` is missing");
  EXPECT_AT(missing, 1, 1);
  EXPECT_HAS(missing.hint, "add `taskGroup:`");

  diagnostic map = find_one(parse("taskGroup:\n  name: a\n  type: os_exec\n").problems,
                            "`taskGroup` must be a list of tasks, not a mapping");
  EXPECT_AT(map, 2, 3);
  EXPECT_HAS(map.hint, "- name:");

  diagnostic empty = find_one(parse("taskGroup: []\n").problems, "`taskGroup` has no tasks");
  EXPECT_AT(empty, 1, 1);
}

TEST(ParseErrors, UnknownFieldsAtEveryLevelWithDidYouMean) {
  parse_result r = parse(R"(taskgroup: 1
idd: x
taskGroup:
  - nmae: a
    type: os_exec
    dependson: [b]
    imports:
      - {form: b, variable: v}
    exports:
      - {name: v, confidental: true}
    forward: {too: x}
    cache: {kee: k}
    retry: {atempts: 2}
    zzz: 1
)");
  struct expectation {
    const char* message;
    int line, column;
    const char* hint;
  } cases[] = {
      {"unknown field `taskgroup` in the task group", 1, 1, "did you mean `taskGroup`?"},
      {"unknown field `idd` in the task group", 2, 1, "did you mean `id`?"},
      {"unknown field `nmae` in a task", 4, 5, "did you mean `name`?"},
      {"unknown field `dependson` in a task", 6, 5, "did you mean `depends_on`?"},
      {"unknown field `form` in an import", 8, 10, "did you mean `from`?"},
      {"unknown field `confidental` in an export", 10, 19, "did you mean `confidential`?"},
      {"unknown field `too` in `forward`", 11, 15, "did you mean `to`?"},
      {"unknown field `kee` in `cache`", 12, 13, "did you mean `key`?"},
      {"unknown field `atempts` in `retry`", 13, 13, "did you mean `attempts`?"},
      {"unknown field `zzz` in a task", 14, 5, "known fields: `name`, `type`"},
  };
  for (const expectation& e : cases) {
    diagnostic d = find_one(r.problems, e.message);
    EXPECT_AT(d, e.line, e.column);
    EXPECT_HAS(d.hint, e.hint);
  }
  EXPECT_HAS(find_one(r.problems, "`zzz`").hint, "known fields");
  EXPECT_EQ(find_one(r.problems, "`zzz`").hint.find("did you mean"), std::string::npos);
}

TEST(ParseErrors, RepeatedKey) {
  parse_result r = parse("taskGroup:\n  - name: a\n    type: os_exec\n    name: b\n");
  diagnostic d = find_one(r.problems, "`name` appears twice");
  EXPECT_AT(d, 4, 5);
}

TEST(ParseErrors, MissingNameAndType) {
  parse_result r = parse("taskGroup:\n  - type: os_exec\n  - name: b\n    spec: {}\n");
  diagnostic name = find_one(r.problems, "task has no `name`");
  EXPECT_AT(name, 2, 5);
  EXPECT_HAS(name.hint, "add `name:");
  diagnostic type = find_one(r.problems, "task `b` has no `type`");
  EXPECT_AT(type, 3, 5);
  EXPECT_HAS(type.hint, "add `type:");
}

TEST(ParseErrors, EmptyNameValue) {
  parse_result r = parse("taskGroup:\n  - name:\n    type: os_exec\n");
  diagnostic d = find_one(r.problems, "`name` has no value");
  EXPECT_AT(d, 2, 5);  // the key: an empty value has no position of its own
  EXPECT_EQ(count_of(r.problems, "has no `name`"), 0);
}

TEST(ParseErrors, NamePattern) {
  parse_result r = parse(R"(taskGroup:
  - name: foo,
    type: os_exec
  - name: 1abc
    type: os_exec
  - name: "a b"
    type: os_exec
  - name: [x]
    type: os_exec
)");
  diagnostic comma = find_one(r.problems, "task name `foo,` is not valid");
  EXPECT_AT(comma, 2, 11);
  EXPECT_EQ(comma.hint, "trailing comma? YAML keeps it as part of the value; remove the comma");
  diagnostic digit = find_one(r.problems, "task name `1abc` is not valid");
  EXPECT_AT(digit, 4, 11);
  EXPECT_HAS(digit.hint, "starts with a letter");
  EXPECT_AT(find_one(r.problems, "task name `a b`"), 6, 11);
  diagnostic list = find_one(r.problems, "`name` must be a single value, not a list");
  EXPECT_AT(list, 8, 11);
  // The comma is dropped from the model so later checks see `foo`.
  EXPECT_EQ(r.group->tasks[0].name, "foo");
}

TEST(ParseErrors, TrailingCommaInEveryReference) {
  parse_result r = parse(R"(taskGroup:
  - name: foo
    type: os_exec,
    exports: [{name: password}]
  - name: bar
    type: os_exec
    depends_on: [foo,]
  - name: baz
    type: os_exec
    depends_on: foo,
    imports:
      - from: foo,
        variable: password,
)");
  diagnostic type = find_one(r.problems, "task type `os_exec,` is not valid");
  EXPECT_AT(type, 3, 11);
  EXPECT_HAS(type.hint, "trailing comma?");
  diagnostic dep = find_one(r.problems, "`depends_on` entry `foo,` is not a valid task name");
  EXPECT_AT(dep, 10, 17);
  EXPECT_HAS(dep.hint, "trailing comma?");
  diagnostic from = find_one(r.problems, "import source `foo,` is not a valid task name");
  EXPECT_AT(from, 12, 15);
  EXPECT_HAS(from.hint, "trailing comma?");
  diagnostic var =
      find_one(r.problems, "imported variable `password,` is not a valid variable name");
  EXPECT_AT(var, 13, 19);
  EXPECT_HAS(var.hint, "trailing comma?");
  // `[foo,]` is a list with one item: YAML flow syntax eats that comma.
  EXPECT_EQ(r.group->tasks[1].depends_on, std::vector<std::string>{"foo"});
  EXPECT_EQ(r.group->tasks[0].type, "os_exec");
  EXPECT_EQ(r.group->tasks[2].depends_on, std::vector<std::string>{"foo"});
  EXPECT_EQ(r.group->tasks[2].imports[0].from, "foo");
  EXPECT_EQ(r.group->tasks[2].imports[0].variable, "password");
  EXPECT_EQ(r.problems.size(), 4u) << dump(r.problems);
}

TEST(ParseErrors, DependsOnWithCommasInsideOneString) {
  parse_result r = parse("taskGroup:\n  - {name: a, type: os_exec}\n  - name: b\n"
                         "    type: os_exec\n    depends_on: a, c\n");
  diagnostic d = find_one(r.problems, "`depends_on` entry `a, c` is not a valid task name");
  EXPECT_AT(d, 5, 17);
  EXPECT_HAS(d.hint, "`[a, c]`");
}

TEST(ParseErrors, DuplicateNamesPointAtTheSecond) {
  parse_result r = parse(R"(taskGroup:
  - name: build
    type: os_exec
  - name: test
    type: os_exec
  - name: build
    type: os_exec
)");
  diagnostic d = find_one(r.problems, "duplicate task name `build`");
  EXPECT_AT(d, 6, 11);
  EXPECT_HAS(d.hint, "line 2");
}

TEST(ParseErrors, WrongNodeKinds) {
  parse_result r = parse(R"(taskGroup:
  - name: a
    type: os_exec
    spec: [ls]
    depends_on: {b: c}
    imports: {from: b, variable: v}
    exports: password
    forward: node-b
    cache: key
    retry: 3
    when: [x]
    timeout: {s: 1}
  - just a string
  - name: b
    type: os_exec
    imports: [b.token]
    exports: [token]
)");
  struct expectation {
    const char* message;
    int line, column;
    const char* hint;
  } cases[] = {
      {"`spec` must be a mapping, not a list", 4, 11, "`key: value`"},
      {"`depends_on` must be a task name or a list of task names, not a mapping", 5, 17,
       "depends_on: [a, b]"},
      {"`imports` must be a list, not a mapping", 6, 14, "imports: [{from: task"},
      {"`exports` must be a list, not a single value", 7, 14, "exports: [{name:"},
      {"`forward` must be a mapping, not a single value", 8, 14, "`forward: {to: node-b}`"},
      {"`cache` must be a mapping", 9, 12, "cache: {key:"},
      {"`retry` must be a mapping", 10, 12, "retry: {attempts: 3"},
      {"`when` must be a single value, not a list", 11, 11, "when:"},
      {"`timeout` must be a single value, not a mapping", 12, 14, "30s"},
      {"a task must be a mapping, not a single value", 13, 5, "- name:"},
      {"an import must be a mapping", 16, 15, "`{from: b, variable: token}`"},
      {"an export must be a mapping", 17, 15, "`- name: token`"},
  };
  for (const expectation& e : cases) {
    diagnostic d = find_one(r.problems, e.message);
    EXPECT_AT(d, e.line, e.column);
    EXPECT_HAS(d.hint, e.hint);
  }
}

TEST(ParseErrors, ImportAndExportRequiredFields) {
  parse_result r = parse(R"(taskGroup:
  - name: a
    type: os_exec
    imports:
      - {variable: v}
      - {from: b}
    exports:
      - {confidential: true}
)");
  EXPECT_AT(find_one(r.problems, "import has no `from`"), 5, 9);
  EXPECT_AT(find_one(r.problems, "import has no `variable`"), 6, 9);
  EXPECT_AT(find_one(r.problems, "export has no `name`"), 8, 9);
}

TEST(ParseErrors, BadDurations) {
  parse_result r = parse(R"(taskGroup:
  - name: a
    type: os_exec
    timeout: soon
    retry: {attempts: 2, backoff: -1s}
    cache: {key: k, ttl: 1d}
)");
  diagnostic timeout = find_one(r.problems, "`timeout`: `soon` is not a duration");
  EXPECT_AT(timeout, 4, 14);
  EXPECT_HAS(timeout.hint, "`30s`");
  EXPECT_AT(find_one(r.problems, "`retry.backoff`: `-1s` is not a duration"), 5, 35);
  EXPECT_AT(find_one(r.problems, "`cache.ttl`: `1d` is not a duration"), 6, 26);
}

TEST(ParseErrors, ExportScopeConfidentialAndNames) {
  parse_result r = parse(R"(taskGroup:
  - name: a
    type: os_exec
    exports:
      - {name: x, scope: globl}
      - {name: y, confidential: yes}
      - {name: 9lives}
      - {name: x}
      - {name: ok_-1, confidential: False, scope: global}
)");
  diagnostic scope = find_one(r.problems, "`scope` must be `local` or `global`, not `globl`");
  EXPECT_AT(scope, 5, 26);
  EXPECT_HAS(scope.hint, "`local` (the default)");
  diagnostic conf = find_one(r.problems, "`confidential` must be true or false, not `yes`");
  EXPECT_AT(conf, 6, 33);
  EXPECT_HAS(conf.hint, "confidential: true");
  diagnostic name = find_one(r.problems, "export name `9lives` is not valid");
  EXPECT_AT(name, 7, 16);
  EXPECT_HAS(name.hint, "starts with a letter or `_`");
  diagnostic dup = find_one(r.problems, "`x` is exported twice");
  EXPECT_AT(dup, 8, 16);
  EXPECT_HAS(dup.hint, "line 5");
  EXPECT_EQ(r.problems.size(), 4u) << dump(r.problems);
}

TEST(ParseErrors, RetryAttempts) {
  parse_result r = parse(R"(taskGroup:
  - {name: a, type: os_exec, retry: {attempts: 0}}
  - {name: b, type: os_exec, retry: {attempts: -2}}
  - {name: c, type: os_exec, retry: {attempts: many}}
)");
  diagnostic zero = find_one(r.problems, "`retry.attempts` must be at least 1, not 0");
  EXPECT_AT(zero, 2, 48);
  EXPECT_HAS(zero.hint, "including the first");
  EXPECT_AT(find_one(r.problems, "at least 1, not -2"), 3, 48);
  EXPECT_AT(find_one(r.problems, "`retry.attempts` must be a whole number, not `many`"), 4, 48);
}

TEST(ParseErrors, SpecKeysMustBeUnique) {
  parse_result r = parse("taskGroup:\n  - name: a\n    type: os_exec\n    spec:\n"
                         "      command: ls\n      command: pwd\n");
  EXPECT_AT(find_one(r.problems, "`command` appears twice"), 6, 7);
}

TEST(ParseErrors, MoreThanOneDocument) {
  parse_result r = parse("taskGroup:\n  - {name: a, type: os_exec}\n---\ntaskGroup: []\n");
  diagnostic d = find_one(r.problems, "2 YAML documents");
  EXPECT_AT(d, 4, 1);
}

TEST(ParseErrors, AliasBombIsCappedNotExpanded) {
  // Each level doubles the tree; fully expanded this is 2^40 values.
  std::string text = "taskGroup:\n  - name: a\n    type: os_exec\n    spec:\n"
                     "      x0: &x0 [a, a]\n";
  for (int i = 1; i <= 40; ++i)
    text += "      x" + std::to_string(i) + ": &x" + std::to_string(i) + " [*x" +
            std::to_string(i - 1) + ", *x" + std::to_string(i - 1) + "]\n";
  parse_result r = parse(text);
  EXPECT_EQ(count_of(r.problems, "values"), 1) << dump(r.problems);
  EXPECT_HAS(find_one(r.problems, "values").hint, "aliases");
}

TEST(ParseErrors, EveryProblemReportedAtOnceInOrder) {
  parse_result r = parse(R"(taskGroup:
  - name: foo,
    typ: os_exec
  - name: bar
    type: os_exec
    timeout: forever
    exports: [{name: x, scope: wide}]
  - name: bar
    type: os_exec
)");
  EXPECT_EQ(r.problems.size(), 6u) << dump(r.problems);
  EXPECT_EQ(count_of(r.problems, "task name `foo,`"), 1);
  EXPECT_EQ(count_of(r.problems, "unknown field `typ`"), 1);
  EXPECT_EQ(count_of(r.problems, "task `foo` has no `type`"), 1);
  EXPECT_EQ(count_of(r.problems, "not a duration"), 1);
  EXPECT_EQ(count_of(r.problems, "`scope` must be"), 1);
  EXPECT_EQ(count_of(r.problems, "duplicate task name `bar`"), 1);
  for (size_t i = 1; i < r.problems.size(); ++i)
    EXPECT_LE(r.problems[i - 1].mark.line, r.problems[i].mark.line);
  ASSERT_TRUE(r.group);  // still returned: validation can go on
}

}  // namespace
}  // namespace runner::test
