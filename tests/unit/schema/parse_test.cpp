// Parsing well-formed documents: every field lands where the model says.
#include <regex>

#include "schema/parse.hpp"
#include "schema_test_util.hpp"

namespace runner::test {
namespace {

const char kFull[] = R"(id: build-42
forward: {to: vault-b}
taskGroup:
  - name: fetch
    type: vault
    spec:
      url: https://vault.example:8200
      port: 8200
      ratio: 0.5
      enabled: true
      nothing: null
      empty:
      quoted: "42"
      single: 'true'
      command: ["/bin/sh", "-c", "echo hi"]
      envs:
        FOO: bar
        "a/b": x
    exports:
      - {name: password, confidential: true, scope: local}
      - name: url
        scope: global
    forward: {to: 10.0.0.5:8888}
    cache: {key: "mycorp.vault-1", ttl: 1h}
    timeout: 30s
    retry: {attempts: 3, backoff: 1s}
  - name: use
    type: os_exec
    spec:
      command: "echo {{ .fetch.password }}"
    depends_on: [fetch]
    imports:
      - {from: fetch, variable: password}
    when: "<+ fetch.status == 'success' >"
)";

TEST(Parse, EveryFieldOfTheDocument) {
  parse_result r = parse(kFull);
  ASSERT_TRUE(r.problems.empty()) << dump(r.problems);
  ASSERT_TRUE(r.group);
  const task_group& g = *r.group;
  EXPECT_EQ(g.id, "build-42");
  EXPECT_EQ(g.file, "g.yaml");
  ASSERT_TRUE(g.forward);
  EXPECT_EQ(g.forward->to, "vault-b");
  EXPECT_AT(g.forward->mark, 2, 1);
  ASSERT_EQ(g.tasks.size(), 2u);

  const task_decl& fetch = g.tasks[0];
  EXPECT_EQ(fetch.name, "fetch");
  EXPECT_EQ(fetch.type, "vault");
  EXPECT_AT(fetch.mark, 4, 5);
  EXPECT_AT(fetch.name_mark, 4, 11);
  EXPECT_AT(fetch.type_mark, 5, 11);
  ASSERT_EQ(fetch.exports.size(), 2u);
  EXPECT_EQ(fetch.exports[0].name, "password");
  EXPECT_TRUE(fetch.exports[0].confidential);
  EXPECT_EQ(fetch.exports[0].scope, export_scope::local);
  EXPECT_AT(fetch.exports[0].mark, 20, 9);
  EXPECT_EQ(fetch.exports[1].name, "url");
  EXPECT_FALSE(fetch.exports[1].confidential);
  EXPECT_EQ(fetch.exports[1].scope, export_scope::global);
  EXPECT_AT(fetch.exports[1].mark, 21, 9);
  ASSERT_TRUE(fetch.forward);
  EXPECT_EQ(fetch.forward->to, "10.0.0.5:8888");
  EXPECT_AT(fetch.forward->mark, 23, 5);
  ASSERT_TRUE(fetch.cache);
  EXPECT_EQ(fetch.cache->key, "mycorp.vault-1");
  EXPECT_EQ(fetch.cache->ttl, std::chrono::hours(1));
  EXPECT_AT(fetch.cache->mark, 24, 5);
  ASSERT_TRUE(fetch.timeout);
  EXPECT_EQ(*fetch.timeout, std::chrono::seconds(30));
  ASSERT_TRUE(fetch.retry);
  EXPECT_EQ(fetch.retry->attempts, 3);
  EXPECT_EQ(fetch.retry->backoff, std::chrono::seconds(1));
  EXPECT_AT(fetch.retry->mark, 26, 5);
  EXPECT_FALSE(fetch.when);
  EXPECT_TRUE(fetch.depends_on.empty());
  EXPECT_TRUE(fetch.imports.empty());

  const task_decl& use = g.tasks[1];
  EXPECT_EQ(use.depends_on, std::vector<std::string>{"fetch"});
  EXPECT_AT(use.depends_on_mark, 31, 17);
  ASSERT_EQ(use.depends_on_marks.size(), 1u);
  EXPECT_AT(use.depends_on_marks[0], 31, 18);
  ASSERT_EQ(use.imports.size(), 1u);
  EXPECT_EQ(use.imports[0].from, "fetch");
  EXPECT_EQ(use.imports[0].variable, "password");
  EXPECT_AT(use.imports[0].mark, 33, 9);
  ASSERT_TRUE(use.when);
  EXPECT_EQ(*use.when, "<+ fetch.status == 'success' >");
  EXPECT_AT(use.when_mark, 34, 12);  // inside the quotes
  EXPECT_FALSE(use.forward);
  EXPECT_FALSE(use.cache);
  EXPECT_FALSE(use.timeout);
  EXPECT_FALSE(use.retry);
  EXPECT_EQ(use.spec, json({{"command", "echo {{ .fetch.password }}"}}));
}

TEST(Parse, SpecBecomesTypedJson) {
  parse_result r = parse(kFull);
  ASSERT_TRUE(r.group);
  const json& spec = r.group->tasks[0].spec;
  EXPECT_EQ(spec["url"], "https://vault.example:8200");
  EXPECT_EQ(spec["port"], 8200);
  EXPECT_TRUE(spec["port"].is_number_integer());
  EXPECT_DOUBLE_EQ(spec["ratio"].get<double>(), 0.5);
  EXPECT_EQ(spec["enabled"], true);
  EXPECT_TRUE(spec["nothing"].is_null());
  EXPECT_TRUE(spec["empty"].is_null());
  EXPECT_EQ(spec["quoted"], "42");   // quoted: stays a string
  EXPECT_EQ(spec["single"], "true");
  EXPECT_EQ(spec["command"], json::array({"/bin/sh", "-c", "echo hi"}));
  EXPECT_EQ(spec["envs"], json({{"FOO", "bar"}, {"a/b", "x"}}));
}

TEST(Parse, SpecMarksByJsonPointer) {
  parse_result r = parse(kFull);
  ASSERT_TRUE(r.group);
  const source_map& m = r.group->tasks[0].spec_marks;
  auto at = [&](const std::string& p) {
    auto it = m.find(p);
    EXPECT_NE(it, m.end()) << "no mark for " << p;
    return it == m.end() ? source_mark{} : it->second;
  };
  EXPECT_AT(at(""), 7, 7);
  EXPECT_AT(at("/url"), 7, 12);
  EXPECT_AT(at("/port"), 8, 13);
  EXPECT_AT(at("/empty"), 12, 7);  // an empty value points at its key
  EXPECT_AT(at("/quoted"), 13, 16);  // strings: where the text starts, inside quotes
  EXPECT_AT(at("/command"), 15, 16);
  EXPECT_AT(at("/command/0"), 15, 18);
  EXPECT_AT(at("/command/2"), 15, 35);
  EXPECT_AT(at("/envs"), 17, 9);
  EXPECT_AT(at("/envs/FOO"), 17, 14);
  EXPECT_AT(at("/envs/a~1b"), 18, 16);
}

TEST(Parse, PlainScalarsFollowYaml12CoreSchema) {
  parse_result r = parse(R"(taskGroup:
  - name: a
    type: os_exec
    spec:
      a: yes
      b: on
      c: TRUE
      d: -17
      e: 0x1F
      f: 1e3
      g: .inf
      h: 99999999999999999999999
      i: ~
      j: "null"
      k: !!str 12
      l: 1.5.3
      m: 0o17
      n: +3
      o: -2.5e-3
)");
  ASSERT_TRUE(r.problems.empty()) << dump(r.problems);
  const json& s = r.group->tasks[0].spec;
  EXPECT_EQ(s["a"], "yes");
  EXPECT_EQ(s["b"], "on");
  EXPECT_EQ(s["c"], true);
  EXPECT_EQ(s["d"], -17);
  EXPECT_EQ(s["e"], 31);
  EXPECT_DOUBLE_EQ(s["f"].get<double>(), 1000.0);
  EXPECT_EQ(s["g"], ".inf");
  EXPECT_EQ(s["h"], "99999999999999999999999");
  EXPECT_TRUE(s["i"].is_null());
  EXPECT_EQ(s["j"], "null");
  EXPECT_EQ(s["k"], "12");
  EXPECT_EQ(s["l"], "1.5.3");
  EXPECT_EQ(s["m"], 15);
  EXPECT_EQ(s["n"], 3);
  EXPECT_DOUBLE_EQ(s["o"].get<double>(), -0.0025);
}

TEST(Parse, BlockScalarMarkIsItsFirstLine) {
  parse_result r = parse("taskGroup:\n  - name: a\n    type: os_exec\n    spec:\n"
                         "      command: |\n        echo one\n        echo two\n");
  ASSERT_TRUE(r.problems.empty()) << dump(r.problems);
  EXPECT_EQ(r.group->tasks[0].spec["command"], "echo one\necho two\n");
  EXPECT_AT(r.group->tasks[0].spec_marks.at("/command"), 6, 9);
}

TEST(Parse, ColumnsCountCharactersNotBytes) {
  parse_result r = parse("taskGroup:\n  - name: a\n    type: os_exec\n    spec:\n"
                         "      grüße: wörld\n");
  ASSERT_TRUE(r.problems.empty()) << dump(r.problems);
  EXPECT_AT(r.group->tasks[0].spec_marks.at("/grüße"), 5, 14);
}

// Items of one long line are counted on from the item before (yaml_source.cpp);
// the count must still be in characters, and right for an earlier item asked again.
TEST(Parse, ColumnsOfItemsOnOneLineCountCharacters) {
  parse_result r = parse("taskGroup:\n  - {name: ä, type: os_exec}\n  - {name: b, type: os_exec}\n"
                         "  - {name: c, type: os_exec, depends_on: [\"ä\", b, \"ö\", b]}\n");
  ASSERT_TRUE(r.group);
  const auto& marks = r.group->tasks[2].depends_on_marks;
  ASSERT_EQ(marks.size(), 4u);
  EXPECT_AT(marks[0], 4, 43);
  EXPECT_AT(marks[1], 4, 48);
  EXPECT_AT(marks[2], 4, 51);
  EXPECT_AT(marks[3], 4, 56);
  parse_result again = parse("taskGroup:\n  - {name: a, type: os_exec, depends_on: [ö, b]}\n");
  ASSERT_TRUE(again.group);
  EXPECT_AT(again.group->tasks[0].depends_on_marks[1], 2, 46);
}

TEST(Parse, DependsOnAsScalarOrList) {
  parse_result r = parse(R"(taskGroup:
  - {name: a, type: os_exec}
  - {name: b, type: os_exec, depends_on: a}
  - {name: c, type: os_exec, depends_on: [a, b]}
  - {name: d, type: os_exec, depends_on: []}
  - {name: e, type: os_exec, depends_on: }
)");
  ASSERT_TRUE(r.problems.empty()) << dump(r.problems);
  EXPECT_EQ(r.group->tasks[1].depends_on, std::vector<std::string>{"a"});
  EXPECT_EQ(r.group->tasks[2].depends_on, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(r.group->tasks[2].depends_on_marks.size(), 2u);
  EXPECT_AT(r.group->tasks[2].depends_on_marks[1], 4, 46);
  EXPECT_TRUE(r.group->tasks[3].depends_on.empty());
  EXPECT_TRUE(r.group->tasks[4].depends_on.empty());
}

TEST(Parse, JsonIsAcceptedAsYaml) {
  parse_result r = parse(
      "{\n\t\"id\": \"j1\",\n\t\"taskGroup\": [\n\t\t{\"name\": \"a\", \"type\": \"os_exec\",\n"
      "\t\t \"spec\": {\"command\": [\"ls\", \"-l\"], \"n\": 3, \"b\": false, \"s\": \"3\"},\n"
      "\t\t \"exports\": [{\"name\": \"x\", \"confidential\": true}]}\n\t]\n}\n");
  ASSERT_TRUE(r.problems.empty()) << dump(r.problems);
  const task_decl& t = r.group->tasks[0];
  EXPECT_EQ(r.group->id, "j1");
  EXPECT_EQ(t.spec, json::parse(R"({"command": ["ls", "-l"], "n": 3, "b": false, "s": "3"})"));
  EXPECT_TRUE(t.exports[0].confidential);
  EXPECT_AT(t.name_mark, 4, 12);
}

TEST(Parse, MissingIdGetsAUuidV4) {
  parse_result a = parse("taskGroup:\n  - {name: a, type: os_exec}\n");
  parse_result b = parse("taskGroup:\n  - {name: a, type: os_exec}\n");
  ASSERT_TRUE(a.group && b.group);
  std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  EXPECT_TRUE(std::regex_match(a.group->id, uuid)) << a.group->id;
  EXPECT_NE(a.group->id, b.group->id);
}

TEST(Parse, ExportDefaults) {
  parse_result r = parse("taskGroup:\n  - name: a\n    type: os_exec\n    exports:\n"
                         "      - name: _tok-1\n");
  ASSERT_TRUE(r.problems.empty()) << dump(r.problems);
  EXPECT_FALSE(r.group->tasks[0].exports[0].confidential);
  EXPECT_EQ(r.group->tasks[0].exports[0].scope, export_scope::local);
}

TEST(Parse, BareNumberTimeoutIsSeconds) {
  parse_result r = parse("taskGroup:\n  - {name: a, type: os_exec, timeout: 90, "
                         "retry: {attempts: 1}}\n");
  ASSERT_TRUE(r.problems.empty()) << dump(r.problems);
  EXPECT_EQ(*r.group->tasks[0].timeout, std::chrono::seconds(90));
  EXPECT_EQ(r.group->tasks[0].retry->attempts, 1);
  EXPECT_EQ(r.group->tasks[0].retry->backoff, std::chrono::milliseconds(0));
}

TEST(Parse, MissingSpecIsAnEmptyObject) {
  parse_result r = parse("taskGroup:\n  - {name: a, type: os_exec}\n  - name: b\n"
                         "    type: os_exec\n    spec:\n");
  ASSERT_TRUE(r.problems.empty()) << dump(r.problems);
  EXPECT_EQ(r.group->tasks[0].spec, json::object());
  EXPECT_EQ(r.group->tasks[1].spec, json::object());
}

TEST(Parse, WindowsLineEndings) {
  parse_result r = parse("taskGroup:\r\n  - name: a\r\n    type: os_exec\r\n    spec:\r\n"
                         "      command: \"echo {{ .b.c }}\"\r\n  - name: b,\r\n    type: x\r\n");
  ASSERT_TRUE(r.group);
  EXPECT_EQ(r.group->tasks[0].spec["command"], "echo {{ .b.c }}");
  EXPECT_AT(r.group->tasks[0].spec_marks.at("/command"), 5, 17);
  diagnostic d = find_one(r.problems, "task name `b,` is not valid");
  EXPECT_AT(d, 6, 11);
}

TEST(Parse, SpecKeysMustBeStrings) {
  parse_result r = parse("taskGroup:\n  - name: a\n    type: os_exec\n    spec:\n"
                         "      ? [x, y]\n      : 1\n      2: two\n");
  EXPECT_AT(find_one(r.problems, "a key in `spec` must be a string"), 5, 9);
  EXPECT_EQ(r.group->tasks[0].spec, json({{"2", "two"}}));
}

TEST(Parse, UnreadableFileIsADiagnostic) {
  parse_result r = load_task_group("/nonexistent/dir/group.yaml");
  EXPECT_FALSE(r.group);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_HAS(r.problems[0].message, "cannot read `/nonexistent/dir/group.yaml`");
  EXPECT_EQ(r.problems[0].file, "/nonexistent/dir/group.yaml");
  EXPECT_EQ(r.problems[0].mark.line, 0);

  parse_result dir = load_task_group("/tmp");
  ASSERT_EQ(dir.problems.size(), 1u);
  EXPECT_HAS(dir.problems[0].message, "directory");
}

}  // namespace
}  // namespace runner::test
