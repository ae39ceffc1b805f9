// The expression_evaluation task type: its spec checks (with positions and
// unknown references caught before anything runs) and its run.
#include <gtest/gtest.h>

#include "drivers/expression_evaluation.hpp"

namespace runner {
namespace {

struct capture : task_events {
  std::optional<driver_result> result;
  void output(stream_kind, std::string, flow_ticket) override {}
  void outputs_seen(std::map<std::string, std::string>) override {}
  void finished(driver_result r) override { result = std::move(r); }
};

task_decl task_with(json spec) {
  task_decl t;
  t.name = "label";
  t.type = "expression_evaluation";
  t.spec = std::move(spec);
  t.depends_on = {"build"};
  t.imports.push_back({"build", "version", {}});
  return t;
}

diagnostics check(const task_decl& t) {
  diagnostics out;
  expression_evaluation_driver{}.check_spec(t, "g.yaml", out);
  return out;
}

driver_result run(const task_decl& t, std::map<std::string, std::string> imports,
                  std::map<std::string, std::string> statuses = {{"build", "success"}}) {
  task_invocation inv;
  inv.task = &t;
  inv.spec = t.spec;
  inv.imports = std::move(imports);
  inv.statuses = std::move(statuses);
  auto events = std::make_shared<capture>();
  expression_evaluation_driver{}.start(std::move(inv), events);
  EXPECT_TRUE(events->result.has_value());
  return events->result.value_or(driver_result{});
}

TEST(ExpressionEvaluation, RendersImportsStatusesAndEnvsIntoResult) {
  auto t = task_with({{"string_to_evaluate",
                       "v<+ build.version > <+ env.STAGE.toLowerCase() > "
                       "<+ build.status == 'success' && (2 * 3 > 5) ? 'ok' : 'no' >"},
                      {"envs", {{"STAGE", "PROD"}}}});
  EXPECT_TRUE(check(t).empty());
  auto r = run(t, {{"build.version", "1.4"}});
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.outputs.at("result"), "v1.4 prod ok");
}

TEST(ExpressionEvaluation, SeesTheStatusAWhenLetItRunAfter) {
  auto t = task_with({{"string_to_evaluate", "<+ build.status >/<+ tests.status >"}});
  t.when = std::string("tests.status != 'success'");
  EXPECT_TRUE(check(t).empty());
  auto r = run(t, {}, {{"build", "success"}, {"tests", "failed"}});
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.outputs.at("result"), "success/failed");
}

TEST(ExpressionEvaluation, ReferencesThatCannotResolveAreValidationErrors) {
  auto t = task_with({{"string_to_evaluate", "<+ build.other > <+ deploy.status > <+ env.X >"}});
  auto ds = check(t);
  ASSERT_EQ(ds.size(), 3u);
  EXPECT_NE(ds[0].message.find("expression at 1:4: `build.other` is not imported"),
            std::string::npos)
      << ds[0].message;
  EXPECT_NE(ds[1].message.find("`deploy.status` names a task this one does not wait for"),
            std::string::npos)
      << ds[1].message;
  EXPECT_NE(ds[2].message.find("`env.X` is not in the spec's `envs`"), std::string::npos)
      << ds[2].message;
}

TEST(ExpressionEvaluation, SyntaxErrorsNameTheirPosition) {
  auto ds = check(task_with({{"string_to_evaluate", "ok <+ (1 + >"}}));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_NE(ds[0].message.find("expression at 1:"), std::string::npos) << ds[0].message;
  auto missing = check(task_with(json::object()));
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_NE(missing[0].message.find("needs `string_to_evaluate`"), std::string::npos);
}

TEST(ExpressionEvaluation, AnErrorWhileEvaluatingFailsTheTaskWithItsPosition) {
  auto t = task_with({{"string_to_evaluate", "<+ 1 / 0 >"}});
  auto r = run(t, {});
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("expression at 1:"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace runner
