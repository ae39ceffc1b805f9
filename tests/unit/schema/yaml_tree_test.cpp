// The compact YAML tree built from parser events, and the streaming of a
// group's tasks that keeps a large group from ever being a whole tree.
#include <sstream>

#include <yaml-cpp/parser.h>

#include "schema/heap_optional.hpp"
#include "schema/task_index.hpp"
#include "schema/yaml_tree_builder.hpp"
#include "schema_test_util.hpp"

namespace runner::test {
namespace {

// Parses the first document of `text`. Items of the streamed list are
// described to `items` as they come (the tree no longer holds them after).
void build(yaml_tree& tree, const std::string& text, std::vector<std::string>* items = nullptr) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  auto describe = [items](yaml_node item) {
    items->push_back(item.is_scalar() ? std::string(item.text())
                     : item.is_map()  ? "map of " + std::to_string(item.size())
                                      : "other");
  };
  if (items) {
    yaml_tree_builder builder(tree, "taskGroup", describe);
    parser.HandleNextDocument(builder);
  } else {
    yaml_tree_builder builder(tree);
    parser.HandleNextDocument(builder);
  }
}

TEST(YamlTree, KindsTextStylesAndMarks) {
  yaml_tree t;
  build(t, "a: 1\nb: \"q\"\nc: [x, !!int '5', !!str 6, !foo y]\nd:\ne:\n  f: |\n    text\n");
  yaml_node root = t.root();
  ASSERT_TRUE(root.is_map());
  EXPECT_EQ(root.size(), 5u);
  EXPECT_EQ(root.key(0).text(), "a");
  EXPECT_EQ(root.value(0).text(), "1");
  EXPECT_TRUE(root.value(0).plain());
  EXPECT_EQ(root.value(0).mark().line, 0);
  EXPECT_EQ(root.value(0).mark().column, 3);
  EXPECT_EQ(root.find("b").scalar(), "q");
  EXPECT_EQ(root.find("b").style(), yaml_style::quoted);
  yaml_node c = root.find("c");
  ASSERT_TRUE(c.is_seq());
  std::vector<yaml_style> styles;
  for (yaml_node item : c.items()) styles.push_back(item.style());
  EXPECT_EQ(styles, (std::vector<yaml_style>{yaml_style::plain, yaml_style::typed_tag,
                                             yaml_style::string_tag, yaml_style::string_tag}));
  EXPECT_TRUE(root.find("d").is_null());
  EXPECT_TRUE(root.find("d").exists());
  EXPECT_EQ(root.find("e").find("f").text(), "text\n");
  EXPECT_EQ(root.find("e").find("f").style(), yaml_style::quoted);
  std::string keys;
  for (auto [key, value] : root.entries()) keys += key.scalar();
  EXPECT_EQ(keys, "abcde");
}

TEST(YamlTree, MissingValuesReadAsNull) {
  yaml_tree t;
  build(t, "a: 1\n");
  yaml_node missing = t.root().find("zz");
  EXPECT_FALSE(missing.exists());
  EXPECT_TRUE(missing.is_null());
  EXPECT_EQ(missing.size(), 0u);
  EXPECT_TRUE(missing.mark().is_null());

  yaml_tree empty;
  build(empty, "# nothing\n");
  EXPECT_FALSE(empty.root().exists());
  EXPECT_TRUE(empty.root().is_null());
}

TEST(YamlTree, AnAliasIsTheNodeItNames) {
  yaml_tree t;
  build(t, "a: &x {k: v}\nb: *x\nc: &s str\nd: [*s, *s]\n");
  yaml_node root = t.root();
  EXPECT_EQ(root.find("a"), root.find("b"));
  EXPECT_EQ(root.find("b").mark().line, 0);  // the anchored node's position
  EXPECT_EQ(root.find("d").item(1).text(), "str");
}

TEST(YamlTree, ARecursiveAliasBuildsAFiniteTree) {
  yaml_tree t;
  build(t, "a: &x [1, *x]\n");
  yaml_node a = t.root().find("a");
  EXPECT_EQ(a.item(1), a);
}

TEST(YamlTree, StreamsTheItemsOfTheList) {
  yaml_tree t;
  std::vector<std::string> items;
  build(t, "id: g\ntaskGroup:\n  - {a: 1, b: 2}\n  - x\n  - {c: 3}\nafter: 1\n", &items);
  EXPECT_EQ(items, (std::vector<std::string>{"map of 2", "x", "map of 1"}));
  yaml_node list = t.root().find("taskGroup");
  EXPECT_EQ(t.streamed_list(), list);
  EXPECT_EQ(list.size(), 0u);  // handed out, not kept
  EXPECT_EQ(t.root().find("id").text(), "g");
  EXPECT_EQ(t.root().find("after").text(), "1");
}

TEST(YamlTree, StreamsARootList) {
  yaml_tree t;
  std::vector<std::string> items;
  build(t, "- a\n- b\n", &items);
  EXPECT_EQ(items, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.streamed_list(), t.root());
}

TEST(YamlTree, KeepsAnItemThatALaterAliasNames) {
  yaml_tree t;
  std::vector<std::string> items;
  build(t, "taskGroup:\n  - {a: &x hello}\n  - {b: 2}\n  - *x\n  - &y {c: 3}\n  - *y\n", &items);
  EXPECT_EQ(items,
            (std::vector<std::string>{"map of 1", "map of 1", "hello", "map of 1", "map of 1"}));
}

TEST(YamlTree, StreamsOnlyTheFirstListUnderTheKey) {
  yaml_tree t;
  std::vector<std::string> items;
  build(t, "taskGroup: 5\ntaskGroup: [a, b]\n", &items);
  EXPECT_TRUE(items.empty());
  EXPECT_FALSE(t.streamed_list().exists());
  EXPECT_EQ(t.root().value(1).size(), 2u);
}

TEST(YamlTree, DoesNotStreamAListAnAliasCouldReach) {
  for (const char* text : {"taskGroup: &t [a, b]\nx: *t\n", "&r\ntaskGroup: [a, b]\n"}) {
    yaml_tree t;
    std::vector<std::string> items;
    build(t, text, &items);
    EXPECT_TRUE(items.empty()) << text;
    EXPECT_EQ(t.root().find("taskGroup").size(), 2u) << text;
  }
}

// Through the parser: what streaming must not change.

std::string task(int i, const std::string& extra = "") {
  return "  - name: t" + std::to_string(i) + "\n    type: os_exec\n    spec: {command: \"true\"}\n" +
         extra;
}

TEST(YamlTree, ALargeGroupKeepsEveryTaskAndPosition) {
  std::string text = "taskGroup:\n";
  for (int i = 0; i < 3000; ++i) text += task(i, i == 2500 ? "    typo: 1\n" : "");
  parse_result r = parse(text);
  ASSERT_TRUE(r.group);
  ASSERT_EQ(r.group->tasks.size(), 3000u);
  EXPECT_EQ(r.group->tasks[2999].name, "t2999");
  EXPECT_AT(r.group->tasks[2999].name_mark, 2 + 3 * 2999 + 1, 11);
  EXPECT_AT(find_one(r.problems, "unknown field `typo`"), 2 + 3 * 2501, 5);
}

TEST(YamlTree, ARepairedSyntaxErrorReadsTheTasksOnce) {
  // The tasks are streamed before the parser meets the error; after the
  // repair they are read again, and their problems must not be doubled.
  std::string text = "taskGroup:\n" + task(0, "    typo: 1\n") + task(1) +
                     "  - name: t2\n    type: os_exec\n    spec: {command: [\"a\" \"b\"]}\n";
  parse_result r = parse(text);
  ASSERT_TRUE(r.group);
  EXPECT_EQ(r.group->tasks.size(), 3u);
  EXPECT_EQ(count_of(r.problems, "unknown field `typo`"), 1) << dump(r.problems);
  EXPECT_EQ(find_one(r.problems, "YAML syntax error").hint, "missing comma between list items?");
  EXPECT_EQ(r.group->tasks[2].spec["command"], json::array({"a", "b"}));
}

TEST(YamlTree, AliasesBetweenTasks) {
  parse_result r = parse("taskGroup:\n"
                         "  - name: a\n    type: os_exec\n    spec: &s {command: \"true\"}\n"
                         "  - name: b\n    type: os_exec\n    spec: *s\n");
  ASSERT_TRUE(r.group);
  EXPECT_TRUE(r.problems.empty()) << dump(r.problems);
  EXPECT_EQ(r.group->tasks[1].spec, r.group->tasks[0].spec);
  EXPECT_AT(r.group->tasks[1].spec_marks.at("/command"), 4, 25);  // where the anchored text is
}

TEST(YamlTree, AListThatHoldsItselfIsReportedNotFollowed) {
  parse_result r = parse("taskGroup:\n  - name: a\n    type: os_exec\n"
                         "    spec: {command: \"true\", x: &x [1, *x]}\n");
  ASSERT_TRUE(r.group);
  diagnostic d = find_one(r.problems, "an alias repeats a mapping or list inside itself");
  EXPECT_HAS(d.hint, "remove the alias");
  EXPECT_EQ(r.group->tasks[0].spec["x"], json::array({1, nullptr}));
}

TEST(YamlTree, AStrayCommaAtTheTopIsAnErrorNotAnEndlessLoop) {
  // yaml-cpp 0.7 on its own never finishes reading this stream.
  parse_result r = parse(",\n" + std::string("taskGroup:\n") + task(0));
  diagnostic d = find_one(r.problems, "YAML syntax error: unknown token");
  EXPECT_AT(d, 1, 1);
  ASSERT_TRUE(r.group);
  EXPECT_EQ(r.group->tasks.size(), 1u);  // read once the line is blanked
  EXPECT_EQ(r.problems.size(), 1u) << dump(r.problems);

  parse_result later = parse("id: a\n---\n,\n");
  EXPECT_EQ(count_of(later.problems, "YAML syntax error"), 1) << dump(later.problems);
}

TEST(SourceMap, FindsByPointer) {
  source_map m({{"/b", {2, 1}}, {"", {1, 1}}, {"/a/0", {3, 4}}});
  EXPECT_EQ(m.size(), 3u);
  EXPECT_AT(m.at(""), 1, 1);
  EXPECT_AT(m.find("/a/0")->second, 3, 4);
  EXPECT_EQ(m.find("/a"), m.end());
  EXPECT_THROW(m.at("/zz"), std::out_of_range);
  EXPECT_EQ(m.begin()->first, "");  // sorted
}

TEST(HeapOptional, BehavesLikeOptional) {
  heap_optional<std::string> a;
  EXPECT_FALSE(a);
  a = std::string("x");
  ASSERT_TRUE(a);
  heap_optional<std::string> b = a;  // a copy of the value, not of the pointer
  *b += "y";
  EXPECT_EQ(*a, "x");
  EXPECT_EQ(*b, "xy");
  EXPECT_EQ(b->size(), 2u);
  a = std::optional<std::string>();
  EXPECT_FALSE(a);
  a = std::nullopt;
  EXPECT_FALSE(a.has_value());
}

TEST(TaskIndex, FirstTaskOfEachName) {
  task_group g;
  for (const char* n : {"b", "a", "", "b"}) {
    task_decl t;
    t.name = n;
    g.tasks.push_back(t);
  }
  task_index index(g);
  EXPECT_EQ(index.find("a"), 1u);
  EXPECT_EQ(index.find("b"), 0u);
  EXPECT_EQ(index.find(""), task_index::npos);
  EXPECT_EQ(index.find("c"), task_index::npos);
}

}  // namespace
}  // namespace runner::test
