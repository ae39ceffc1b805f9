// Cross-task checks: types, references, imports against exports, templates,
// cycles, and the features this runner does not run yet.
#include "schema/validate.hpp"

#include "schema_test_util.hpp"
#include "tests/support/temp_dir.hpp"

namespace runner::test {
namespace {

TEST(Validate, ValidGroupHasNoProblemsAndReachesCheckSpec) {
  fake_catalog types;
  diagnostics d = check(R"(taskGroup:
  - name: fetch
    type: vault
    exports: [{name: password, confidential: true}]
  - name: use
    type: os_exec
    depends_on: fetch
    imports: [{from: fetch, variable: password}]
    spec:
      command: ["sh", "-c", "echo {{ .fetch.password }} {{.fetch.password}}"]
      envs: {P: "{{ .fetch.password }}"}
)",
                        types);
  EXPECT_TRUE(d.empty()) << dump(d);
  EXPECT_EQ(types.checked, (std::vector<std::string>{"fetch", "use"}));
}

TEST(Validate, UnknownTaskType) {
  fake_catalog types;
  diagnostics ds = check("taskGroup:\n  - name: a\n    type: os_exek\n  - name: b\n"
                         "    type: docker\n",
                         types);
  diagnostic d = find_one(ds, "unknown task type `os_exek`");
  EXPECT_AT(d, 3, 11);
  EXPECT_HAS(d.hint, "did you mean `os_exec`?");
  EXPECT_HAS(d.hint, "known types: `expression_evaluation`, `os_exec`, `vault`");
  diagnostic far = find_one(ds, "unknown task type `docker`");
  EXPECT_EQ(far.hint.find("did you mean"), std::string::npos);
  EXPECT_HAS(far.hint, "known types");
  // check_spec only for types the catalog knows.
  EXPECT_TRUE(types.checked.empty());
}

TEST(Validate, ReferencesToTasksThatDoNotExist) {
  diagnostics ds = check(R"(taskGroup:
  - name: build
    type: os_exec
    exports: [{name: artifact}]
  - name: test
    type: os_exec
    depends_on: [biuld, deploy]
    imports:
      - {from: bulid, variable: artifact}
)");
  diagnostic dep = find_one(ds, "task `test` depends on `biuld`, which is not a task of this group");
  EXPECT_AT(dep, 7, 18);
  EXPECT_HAS(dep.hint, "did you mean `build`?");
  diagnostic dep2 = find_one(ds, "depends on `deploy`");
  EXPECT_AT(dep2, 7, 25);
  EXPECT_HAS(dep2.hint, "check the spelling");
  diagnostic imp = find_one(ds, "task `test` imports from `bulid`, which is not a task of this group");
  EXPECT_AT(imp, 9, 9);
  EXPECT_HAS(imp.hint, "did you mean `build`?");
  EXPECT_EQ(ds.size(), 3u) << dump(ds);
}

TEST(Validate, SelfReferences) {
  diagnostics ds = check(R"(taskGroup:
  - name: a
    type: os_exec
    depends_on: a
    exports: [{name: x}]
    imports: [{from: a, variable: x}]
)");
  diagnostic dep = find_one(ds, "task `a` depends on itself");
  EXPECT_AT(dep, 4, 17);
  EXPECT_HAS(dep.hint, "remove `a`");
  diagnostic imp = find_one(ds, "task `a` imports from itself");
  EXPECT_AT(imp, 6, 15);
  EXPECT_EQ(count_of(ds, "dependency cycle"), 0) << dump(ds);
}

TEST(Validate, ImportOfAVariableNotExported) {
  diagnostics ds = check(R"(taskGroup:
  - name: foo
    type: os_exec
    exports: [{name: password}, {name: user}]
  - name: bare
    type: os_exec
  - name: bar
    type: os_exec
    imports:
      - {from: foo, variable: passwd}
      - {from: bare, variable: token}
)");
  diagnostic d = find_one(ds, "task `bar` imports `passwd` from `foo`, which does not export it");
  EXPECT_AT(d, 10, 9);
  EXPECT_HAS(d.hint, "did you mean `password`?");
  EXPECT_HAS(d.hint, "`foo` exports `password`, `user`");
  diagnostic none = find_one(ds, "imports `token` from `bare`");
  EXPECT_AT(none, 11, 9);
  EXPECT_HAS(none.hint, "`bare` exports nothing; add `exports: [{name: token}]` to `bare`");
}

const char kTemplateGroup[] = R"(taskGroup:
  - name: foo
    type: os_exec
    exports: [{name: password}]
  - name: bar
    type: os_exec
    spec:
      command: ["/bin/bash", "-c", "echo '{{ .foo.password )}'"]
      plain: x {{ .foo.token }}
      nested:
        list: ["ok", "{{ foo.password }}"]
      script: |
        echo start
          echo {{ .baz.secret }}
    cache: {key: "k-{{ .foo.password }}"}
)";

TEST(Validate, UnterminatedTemplate) {
  diagnostics ds = check(kTemplateGroup);
  diagnostic d = find_one(ds, "unterminated template");
  EXPECT_AT(d, 8, 43);
  EXPECT_EQ(d.hint, "close it with `}}`: {{ .task.variable }}");
}

TEST(Validate, TemplateRefersToAVariableNotImported) {
  diagnostics ds = check(kTemplateGroup);
  diagnostic plain =
      find_one(ds, "template `{{ .foo.token }}` refers to `foo.token`, which task `bar` does not import");
  EXPECT_AT(plain, 9, 16);
  EXPECT_EQ(plain.hint, "add `imports: [{from: foo, variable: token}]`");
  // In a block scalar: the line inside the block, the column of the text.
  diagnostic block = find_one(ds, "refers to `baz.secret`");
  EXPECT_AT(block, 14, 16);
  EXPECT_EQ(block.hint, "add `imports: [{from: baz, variable: secret}]`");
  // cache.key is checked too, at the template's own column.
  diagnostic cache = find_one(ds, "refers to `foo.password`");
  EXPECT_AT(cache, 15, 21);
}

TEST(Validate, MalformedTemplate) {
  diagnostics ds = check(kTemplateGroup);
  diagnostic d = find_one(ds, "malformed template `{{ foo.password }}`");
  EXPECT_AT(d, 11, 23);
  EXPECT_HAS(d.hint, "`{{ .task.variable }}`");
  EXPECT_HAS(d.hint, "did you mean `{{ .foo.password }}`?");
}

TEST(Validate, ImportedTemplateIsFine) {
  diagnostics ds = check(R"(taskGroup:
  - {name: foo, type: os_exec, exports: [{name: password}]}
  - name: bar
    type: os_exec
    imports: [{from: foo, variable: password}]
    spec: {a: "{{.foo.password}}", b: ["x{{ .foo.password }}y"], c: {d: "{{ .foo.password}}"}}
)");
  EXPECT_TRUE(ds.empty()) << dump(ds);
}

TEST(Validate, DependencyCycleIsPrinted) {
  diagnostics ds = check(R"(taskGroup:
  - name: a
    type: os_exec
    depends_on: [c]
  - name: b
    type: os_exec
    depends_on: [a]
  - name: c
    type: os_exec
    exports: [{name: x}]
    imports: [{from: b, variable: y}]
  - name: d
    type: os_exec
    depends_on: [c]
)");
  diagnostic d = find_one(ds, "dependency cycle: ");
  EXPECT_EQ(d.message, "dependency cycle: a -> c -> b -> a");
  EXPECT_AT(d, 2, 5);
  EXPECT_HAS(d.hint, "remove one of these dependencies");
}

TEST(Validate, IndependentCyclesAreEachReported) {
  diagnostics ds = check(R"(taskGroup:
  - {name: a, type: os_exec, depends_on: b}
  - {name: b, type: os_exec, depends_on: a}
  - {name: c, type: os_exec, depends_on: d}
  - {name: d, type: os_exec, depends_on: c}
)");
  EXPECT_EQ(find_one(ds, "a -> b").message, "dependency cycle: a -> b -> a");
  EXPECT_EQ(find_one(ds, "c -> d").message, "dependency cycle: c -> d -> c");
  EXPECT_AT(find_one(ds, "c -> d"), 4, 5);
}

TEST(Validate, WhenConditionsAreCheckedBeforeAnythingRuns) {
  diagnostics ds = check(R"(taskGroup:
  - name: a
    type: os_exec
    exports: [{name: v}]
  - name: b
    type: os_exec
    imports: [{from: a, variable: v}]
    when: "<+ a.v == 'x' && >"
  - name: c
    type: os_exec
    when: "<+ a.v == 'x' && nosuch.status == 'failed' && c.status == 'x' >"
  - name: d
    type: os_exec
    spec: {envs: [{STAGE: prod}]}
    when: "env.STAGE == 'prod' && env.OTHER == '' && {{ .a.w }} == ''"
)");
  diagnostic syntax = find_one(ds, "expected a value");
  EXPECT_EQ(syntax.message, "`when`: expression at 1:18: expected a value, found end of expression");
  EXPECT_AT(syntax, 8, 29);
  EXPECT_HAS(syntax.hint, "docs/expressions.md");
  diagnostic import = find_one(ds, "`a.v` is not imported by task `c`");
  EXPECT_EQ(import.message, "`when`: expression at 1:4: `a.v` is not imported by task `c`");
  EXPECT_AT(import, 11, 15);
  EXPECT_HAS(import.hint, "imports: [{from: a, variable: v}]");
  diagnostic unknown = find_one(ds, "`nosuch.status` names no task of this group");
  EXPECT_AT(unknown, 11, 29);
  find_one(ds, "task `c` reads its own status");
  diagnostic env = find_one(ds, "`env.OTHER` is not in the spec's `envs`");
  EXPECT_AT(env, 15, 35);
  find_one(ds, "template `{{ .a.w }}` refers to `a.w`, which task `d` does not import");
  EXPECT_EQ(count_of(ds, "STAGE"), 0) << dump(ds);
}

TEST(Validate, AValidWhenConditionPasses) {
  diagnostics ds = check(R"(taskGroup:
  - {name: a, type: os_exec, exports: [{name: v}]}
  - name: b
    type: os_exec
    imports: [{from: a, variable: v}]
    when: "<+ a.status == 'success' && a.v.startsWith('1.') >"
  - {name: cleanup, type: os_exec, when: "a.status == 'failed'"}
)");
  EXPECT_TRUE(ds.empty()) << dump(ds);
}

TEST(Validate, ACycleThroughAWhenStatusReadIsACycle) {
  diagnostics ds = check(R"(taskGroup:
  - {name: a, type: os_exec, depends_on: b}
  - {name: b, type: os_exec, when: "a.status == 'failed'"}
)");
  diagnostic d = find_one(ds, "dependency cycle: a -> b -> a");
  EXPECT_HAS(d.hint, "`when`");
}

TEST(Validate, ForwardTargetsAreNodeNamesOrHostPort) {
  diagnostics ok = check("forward: {to: node-b}\ntaskGroup:\n  - name: a\n    type: os_exec\n"
                         "    spec: {command: 'true'}\n    forward: {to: 10.0.0.5:8888}\n");
  EXPECT_TRUE(ok.empty()) << dump(ok);
  diagnostics bad = check("forward: {to: 'node b'}\ntaskGroup:\n  - name: a\n    type: os_exec\n"
                          "    spec: {command: 'true'}\n    forward: {to: 'host:99999'}\n");
  ASSERT_EQ(count_of(bad, "is not a runner to forward to"), 2) << dump(bad);
  EXPECT_AT(bad[0], 1, 1);
  EXPECT_HAS(bad[0].hint, "host:port");
  EXPECT_AT(bad[1], 6, 5);
}

TEST(Validate, AForwardedTaskMayUseATypeOnlyItsRunnerKnows) {
  diagnostics ds = check("taskGroup:\n  - name: a\n    type: only_on_b\n    forward: {to: node-b}\n"
                         "  - name: b\n    type: also_unknown\n");
  ASSERT_EQ(ds.size(), 1u) << dump(ds);
  EXPECT_HAS(ds[0].message, "unknown task type `also_unknown`");
}

TEST(Validate, CacheWithATemplatedKeyAndATtlIsValid) {
  diagnostics ds = check(R"(taskGroup:
  - name: a
    type: os_exec
    exports: [{name: sha}]
  - name: b
    type: os_exec
    imports: [{from: a, variable: sha}]
    cache: {key: "build-{{ .a.sha }}", ttl: 1h}
  - name: c
    type: os_exec
    cache: {key: forever}
)");
  EXPECT_TRUE(ds.empty()) << dump(ds);
}

TEST(Validate, CacheKeyMustNotBeEmpty) {
  diagnostics ds = check("taskGroup:\n  - name: a\n    type: os_exec\n    cache: {key: \"\"}\n");
  diagnostic d = find_one(ds, "`cache.key` is empty");
  EXPECT_AT(d, 4, 18);
  EXPECT_HAS(d.hint, "what identifies the result");
}

TEST(Validate, CacheTtlOfZeroIsRefusedWithTheWayToKeepForever) {
  diagnostics ds = check("taskGroup:\n  - name: a\n    type: os_exec\n    cache: {key: k, ttl: 0s}\n");
  diagnostic d = find_one(ds, "`cache.ttl` of 0 would keep nothing");
  EXPECT_AT(d, 4, 26);
  EXPECT_HAS(d.hint, "leave `ttl` out");
}

TEST(Validate, CacheKeyTemplateOnALaterLineOfABlockScalar) {
  diagnostics ds = check(R"(taskGroup:
  - name: a
    type: os_exec
    cache:
      key: |
        first
        {{ .nope.x }}
)");
  diagnostic d = find_one(ds, "refers to `nope.x`");
  EXPECT_AT(d, 7, 9);
}

TEST(Validate, NoCascadeFromNamesTheParserAlreadyReported) {
  // `foo,` is reported once by the parser; validation sees `foo`.
  diagnostics ds = check(R"(taskGroup:
  - name: foo,
    type: os_exec
    exports: [{name: v}]
  - name: bar
    type: os_exec
    depends_on: [foo,]
    imports: [{from: "foo,", variable: v}]
  - name: baz
    type: os_exec
    depends_on: [1x]
)");
  EXPECT_EQ(count_of(ds, "not a task of this group"), 0) << dump(ds);
  EXPECT_EQ(ds.size(), 3u) << dump(ds);
}

TEST(Validate, ManyErrorsAllAtOnce) {
  diagnostics ds = check(R"(taskGroup:
  - name: foo
    type: os_exek
    exports: [{name: password}]
  - name: bar
    type: os_exec
    depends_on: [fooo]
    imports: [{from: foo, variable: pasword}]
    spec: {command: "echo {{ .foo.password }} {{ .foo.pass"}
  - name: baz
    type: os_exec
    depends_on: [baz]
    when: "x"
)");
  EXPECT_EQ(count_of(ds, "unknown task type `os_exek`"), 1);
  EXPECT_EQ(count_of(ds, "depends on `fooo`"), 1);
  EXPECT_EQ(count_of(ds, "imports `pasword` from `foo`"), 1);
  EXPECT_EQ(count_of(ds, "refers to `foo.password`"), 1);
  EXPECT_EQ(count_of(ds, "unterminated template"), 1);
  EXPECT_EQ(count_of(ds, "depends on itself"), 1);
  EXPECT_EQ(count_of(ds, "`when`: expression at 1:"), 1);
  EXPECT_EQ(ds.size(), 7u) << dump(ds);
  for (size_t i = 1; i < ds.size(); ++i)
    EXPECT_LE(ds[i - 1].mark.line, ds[i].mark.line);
}

TEST(Validate, GroupBuiltInCodeWithoutMarks) {
  task_group g;
  g.id = "x";
  task_decl t;
  t.name = "a";
  t.type = "os_exec";
  t.spec = {{"command", "{{ .b.c }}"}};
  t.depends_on = {"zz"};
  g.tasks.push_back(t);
  diagnostics ds = validate_task_group(g, fake_catalog());
  EXPECT_EQ(ds.size(), 2u) << dump(ds);
  EXPECT_EQ(count_of(ds, "depends on `zz`"), 1);
  EXPECT_EQ(count_of(ds, "refers to `b.c`"), 1);
}

class LoadAndValidate : public ::testing::Test {
 protected:
  std::string write(const std::string& text) { return dir_.write("group.yaml", text); }

 private:
  temp_dir dir_{"schema-load-and-validate"};
};

TEST_F(LoadAndValidate, GroupOnlyWhenClean) {
  std::string good = write("id: g1\ntaskGroup:\n  - {name: a, type: os_exec}\n");
  checked_group ok = load_and_validate(good, fake_catalog());
  ASSERT_TRUE(ok.group);
  EXPECT_TRUE(ok.problems.empty());
  EXPECT_EQ(ok.group->id, "g1");
  EXPECT_EQ(ok.group->file, good);

  std::string bad = write("taskGroup:\n  - {name: a, type: os_exec, depends_on: b}\n");
  checked_group ko = load_and_validate(bad, fake_catalog());
  EXPECT_FALSE(ko.group);
  ASSERT_EQ(ko.problems.size(), 1u);
  EXPECT_EQ(ko.problems[0].file, bad);
  EXPECT_HAS(format_diagnostic(ko.problems[0]), bad + ":2:42: error: task `a` depends on `b`");
}

TEST_F(LoadAndValidate, ParseAndValidationProblemsTogether) {
  std::string path = write("taskGroup:\n  - name: a,\n    type: nope\n");
  checked_group r = load_and_validate(path, fake_catalog());
  EXPECT_FALSE(r.group);
  EXPECT_EQ(count_of(r.problems, "task name `a,`"), 1);
  EXPECT_EQ(count_of(r.problems, "unknown task type `nope`"), 1);
}

TEST_F(LoadAndValidate, MissingFile) {
  checked_group r = load_and_validate("/no/such/file.yaml", fake_catalog());
  EXPECT_FALSE(r.group);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_HAS(r.problems[0].message, "cannot read");
}

}  // namespace
}  // namespace runner::test
