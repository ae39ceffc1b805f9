// GitHub Actions `${{ }}` expressions: each rule of GitHub's runner as a table
// of expression -> value (or error), including the examples of GitHub's docs
// ("Evaluate expressions in workflows and actions") and of GitHub's own test
// data (actions/languageservices expressions/testdata).
#include "drivers/github_action/gh_expressions.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace runner::gh {
namespace {

value test_contexts() {
  return value::parse(R"({
    "github": {
      "event_name": "push",
      "ref": "refs/heads/main",
      "event": {"issue": {"labels": [{"name": "bug"}, {"name": "help wanted"}]}}
    },
    "env": {"STAGE": "main", "Mixed": "m"},
    "steps": {"my-step": {"outputs": {"a-b": "x", "n": "3"}}},
    "fruits": [{"name": "apple", "quantity": 1}, {"name": "orange", "quantity": 2},
               {"name": "pear", "quantity": 1}],
    "vegetables": {
      "scallions": {"colors": ["green", "white"], "ediblePortions": ["roots", "stalks"]},
      "beets": {"colors": ["purple", "red"], "ediblePortions": ["roots", "leaves"]}
    },
    "obj": {"true": "it's true", "null": "it's null", "format": "it's format", "Key": 1}
  })");
}

json_context ctx(run_status status = run_status::success) { return json_context(test_contexts(), status); }

struct expr_case {
  const char* expr;
  value want;
};

void expect_values(const std::vector<expr_case>& cases, const eval_context& c) {
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.expr);
    eval_result r = evaluate(tc.expr, c);
    ASSERT_TRUE(r.ok()) << r.error->format();
    EXPECT_EQ(r.val, tc.want) << "got " << r.val.dump();
  }
}

void expect_values(const std::vector<expr_case>& cases) { expect_values(cases, ctx()); }

struct error_case {
  const char* expr;
  const char* error;  // the whole formatted error
};

void expect_errors(const std::vector<error_case>& cases) {
  json_context c = ctx();
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.expr);
    eval_result r = evaluate(tc.expr, c);
    ASSERT_FALSE(r.ok()) << "got " << r.val.dump();
    EXPECT_EQ(r.error->format(), tc.error);
  }
}

value array(std::initializer_list<value> items) { return value(std::vector<value>(items)); }

TEST(GhExpressions, Literals) {
  expect_values({
      // The docs' "Example of literals".
      {"null", nullptr},
      {"false", false},
      {"711", 711},
      {"-9.2", -9.2},
      {"0xff", 255},
      {"-2.99e-2", -2.99e-2},
      {"'It''s open source!'", "It's open source!"},
      // More number forms GitHub's ParseNumber takes.
      {".5", 0.5},
      {"5.", 5},
      {"+3", 3},
      {"1.2E+2", 120},
      {"0xFF", 255},
      {"0o10", 8},
      {"0xffffffff", -1},  // Int32, as GitHub parses hex
      {"''", ""},
      {"'a''''b'", "a''b"},
  });
  eval_result inf = evaluate("-Infinity", ctx());
  ASSERT_TRUE(inf.ok());
  EXPECT_TRUE(std::isinf(inf.val.get<double>()) && inf.val.get<double>() < 0);
  eval_result nan = evaluate("NaN", ctx());
  ASSERT_TRUE(nan.ok());
  EXPECT_TRUE(std::isnan(nan.val.get<double>()));
}

TEST(GhExpressions, BadLiteralsAreUnexpectedSymbols) {
  expect_errors({
      {"\"double\"", "expression at 1:1: Unexpected symbol: '\"double\"'"},
      {"'not closed", "expression at 1:1: Unexpected symbol: ''not closed'"},
      {"1.2.3", "expression at 1:1: Unexpected symbol: '1.2.3'"},
      {"0x", "expression at 1:1: Unexpected symbol: '0x'"},
      {"0x1FFFFFFFF", "expression at 1:1: Unexpected symbol: '0x1FFFFFFFF'"},
      {"1 = 1", "expression at 1:3: Unexpected symbol: '='"},
      {"true & false", "expression at 1:6: Unexpected symbol: '&'"},
      {"github.b@r", "expression at 1:8: Unexpected symbol: 'b@r'"},
  });
}

TEST(GhExpressions, PropertyAccessIsCaseInsensitiveAndMissingIsNull) {
  expect_values({
      {"github.event_name", "push"},
      {"GITHUB.Event_Name", "push"},
      {"github['EVENT_NAME']", "push"},
      {"steps.my-step.outputs.a-b", "x"},
      {"steps['my-step'].outputs['A-B']", "x"},
      {"github.missing", nullptr},
      {"github.missing.deeper[0]", nullptr},
      {"github.event_name.length", nullptr},  // a property of a string
      {"github.event_name[0]", nullptr},
      {"obj.true", "it's true"},  // keywords are names after `.`
      {"obj.null", "it's null"},
      {"obj.format", "it's format"},
      {"obj.key", 1},
      {"obj[null]", nullptr},  // the key ''
      {"fromJSON('[10, 20]')[1]", 20},
      {"fromJSON('[10, 20]')['1']", 20},
      {"fromJSON('[10, 20]')[1.7]", 20},   // floored
      {"fromJSON('[10, 20]')[true]", 20},  // true is 1
      {"fromJSON('[10, 20]')[null]", 10},  // null is 0
      {"fromJSON('[10, 20]')[2]", nullptr},
      {"fromJSON('[10, 20]')[-1]", nullptr},
      {"fromJSON('[10, 20]').a", nullptr},
      {"fromJSON('{\"a\": 1}').a", 1},  // the docs' example
      {"(fromJSON('{\"a\": 1}')).A", 1},
      {"fromJSON('{\"a\": {\"b\": [5]}}')['a'].b[0]", 5},
  });
}

TEST(GhExpressions, EnvPropertiesAreCaseSensitiveLikeGitHubOnLinux) {
  expect_values({
      {"env.STAGE", "main"},
      {"env.stage", nullptr},
      {"ENV.Mixed", "m"},  // the context name itself is not
      {"env['MIXED']", nullptr},
      {"(env || github).STAGE", "main"},  // the object stays case-sensitive
  });
  json_context relaxed = ctx();
  relaxed.case_sensitive_contexts.clear();
  expect_values({{"env.stage", "main"}, {"env['MIXED']", "m"}}, relaxed);
}

TEST(GhExpressions, ObjectFilters) {
  expect_values({
      {"github.event.issue.labels.*.name", array({"bug", "help wanted"})},
      {"fruits.*.name", array({"apple", "orange", "pear"})},  // the docs' fruits example
      {"fruits[*].quantity", array({1, 2, 1})},
      // On an object: its values (sorted by key here, GitHub keeps insertion order).
      {"vegetables.*.ediblePortions", array({array({"roots", "leaves"}), array({"roots", "stalks"})})},
      {"vegetables.*.ediblePortions[0]", array({"roots", "roots"})},  // [0] of each
      {"vegetables.*.ediblePortions.*", array({"roots", "leaves", "roots", "stalks"})},
      {"fromJSON('[[1, 2], [3]]').*.*", array({1, 2, 3})},
      {"fromJSON('[[1, 2], [3]]').*[1]", array({2})},
      {"fromJSON('[{\"a\": 1}, {\"b\": 2}, 5, {\"A\": 3}]').*.a", array({1, 3})},
      {"fromJSON('[]').*.a", array({})},
      {"github.event_name.*", array({})},  // on a primitive
      {"github.missing.*.x", array({})},
      {"join(fruits.*.name, '+')", "apple+orange+pear"},
  });
}

TEST(GhExpressions, OperatorsAndPrecedence) {
  expect_values({
      // GitHub's precedence tests: `.` > `!` > `<` > `==` > `&&` > `||`.
      {"!github.missing", true},
      {"(!github).event_name", nullptr},
      {"!2 < 3", true},
      {"!(2 < 3)", false},
      {"3 < 2 < 1", true},
      {"3 < (2 < 1)", false},
      {"2 <= 3 == true", true},
      {"2 == 2 == 1", true},
      {"2 == (2 == 1)", false},
      {"1 == 1 && 2", 2},
      {"1 == (1 && 2)", false},
      {"false && 0 || null", nullptr},
      {"1 || 2 && 3", 1},
      {"(1 || 2) && 3", 3},
      // && and || return the deciding operand, not a bool.
      {"github.missing || 'default'", "default"},
      {"'' && 'x'", ""},
      {"'a' && 'b' && 'c'", "c"},
      {"null || 0", 0},
      {"0 || '' || github.event_name", "push"},
      {"!0", true},
      {"!!'a'", true},
      {"!fromJSON('[]')", false},
      {"github.event_name != 'PUSH'", false},
  });
}

TEST(GhExpressions, LooseEqualityFollowsGitHubsCoercions) {
  expect_values({
      // The docs: null -> 0, true -> 1, false -> 0, '' -> 0, strings parsed
      // as numbers (else NaN), arrays and objects NaN; strings ignore case.
      {"null == 0", true},
      {"'' == 0", true},
      {"'' == null", true},  // both become 0
      {"null == false", true},
      {"true == 1", true},
      {"false == 0", true},
      {"true == 2", false},
      {"'1' == 1", true},
      {"'1' == true", true},
      {"'true' == true", false},  // 'true' is NaN as a number
      {"' 123456.789 ' == 123456.789", true},
      {"' 0xFF ' == 255", true},
      {"'0o10' == 8", true},
      {"'.5' == 0.5", true},
      {"'+5' == 5", true},
      {"'1e400' == Infinity", true},
      {"'-infinity' == -Infinity", true},
      {"'1e-400' == 0", true},
      {"'1_000' == 1000", false},
      {"'abc' == 0", false},
      {"'abc' == 'ABC'", true},
      {"NaN == NaN", false},
      {"NaN != NaN", true},
      {"null == null", true},
      {"fromJSON('{}') == 0", false},
      {"fromJSON('[]') == ''", false},
      // Objects and arrays: equal only when they are the same instance.
      {"fromJSON('[]') == fromJSON('[]')", false},
      {"github == github", true},
      {"github.event == GITHUB['EVENT']", true},
      {"github.event == fromJSON(toJSON(github.event))", false},
  });
}

TEST(GhExpressions, RelationalOperators) {
  expect_values({
      {"1 < 2", true},
      {"1.001 < 1.002", true},
      {"'abc' < 'def'", true},
      {"'a' < 'B'", true},   // case-insensitive
      {"'_' > 'a'", true},   // compared upper-cased, as .NET's OrdinalIgnoreCase
      {"'ab' < 'abc'", true},
      {"1 < '2'", true},
      {"' 1 ' < 2", true},
      {"true > false", true},
      {"false < 1", true},
      {"null < 1", true},
      {"'' < null", false},
      {"NaN < 1", false},
      {"1 < NaN", false},
      {"NaN >= NaN", false},
      {"1 <= 1", true},
      {"'A' >= 'a'", true},
      {"fromJSON('[]') < 1", false},
      {"github < github", false},
      {"github <= github", true},  // == holds for the same instance
  });
}

TEST(GhExpressions, Truthiness) {
  struct truth_case {
    value v;
    bool want;
  };
  std::vector<truth_case> cases{
      {nullptr, false}, {false, false}, {0, false}, {-0.0, false}, {std::nan(""), false},
      {"", false},      {true, true},   {1, true},  {-1, true},    {"0", true},
      {"false", true},  {value::array(), true},     {value::object(), true},
  };
  for (const auto& c : cases) EXPECT_EQ(truthy(c.v), c.want) << c.v.dump();
}

TEST(GhExpressions, NumbersPrintAsGitHubPrintsThem) {
  struct print_case {
    value v;
    const char* want;
  };
  std::vector<print_case> cases{
      {3, "3"},
      {3.0, "3"},
      {-2.0, "-2"},
      {0.5, "0.5"},
      {-1234.5, "-1234.5"},
      {1.0 / 3, "0.333333333333333"},
      {0.84551240822557006, "0.84551240822557"},
      {123456789012345.0, "123456789012345"},
      {1e15, "1E+15"},
      {1e20, "1E+20"},
      {0.0001, "0.0001"},
      {0.00001, "1E-05"},
      {-0.0, "0"},
      {std::nan(""), "NaN"},
      {HUGE_VAL, "Infinity"},
      {-HUGE_VAL, "-Infinity"},
      {nullptr, ""},
      {true, "true"},
      {false, "false"},
      {"text", "text"},
      {value::array({1}), "Array"},
      {value::object(), "Object"},
  };
  for (const auto& c : cases) EXPECT_EQ(to_string(c.v), c.want) << c.v.dump();
}

TEST(GhExpressions, Functions) {
  expect_values({
      // The docs' examples.
      {"contains('Hello world', 'llo')", true},
      {"contains(github.event.issue.labels.*.name, 'bug')", true},
      {"contains(fromJSON('[\"push\", \"pull_request\"]'), github.event_name)", true},
      {"startsWith('Hello world', 'He')", true},
      {"endsWith('Hello world', 'ld')", true},
      {"format('Hello {0} {1} {2}', 'Mona', 'the', 'Octocat')", "Hello Mona the Octocat"},
      {"format('{{Hello {0} {1} {2}!}}', 'Mona', 'the', 'Octocat')", "{Hello Mona the Octocat!}"},
      {"join(github.event.issue.labels.*.name, ', ')", "bug, help wanted"},
      {"fromJSON('{\"a\":1}').a", 1},
      // contains: case-insensitive on strings of primitives, `==` on arrays.
      {"contains('Hello world', 'LLO')", true},
      {"contains('abc', '')", true},
      {"contains(12345, 34)", true},
      {"contains(true, 'RU')", true},
      {"contains('abc', fromJSON('[]'))", false},
      {"contains(fromJSON('[1, 2]'), '2')", true},
      {"contains(fromJSON('[\"A\"]'), 'a')", true},
      {"contains(fromJSON('[[]]'), fromJSON('[]'))", false},
      {"contains(fromJSON('[]'), 1)", false},
      {"contains(github.event, 'issue')", false},  // an object
      {"startsWith('Hello', 'hello world')", false},
      {"startsWith(fromJSON('[1]'), '1')", false},
      {"endsWith(1.5, '.5')", true},
      {"endsWith('abc', '')", true},
      // format: {N} repeated, {{ }} escapes, values as strings.
      {"format('{0}{0}-{1}', 1.5, null)", "1.51.5-"},
      {"format('{{0}}', 'abc')", "{0}"},
      {"format('}}{{', 'abc')", "}{"},
      {"format('{0:}', 7)", "7"},  // an empty specifier is none
      {"format('{001}', 'a', 'b')", "b"},
      {"format('{0}', github.event)", "Object"},
      {"format('{0}', fromJSON('[1]'))", "Array"},
      {"format(null)", ""},
      {"format('{0}', 'not {1}', 'used')", "not {1}"},
      // join.
      {"join(fromJSON('[1, true, null, \"x\", [], {}]'))", "1,true,,x,Array,Object"},
      {"join('abc')", "abc"},
      {"join(null)", ""},
      {"join(fromJSON('{\"a\": 1}'))", ""},
      {"join(fromJSON('[\"a\", \"b\"]'), null)", "ab"},
      {"join(fromJSON('[\"a\", \"b\"]'), fromJSON('{}'))", "a,b"},
      {"join(fromJSON('[\"a\", \"b\"]'), 1.5)", "a1.5b"},
      // toJSON and fromJSON.
      {"toJSON(null)", "null"},
      {"toJSON(-1234.5)", "-1234.5"},
      {"toJSON('a\"b\\')", "\"a\\\"b\\\\\""},  // no escapes in GitHub's strings
      {"toJSON(fromJSON('[]'))", "[]"},
      {"toJSON(fromJSON('{\"b\": [1, {}, []], \"a\": \"x\"}'))",
       "{\n  \"a\": \"x\",\n  \"b\": [\n    1,\n    {},\n    []\n  ]\n}"},
      {"toJSON(steps)", "{\n  \"my-step\": {\n    \"outputs\": {\n      \"a-b\": \"x\",\n      \"n\": \"3\"\n    }\n  }\n}"},
      {"toJSON(1e20)", "1E+20"},
      {"fromJSON('true')", true},
      {"fromJSON(' 3 ')", 3},
      {"fromJSON(steps.my-step.outputs.n) > 2", true},  // the docs' numbers-from-outputs idiom
      {"fromJSON('[1, [2]]')", array({1, array({2})})},
      // Function names ignore case.
      {"CONTAINS('abc', 'B')", true},
      {"tojson(1)", "1"},
      {"FromJson('1')", 1},
      {"StartsWith('abc', 'A')", true},
  });
}

TEST(GhExpressions, ToJsonEscapesStringsLikeNewtonsoft) {
  EXPECT_EQ(to_json("tab\there\x01 \xE2\x80\xA8 \xC3\xA9"), "\"tab\\there\\u0001 \\u2028 \xC3\xA9\"");
  EXPECT_EQ(to_json(value::parse(R"({"k": [true, null]})")), "{\n  \"k\": [\n    true,\n    null\n  ]\n}");
}

TEST(GhExpressions, FunctionErrors) {
  std::string deep(65, '[');
  deep += std::string(65, ']');
  std::string ok_depth = std::string(64, '[') + std::string(64, ']');
  eval_result fine = evaluate("fromJSON('" + ok_depth + "')", ctx());
  EXPECT_TRUE(fine.ok()) << fine.error->format();
  eval_result too_deep = evaluate("fromJSON('" + deep + "')", ctx());
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.error->format(), "expression at 1:1: fromJSON: the JSON is nested deeper than 64");

  eval_result bad_json = evaluate("1 == fromJSON('{oops')", ctx());
  ASSERT_FALSE(bad_json.ok());
  EXPECT_EQ(bad_json.error->format().rfind("expression at 1:6: fromJSON: not valid JSON: ", 0), 0u)
      << bad_json.error->format();

  expect_errors({
      {"format('{0}')",
       "expression at 1:1: The following format string references more arguments than were supplied: {0}"},
      {"format('{0}{1}', 'abc')",
       "expression at 1:1: The following format string references more arguments than were supplied: {0}{1}"},
      {"format('{0', 1)", "expression at 1:1: The following format string is invalid: {0"},
      {"format('{0}}', 1)", "expression at 1:1: The following format string is invalid: {0}}"},
      {"format('}{0}', 1)", "expression at 1:1: The following format string is invalid: }{0}"},
      {"format('{x}', 1)", "expression at 1:1: The following format string is invalid: {x}"},
      {"format('{256}', 1)", "expression at 1:1: The following format string is invalid: {256}"},
      {"format('{0:x}', 1)",
       "expression at 1:1: The format specifiers 'x' are not valid for objects of type 'Number'"},
      {"'a' == format('{0:d}', 'b')",
       "expression at 1:8: The format specifiers 'd' are not valid for objects of type 'String'"},
      {"hashFiles('**/package-lock.json')", "expression at 1:1: hashFiles is not supported by this runner"},
      {"contains('a')", "expression at 1:1: Too few parameters supplied: 'contains'"},
      {"join(1, 2, 3)", "expression at 1:1: Too many parameters supplied: 'join'"},
      {"success(1)", "expression at 1:1: Too many parameters supplied: 'success'"},
      {"format()", "expression at 1:1: Too few parameters supplied: 'format'"},
      {"contains('a') @", "expression at 1:1: Too few parameters supplied: 'contains'"},
      {"1 == nosuch(1)", "expression at 1:6: Unrecognized function: 'nosuch'"},
      {"case(true, 1, 2)", "expression at 1:1: Unrecognized function: 'case'"},
  });
}

TEST(GhExpressions, StatusFunctionsReadTheStatusGiven) {
  struct status_case {
    run_status status;
    bool success, failure, cancelled;
  };
  for (const auto& c : std::vector<status_case>{{run_status::success, true, false, false},
                                                {run_status::failure, false, true, false},
                                                {run_status::cancelled, false, false, true}}) {
    json_context x = ctx(c.status);
    expect_values({{"success()", c.success},
                   {"failure()", c.failure},
                   {"cancelled()", c.cancelled},
                   {"always()", true},
                   {"SUCCESS()", c.success}},
                  x);
  }
}

TEST(GhExpressions, ParseErrorsNameTheirPosition) {
  expect_errors({
      {"", "expression at 1:1: An expression was expected"},
      {"github.event_name == ", "expression at 1:19: Unexpected end of expression: '=='"},
      {"github.1", "expression at 1:8: Unexpected symbol: '1'"},
      {"fromJSON('[1]')[0].2", "expression at 1:20: Unexpected symbol: '2'"},
      {"'a'.length", "expression at 1:4: Unexpected symbol: '.'"},
      {"'a'[0]", "expression at 1:4: Unexpected symbol: '['"},
      {"(github", "expression at 1:2: Unexpected end of expression: 'github'"},
      {"github)", "expression at 1:7: Unexpected symbol: ')'"},
      {"github github", "expression at 1:8: Unexpected symbol: 'github'"},
      {"contains(1,)", "expression at 1:12: Unexpected symbol: ')'"},
      {"(1, 2)", "expression at 1:3: Unexpected symbol: ','"},
      {"github[]", "expression at 1:8: Unexpected symbol: ']'"},
      {"github.(x)", "expression at 1:8: Unexpected symbol: '('"},
      {"github.*x", "expression at 1:9: Unexpected symbol: 'x'"},
      {"1 == *", "expression at 1:6: Unexpected symbol: '*'"},
      {"()", "expression at 1:2: Unexpected symbol: ')'"},
      {"github.event_name ==\n  'push' &&\n  @x", "expression at 3:3: Unexpected symbol: '@x'"},
      // An unknown context is an error even where it would not be evaluated,
      // as on GitHub, where it is a parse error.
      {"nope.x == 1", "expression at 1:1: Unrecognized named-value: 'nope'"},
      {"false && (github || nope)", "expression at 1:21: Unrecognized named-value: 'nope'"},
  });
}

TEST(GhExpressions, LimitsOfLengthAndDepth) {
  std::string parens = std::string(51, '(') + "1" + std::string(51, ')');
  std::string nots = std::string(60, '!') + "1";
  std::string chain = "github";
  for (int i = 0; i < 60; ++i) chain += ".a";
  std::string long_text = "'" + std::string(21000, 'x') + "'";
  std::string flat_and = "true";
  for (int i = 0; i < 200; ++i) flat_and += " && true";  // one node, not 200 levels
  for (const std::string& text : {parens, nots, chain}) {
    eval_result r = evaluate(text, ctx());
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error->message.find("Exceeded max expression depth 50"), std::string::npos)
        << r.error->format();
  }
  eval_result l = evaluate(long_text, ctx());
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error->format(), "expression at 1:1: Exceeded max expression length 21000");
  EXPECT_TRUE(evaluate(flat_and, ctx()).ok());
  EXPECT_TRUE(evaluate(std::string(40, '(') + "1" + std::string(40, ')'), ctx()).ok());
}

TEST(GhExpressions, ParsedExpressionsAreReusable) {
  parse_result p = parse("format('{0}/{1}', github.event_name, success())");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p.expr->has_status_function);
  EXPECT_EQ(evaluate(*p.expr, ctx()).val, "push/true");
  EXPECT_EQ(evaluate(*p.expr, ctx(run_status::failure)).val, "push/false");
  EXPECT_FALSE(parse("github.event_name").expr->has_status_function);
}

struct text_case {
  const char* text;
  const char* want;
};

TEST(GhExpressions, Interpolate) {
  json_context c = ctx();
  std::vector<text_case> cases{
      {"no expressions", "no expressions"},
      {"", ""},
      {"Hello ${{ github.event_name }}!", "Hello push!"},
      {"${{github.event_name}}${{ steps.my-step.outputs.n }}", "push3"},
      {"[${{ null }}]", "[]"},
      {"${{ true }}/${{ 1.0 }}/${{ 0.5 }}/${{ 1e20 }}/${{ 0xff }}", "true/1/0.5/1E+20/255"},
      {"${{ '}}' }} and ${{ 'it''s' }}", "}} and it's"},
      {"${{ fromJSON('[1, 2]') }}", "[\n  1,\n  2\n]"},  // as toJSON (GitHub: "Array")
      {"labels: ${{ github.event.issue.labels.*.name }}", "labels: [\n  \"bug\",\n  \"help wanted\"\n]"},
      {"$${{ 1 }}$", "$1$"},
      {"${{ 1 }}}", "1}"},
      {"{{ not an expression }} ${ {", "{{ not an expression }} ${ {"},
      {"a\n${{ env.STAGE }}\nb", "a\nmain\nb"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.text);
    text_result r = interpolate(tc.text, c);
    ASSERT_TRUE(r.ok()) << r.error->format();
    EXPECT_EQ(r.text, tc.want);
  }
}

TEST(GhExpressions, InterpolateErrors) {
  json_context c = ctx();
  std::vector<text_case> cases{
      {"x ${{ github.event_name",
       "expression at 1:3: The expression is not closed. An unescaped ${{ sequence was found, but the "
       "closing }} sequence was not found."},
      {"x ${{ '}} }}", "expression at 1:3: The expression is not closed. An unescaped ${{ sequence was "
                       "found, but the closing }} sequence was not found."},
      {"x ${{  }}", "expression at 1:3: An expression was expected"},
      {"line one\nv=${{ github.event_name == }}",
       "expression at 2:25: Unexpected end of expression: '=='"},
      {"line one\nv=${{ nope.x }}", "expression at 2:7: Unrecognized named-value: 'nope'"},
      // Checked before anything is evaluated, also in a later part.
      {"${{ format('{0') }} ${{ nope }}", "expression at 1:25: Unrecognized named-value: 'nope'"},
      {"ok ${{ format('{0') }}", "expression at 1:8: The following format string is invalid: {0"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.text);
    text_result r = interpolate(tc.text, c);
    ASSERT_FALSE(r.ok()) << r.text;
    EXPECT_EQ(r.error->format(), tc.want);
    EXPECT_EQ(r.text, "");
  }
  // A template can be checked once and rendered many times.
  template_parse_result t = parse_template("${{ github.event_name }}-${{ env.STAGE }}");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(render(*t.tmpl, c).text, "push-main");
  ASSERT_EQ(t.tmpl->parts.size(), 3u);
  EXPECT_EQ(t.tmpl->parts[1].text, "-");
}

struct condition_case {
  const char* text;
  run_status status;
  bool want;
};

TEST(GhExpressions, Conditions) {
  constexpr run_status ok = run_status::success, failed = run_status::failure,
                       cancelled = run_status::cancelled;
  std::vector<condition_case> cases{
      // Empty means success().
      {"", ok, true},
      {"  \n", failed, false},
      // With or without ${{ }}, and the implicit `success() &&`.
      {"github.event_name == 'push'", ok, true},
      {"github.event_name == 'push'", failed, false},
      {"github.event_name == 'push'", cancelled, false},
      {"${{ github.event_name == 'push' }}", ok, true},
      {"${{ github.event_name == 'push' }}", failed, false},
      {"github.event_name == 'pull_request'", ok, false},
      {"${{ false }}", ok, false},
      {"steps.my-step.outputs.n", ok, true},  // a non-empty string
      {"github.missing", ok, false},
      // A status function anywhere turns the implicit success() off.
      {"always()", failed, true},
      {"always()", cancelled, true},
      {"failure()", failed, true},
      {"failure()", ok, false},
      {"cancelled()", cancelled, true},
      {"!cancelled()", failed, true},
      {"!cancelled()", cancelled, false},
      {"success() || failure()", failed, true},
      {"failure() && github.event_name == 'push'", failed, true},
      {"${{ always() }}", failed, true},
      {"contains(format('{0}', Success()), 'true')", ok, true},
      // Text around ${{ }} makes the condition a string, true unless empty:
      // GitHub's pitfall (actions/runner#1173), kept.
      {"true && ${{ false }}", ok, true},
      {"${{ false }}\n", ok, true},
      {"github.ref == 'refs/heads/${{ env.STAGE }}x'", ok, true},
      {"${{ github.missing }}${{ '' }}", ok, false},
      {"${{ 1 }} x", failed, false},       // implicit success()
      {"${{ always() }} x", failed, true},  // a status function inside
      // A lone quoted string is re-read as the condition, as GitHub does.
      {"${{ 'false' }}", ok, false},
      {"${{ 'github.event_name == ''push''' }}", ok, true},
      {"${{ 'always()' }}", failed, true},
      {"${{ ' ' }}", failed, false},
      {"${{ ('false') }}", ok, true},  // not a lone string: the string 'false'
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.text);
    json_context c = ctx(tc.status);
    condition_result r = evaluate_condition(tc.text, c);
    ASSERT_TRUE(r.ok()) << r.error->format();
    EXPECT_EQ(r.run, tc.want);
  }
}

TEST(GhExpressions, ConditionErrors) {
  // Not evaluated after a failure (implicit success() first), so no error.
  json_context failed = ctx(run_status::failure);
  condition_result skipped = evaluate_condition("github.event_name == format('{0')", failed);
  EXPECT_TRUE(skipped.ok());
  EXPECT_FALSE(skipped.run);

  struct error_case {
    const char* text;
    run_status status;
    const char* error;
  };
  std::vector<error_case> cases{
      {"github.event_name == format('{0')", run_status::success,
       "expression at 1:22: The following format string is invalid: {0"},
      {"nope == 1", run_status::failure, "expression at 1:1: Unrecognized named-value: 'nope'"},
      {"github.event_name ==", run_status::success, "expression at 1:19: Unexpected end of expression: '=='"},
      {"if ${{ nope }}", run_status::failure, "expression at 1:8: Unrecognized named-value: 'nope'"},
      {"${{ 'nope.x' }}", run_status::success, "expression at 1:6: Unrecognized named-value: 'nope'"},
      {"${{ 'a ==' }}", run_status::success, "expression at 1:8: Unexpected end of expression: '=='"},
      {"\n  ${{ github.event_name", run_status::success,
       "expression at 2:3: The expression is not closed. An unescaped ${{ sequence was found, but the "
       "closing }} sequence was not found."},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.text);
    json_context c = ctx(tc.status);
    condition_result r = evaluate_condition(tc.text, c);
    ASSERT_FALSE(r.ok());
    EXPECT_FALSE(r.run);
    EXPECT_EQ(r.error->format(), tc.error);
  }

  // A parsed condition is reusable and says whether it has a status function.
  condition_parse_result p = parse_condition("${{ github.event_name == 'push' }}");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p.cond->has_status_function);
  EXPECT_TRUE(evaluate_condition(*p.cond, ctx()).run);
  EXPECT_FALSE(evaluate_condition(*p.cond, failed).run);
  EXPECT_TRUE(parse_condition("always()").cond->has_status_function);
}

}  // namespace
}  // namespace runner::gh
