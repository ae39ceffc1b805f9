// `when:` conditions: the forms a condition may take, what counts as true, and
// which dependencies a condition adds (SPEC.md §3, §5).
#include "schema/when.hpp"

#include "schema/dag.hpp"
#include "schema_test_util.hpp"

namespace runner::test {
namespace {

bool holds(const std::string& when, const map_expr_context& ctx) {
  auto p = parse_when(when);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error->format());
  if (!p.ok())
    return false;
  auto v = evaluate(*p.condition, ctx);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error->format());
  return v.ok() && when_holds(v.value);
}

std::string parse_error(const std::string& when) {
  auto p = parse_when(when);
  return p.ok() ? "" : p.error->format();
}

TEST(When, SegmentBareAndTemplateFormsAreOneExpression) {
  map_expr_context ctx;
  ctx.statuses["a"] = "failed";
  ctx.imports[{"a", "flag"}] = "yes";
  EXPECT_TRUE(holds("<+ a.status == 'failed' >", ctx));
  EXPECT_TRUE(holds("  <+ a.status == 'failed' >\n", ctx));  // YAML block scalars end in \n
  EXPECT_TRUE(holds("a.status != 'success' && a.flag == 'yes'", ctx));
  EXPECT_TRUE(holds("{{ .a.flag }} == 'yes'", ctx));
  EXPECT_FALSE(holds("<+ {{.a.flag}} == 'no' >", ctx));
}

TEST(When, ATemplateIsAValueNotText) {
  // Pasted in as text, this value would turn the condition into `'' || true`.
  map_expr_context ctx;
  ctx.imports[{"a", "v"}] = "' || true || '";
  EXPECT_FALSE(holds("{{ .a.v }} == 'x'", ctx));
}

TEST(When, TheStringsTrueAndFalseAreBooleans) {
  map_expr_context ctx;
  ctx.imports[{"check", "deploy"}] = "false";
  EXPECT_FALSE(holds("{{ .check.deploy }}", ctx));
  ctx.imports[{"check", "deploy"}] = " TRUE\n";
  EXPECT_TRUE(holds("check.deploy", ctx));
  ctx.imports[{"check", "deploy"}] = "";
  EXPECT_FALSE(holds("check.deploy", ctx));
  ctx.imports[{"check", "deploy"}] = "0";  // any other non-empty string is true
  EXPECT_TRUE(holds("check.deploy", ctx));
  EXPECT_FALSE(holds("<+ 0 >", ctx));
}

TEST(When, ErrorsNameThePositionInTheCondition) {
  EXPECT_EQ(parse_error("<+ (a.status == 'x']) >"), "expression at 1:20: expected `)`, found `]`");
  EXPECT_EQ(parse_error("<+ (a.status == 'x' >"), "expression at 1:1: unterminated `<+` segment: no closing `>`");
  EXPECT_EQ(parse_error("a.status =="), "expression at 1:12: expected a value, found end of expression");
  EXPECT_EQ(parse_error("<+ true > and <+ false >"),
            "expression at 1:1: a condition is one expression: `<+ expr >` and nothing else around it");
  EXPECT_EQ(parse_error("run <+ true >"),
            "expression at 1:1: a condition is one expression: `<+ expr >` and nothing else around it");
  EXPECT_NE(parse_error(""), "");
}

TEST(When, StatusReadsAndWhichOutcomesLeaveTheDecisionToIt) {
  task_decl t;
  t.name = "cleanup";
  t.when = std::string("<+ build.status == 'failed' || test.status == 'failed' || build.status == 'x' >");
  t.imports.push_back({"test", "report", {}});
  EXPECT_EQ(when_status_reads(t), (std::vector<std::string>{"build", "test"}));
  EXPECT_TRUE(runs_after_any_outcome(t, "build"));
  EXPECT_FALSE(runs_after_any_outcome(t, "test"));  // it imports from test: test must succeed
  EXPECT_FALSE(runs_after_any_outcome(t, "other"));
  t.when = std::string("<+ (broken >");
  EXPECT_TRUE(when_status_reads(t).empty());
}

TEST(When, AStatusReadIsADependency) {
  parse_result p = parse(R"(taskGroup:
  - {name: build, type: os_exec}
  - {name: notify, type: os_exec, when: "<+ build.status == 'failed' >"}
)");
  ASSERT_TRUE(p.group);
  auto deps = dependency_indices(*p.group);
  EXPECT_EQ(deps[1], (std::vector<size_t>{0}));
}

}  // namespace
}  // namespace runner::test
