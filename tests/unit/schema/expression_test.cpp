#include "schema/expression.hpp"

#include <gtest/gtest.h>

namespace runner {
namespace {

map_expr_context sample_context() {
  map_expr_context c;
  c.imports[{"build", "version"}] = "1.2.3";
  c.imports[{"build", "count"}] = "10";
  c.imports[{"fetch", "token"}] = "  Secret-Value  ";
  c.imports[{"fetch", "empty"}] = "";
  c.imports[{"my-task", "out"}] = "hyphen";
  c.statuses["build"] = "success";
  c.statuses["fetch"] = "failed";
  c.envs["HOME"] = "/home/me";
  return c;
}

// Evaluates `text`, failing the test on a parse or evaluation error.
expr_value eval_ok(const std::string& text, const expr_context& ctx = sample_context()) {
  expr_parse_result p = parse_expression(text);
  EXPECT_TRUE(p.ok()) << text << ": " << (p.error ? p.error->format() : "");
  if (!p.ok()) return expr_value();
  expr_eval_result r = evaluate(*p.expression, ctx);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.error ? r.error->format() : "");
  return r.value;
}

std::string eval_str(const std::string& text) { return expr_to_string(eval_ok(text)); }

// The formatted parse error of `text` ("" when it parses).
std::string parse_error(const std::string& text) {
  expr_parse_result p = parse_expression(text);
  return p.error ? p.error->format() : "";
}

// The formatted evaluation error of `text` (it must parse).
std::string eval_error(const std::string& text) {
  expr_parse_result p = parse_expression(text);
  EXPECT_TRUE(p.ok()) << text << ": " << (p.error ? p.error->format() : "");
  if (!p.ok()) return "parse error";
  expr_eval_result r = evaluate(*p.expression, sample_context());
  return r.error ? r.error->format() : "";
}

TEST(Expression, Literals) {
  EXPECT_EQ(eval_ok("42"), expr_value(42.0));
  EXPECT_EQ(eval_str("42"), "42");
  EXPECT_EQ(eval_str("1.5"), "1.5");
  EXPECT_EQ(eval_str("1e3"), "1000");
  EXPECT_EQ(eval_str(".5"), "0.5");
  EXPECT_EQ(eval_ok("'it\\'s'"), expr_value("it's"));
  EXPECT_EQ(eval_ok("\"a\\\"b\\\\c\\n\\t\""), expr_value("a\"b\\c\n\t"));
  EXPECT_EQ(eval_ok("true"), expr_value(true));
  EXPECT_EQ(eval_ok("false"), expr_value(false));
  EXPECT_TRUE(eval_ok("null").is_null());
  EXPECT_EQ(eval_str("[1, 'a', true]"), "[1,\"a\",true]");
  EXPECT_EQ(eval_ok("{'a': 1, b: 2}")["b"], expr_value(2.0));
  EXPECT_EQ(eval_str("[]"), "[]");
}

TEST(Expression, Precedence) {
  EXPECT_EQ(eval_str("1 + 2 * 3"), "7");
  EXPECT_EQ(eval_str("(1 + 2) * 3"), "9");
  EXPECT_EQ(eval_str("10 - 4 - 3"), "3");
  EXPECT_EQ(eval_str("2 * 3 % 4"), "2");
  EXPECT_EQ(eval_str("-2 * 3"), "-6");
  EXPECT_EQ(eval_str("7 / 2"), "3.5");
  EXPECT_EQ(eval_str("1 + 2 < 4 == true"), "true");
  EXPECT_EQ(eval_ok("!false || false && false"), expr_value(true));   // (!a) || (b && c)
  EXPECT_EQ(eval_ok("!true || true && false"), expr_value(false));
  EXPECT_EQ(eval_ok("!(false || true)"), expr_value(false));
  EXPECT_EQ(eval_str("true ? 1 : 2"), "1");
  EXPECT_EQ(eval_str("false ? 1 : true ? 2 : 3"), "2");
  EXPECT_EQ(eval_str("1 < 2 ? 'yes' : 'no'"), "yes");
}

TEST(Expression, Arithmetic) {
  EXPECT_EQ(eval_str("'a' + 1"), "a1");
  EXPECT_EQ(eval_str("1 + 'a'"), "1a");
  EXPECT_EQ(eval_str("build.count + 1"), "101");  // + concatenates with a string
  EXPECT_EQ(eval_str("build.count - 1"), "9");    // numeric strings are numbers for - * / %
  EXPECT_EQ(eval_str("build.count * 2"), "20");
  EXPECT_EQ(eval_str("-build.count"), "-10");
  EXPECT_EQ(eval_str("7 % 3"), "1");
  EXPECT_EQ(eval_str("'x' + null"), "x");
  EXPECT_EQ(eval_str("'v' + [1]"), "v[1]");
}

// A value need not be UTF-8 (a task's output, a literal's bytes): an error
// that quotes it, and a list printed as text, still come out, with U+FFFD
// for what is not UTF-8, never an exception.
TEST(Expression, ValuesThatAreNotUtf8ArePrintedNotThrown) {
  EXPECT_NE(eval_error("'\xff\xfe' - 1").find("string \"\xef\xbf\xbd\xef\xbf\xbd\""),
            std::string::npos)
      << eval_error("'\xff\xfe' - 1");
  EXPECT_EQ(eval_str("['a\xff']"), "[\"a\xef\xbf\xbd\"]");
  EXPECT_EQ(eval_str("'v' + {'k': '\xc3'}"), "v{\"k\":\"\xef\xbf\xbd\"}");
}

TEST(Expression, Comparisons) {
  EXPECT_EQ(eval_ok("1 == 1"), expr_value(true));
  EXPECT_EQ(eval_ok("1 != 2"), expr_value(true));
  EXPECT_EQ(eval_ok("'a' == 'a'"), expr_value(true));
  EXPECT_EQ(eval_ok("'a' < 'b'"), expr_value(true));
  EXPECT_EQ(eval_ok("'b' >= 'a'"), expr_value(true));
  EXPECT_EQ(eval_ok("build.count == 10"), expr_value(true));     // numeric string vs number
  EXPECT_EQ(eval_ok("build.count > 9"), expr_value(true));
  EXPECT_EQ(eval_ok("'10' < '9'"), expr_value(false));           // both numeric: by number
  EXPECT_EQ(eval_ok("'1.0' == '1'"), expr_value(false));         // strings: == compares text
  EXPECT_EQ(eval_ok("'1.0' == 1"), expr_value(true));
  EXPECT_EQ(eval_ok("'abc' == 1"), expr_value(false));
  EXPECT_EQ(eval_ok("null == null"), expr_value(true));
  EXPECT_EQ(eval_ok("null == false"), expr_value(false));
  EXPECT_EQ(eval_ok("[1, 2] == [1, 2]"), expr_value(true));
  EXPECT_EQ(eval_ok("build.status == 'success'"), expr_value(true));
  EXPECT_EQ(eval_ok("fetch.status != 'success'"), expr_value(true));
  EXPECT_EQ(eval_ok("env.HOME == '/home/me'"), expr_value(true));
  EXPECT_EQ(eval_ok("3 <= 3 && 3 >= 3 && !(3 < 3) && !(3 > 3)"), expr_value(true));
}

TEST(Expression, TruthinessAndShortCircuit) {
  EXPECT_EQ(eval_ok("0 || ''"), expr_value(false));
  EXPECT_EQ(eval_ok("'x' && 1"), expr_value(true));
  EXPECT_EQ(eval_ok("[] || {}"), expr_value(false));
  EXPECT_EQ(eval_ok("fetch.empty ? 1 : 2"), expr_value(2.0));
  EXPECT_TRUE(expr_truthy(expr_value("0")));  // a non-empty string is true
  // The right side is not evaluated: an unknown reference there is no error.
  EXPECT_EQ(eval_ok("false && nosuch.thing"), expr_value(false));
  EXPECT_EQ(eval_ok("true || nosuch.thing"), expr_value(true));
  EXPECT_EQ(eval_ok("true ? 1 : nosuch.thing"), expr_value(1.0));
  EXPECT_EQ(eval_error("true && nosuch.thing"),
            "expression at 1:9: unknown reference `nosuch.thing`: not an import of this task");
}

TEST(Expression, StringMethods) {
  EXPECT_EQ(eval_ok("build.version.contains('2.')"), expr_value(true));
  EXPECT_EQ(eval_ok("build.version.startsWith('1.')"), expr_value(true));
  EXPECT_EQ(eval_ok("build.version.endsWith('.4')"), expr_value(false));
  EXPECT_EQ(eval_ok("'abc'.startsWith('abcd')"), expr_value(false));
  EXPECT_EQ(eval_str("'MiXed'.toUpperCase()"), "MIXED");
  EXPECT_EQ(eval_str("'MiXed'.toLowerCase()"), "mixed");
  EXPECT_EQ(eval_str("fetch.token.trim()"), "Secret-Value");
  EXPECT_EQ(eval_str("'abc'.length"), "3");
  EXPECT_EQ(eval_str("'abc'.length()"), "3");
  EXPECT_EQ(eval_str("build.version.split('.')"), "[\"1\",\"2\",\"3\"]");
  EXPECT_EQ(eval_str("build.version.split('.')[1]"), "2");
  EXPECT_EQ(eval_str("build.version.split('.').length"), "3");
  EXPECT_EQ(eval_str("'a-b-c'.replace('-', '+')"), "a+b+c");
  EXPECT_EQ(eval_str("'  x '.trim().toUpperCase() + '!'"), "X!");
  EXPECT_EQ(eval_ok("[1, 2].contains(2)"), expr_value(true));
}

TEST(Expression, Indexing) {
  EXPECT_EQ(eval_str("[10, 20, 30][0]"), "10");
  EXPECT_EQ(eval_str("[10, 20, 30][-1]"), "30");
  EXPECT_TRUE(eval_ok("[10][5]").is_null());
  EXPECT_EQ(eval_str("{'a': {'b': 'deep'}}['a'].b"), "deep");
  EXPECT_EQ(eval_str("{'k': 1}.k"), "1");
  EXPECT_TRUE(eval_ok("{'k': 1}.missing").is_null());
  EXPECT_EQ(eval_str("'hello'[1]"), "e");
  EXPECT_EQ(eval_str("`my-task`.out"), "hyphen");
  EXPECT_EQ(eval_str("{'length': 5}.length"), "5");  // a map's key wins over the property
}

TEST(Expression, ReferencesWithPositions) {
  expr_parse_result p = parse_expression("build.status == 'success' &&\n  env.HOME + fetch.token");
  ASSERT_TRUE(p.ok());
  std::vector<expr_reference> refs = references(*p.expression);
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0].kind, expr_reference_kind::status);
  EXPECT_EQ(refs[0].task, "build");
  EXPECT_EQ(refs[0].line, 1);
  EXPECT_EQ(refs[0].column, 1);
  EXPECT_EQ(refs[1].kind, expr_reference_kind::env);
  EXPECT_EQ(refs[1].name, "HOME");
  EXPECT_EQ(refs[1].line, 2);
  EXPECT_EQ(refs[1].column, 3);
  EXPECT_EQ(refs[2].kind, expr_reference_kind::import);
  EXPECT_EQ(refs[2].task, "fetch");
  EXPECT_EQ(refs[2].name, "token");
  EXPECT_EQ(refs[2].line, 2);
  EXPECT_EQ(refs[2].column, 14);
  EXPECT_EQ(refs[2].offset, 42u);
}

TEST(Expression, ParseErrorsNameThePosition) {
  EXPECT_EQ(parse_error("(1 + 2 * (3 - 4)"),
            "expression at 1:17: expected `)`, found end of expression");
  EXPECT_EQ(parse_error("1 +"), "expression at 1:4: expected a value, found end of expression");
  EXPECT_EQ(parse_error(""), "expression at 1:1: expected a value, found end of expression");
  EXPECT_EQ(parse_error("1 2"),
            "expression at 1:3: unexpected number `2`; expected an operator or the end of the "
            "expression");
  EXPECT_EQ(parse_error("'abc"), "expression at 1:1: unterminated string: no closing '");
  EXPECT_EQ(parse_error("1 +\n  \"ab"), "expression at 2:3: unterminated string: no closing \"");
  EXPECT_EQ(parse_error("'a\\qb'"),
            "expression at 1:3: unknown escape `\\q` in string; use \\\\ \\' \\\" \\n \\t or \\r");
  EXPECT_EQ(parse_error("a.b.frob()"),
            "expression at 1:5: unknown method `frob`; methods are contains, startsWith, "
            "endsWith, toUpperCase, toLowerCase, length, split, replace, trim");
  EXPECT_EQ(parse_error("a.b.replace('x')"),
            "expression at 1:12: method `replace` takes 2 arguments, got 1");
  EXPECT_EQ(parse_error("a.b.trim(1)"), "expression at 1:9: method `trim` takes 0 arguments, got 1");
  EXPECT_EQ(parse_error("x == 1"),
            "expression at 1:1: `x` alone is not a value; write task.variable, task.status or "
            "env.NAME");
  EXPECT_EQ(parse_error("a = 1"), "expression at 1:3: unexpected `=`; compare with `==`");
  EXPECT_EQ(parse_error("a.b & c.d"), "expression at 1:5: unexpected `&`; use `&&`");
  EXPECT_EQ(parse_error("1 # 2"), "expression at 1:3: unexpected character `#`");
  EXPECT_EQ(parse_error("true ? 1"), "expression at 1:9: expected `:` of `? :`, found end of expression");
  EXPECT_EQ(parse_error("[1, 2"), "expression at 1:6: expected `]` to close the list, found end of expression");
  EXPECT_EQ(parse_error("{1: 2}"),
            "expression at 1:2: expected a map key (a string or a name), found number `1`");
  EXPECT_EQ(parse_error("len(a.b)"),
            "expression at 1:1: unknown function `len`; there are no functions, only methods such "
            "as `x.trim()`");
  EXPECT_EQ(parse_error("a."), "expression at 1:3: expected a name after `a.`, found end of expression");
  EXPECT_EQ(parse_error("12abc"), "expression at 1:3: unexpected `a` after number");
}

TEST(Expression, EvaluationErrorsNameThePosition) {
  EXPECT_EQ(eval_error("1 / 0"), "expression at 1:3: division by zero");
  EXPECT_EQ(eval_error("1 % 0"), "expression at 1:3: division by zero in `%`");
  EXPECT_EQ(eval_error("1 - 'abc'"), "expression at 1:3: `-` needs numbers, got string \"abc\"");
  EXPECT_EQ(eval_error("true + 1"), "expression at 1:6: `+` needs numbers or a string, got bool and number");
  EXPECT_EQ(eval_error("(1).toUpperCase()"),
            "expression at 1:5: `toUpperCase` needs a string, got number 1");
  EXPECT_EQ(eval_error("'a'.contains(1)"), "expression at 1:14: `contains` needs a string, got number 1");
  EXPECT_EQ(eval_error("[1] < 2"), "expression at 1:5: cannot compare list with number");
  EXPECT_EQ(eval_error("[1]['x']"), "expression at 1:4: a list is indexed by a whole number, got string \"x\"");
  EXPECT_EQ(eval_error("true[0]"), "expression at 1:5: cannot index a bool");
  EXPECT_EQ(eval_error("'abc'.size"), "expression at 1:7: a string has no property `size`");
  EXPECT_EQ(eval_error("1 +\n nosuch.status"), "expression at 2:2: unknown task `nosuch` in `nosuch.status`");
  EXPECT_EQ(eval_error("env.NOPE"), "expression at 1:1: unknown environment variable `env.NOPE`");
}

TEST(ExpressionTemplate, SeveralSegments) {
  expr_template_parse_result t =
      render_template("v=<+ build.version >, n=<+ build.count - 1 >, ok=<+ build.status == 'success' >");
  ASSERT_TRUE(t.ok()) << t.error->format();
  expr_render_result r = render(*t.tmpl, sample_context());
  ASSERT_TRUE(r.ok()) << r.error->format();
  EXPECT_EQ(r.text, "v=1.2.3, n=9, ok=true");
  std::vector<expr_reference> refs = references(*t.tmpl);
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0].column, 6);
  EXPECT_EQ(refs[2].kind, expr_reference_kind::status);
}

TEST(ExpressionTemplate, ValuesArePrinted) {
  expr_template_parse_result t =
      render_template("<+ null >|<+ 2.0 >|<+ 0.25 >|<+ false >|<+ [1, 'a'] >|<+ {'k': 'v'} >");
  ASSERT_TRUE(t.ok()) << t.error->format();
  EXPECT_EQ(render(*t.tmpl, sample_context()).text, "|2|0.25|false|[1,\"a\"]|{\"k\":\"v\"}");
}

TEST(ExpressionTemplate, GreaterThanInsideParenthesesAndStrings) {
  map_expr_context ctx = sample_context();
  auto run = [&](const std::string& text) {
    expr_template_parse_result t = render_template(text);
    EXPECT_TRUE(t.ok()) << text << ": " << (t.error ? t.error->format() : "");
    if (!t.ok()) return std::string("<parse error>");
    expr_render_result r = render(*t.tmpl, ctx);
    EXPECT_TRUE(r.ok()) << text << ": " << (r.error ? r.error->format() : "");
    return r.text;
  };
  EXPECT_EQ(run("<+ (build.count > 9) >"), "true");
  EXPECT_EQ(run("<+ build.count >= 11 >"), "false");  // `>=` never closes
  EXPECT_EQ(run("<+ '>' + \"a>b\" >!"), ">a>b!");
  EXPECT_EQ(run("<+ [1 > 0][0] > <+ {'k': 2 > 1}.k >"), "true true");
  EXPECT_EQ(run("<+ build.count > 9 >"), "10 9 >");  // without parentheses the first `>` closes
  EXPECT_EQ(run("no segments > here"), "no segments > here");
  EXPECT_EQ(run(""), "");
  EXPECT_EQ(run("a <+ 1 >< b"), "a 1< b");
}

TEST(ExpressionTemplate, ErrorsNameThePositionInTheWholeText) {
  expr_template_parse_result t = render_template("line one\nx=<+ build.version ");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error->format(), "expression at 2:3: unterminated `<+` segment: no closing `>`");

  t = render_template("a <+ 'oops >");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error->format(), "expression at 1:6: unterminated string: no closing '");

  t = render_template("ab\n  <+ 1 + >");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error->format(), "expression at 2:10: expected a value, found end of expression");

  // Inside an open parenthesis `>` does not close the segment.
  t = render_template("ab\n  <+ (1 + >");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error->format(), "expression at 2:3: unterminated `<+` segment: no closing `>`");

  t = render_template("<+ >");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error->format(), "expression at 1:4: expected a value, found end of expression");

  t = render_template("ok <+ 1 > then\n <+ 1 / 0 >");
  ASSERT_TRUE(t.ok());
  expr_render_result r = render(*t.tmpl, sample_context());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->format(), "expression at 2:7: division by zero");
}

TEST(ExpressionTemplate, DocumentationExample) {
  map_expr_context ctx = sample_context();
  expr_template_parse_result t = render_template(
      "v<+ build.version.split('.')[0] > (<+ (build.count > 100) ? 'big' : 'small' >), "
      "tag=<+ build.version.replace('.', '-').toUpperCase() >");
  ASSERT_TRUE(t.ok()) << t.error->format();
  EXPECT_EQ(render(*t.tmpl, ctx).text, "v1 (small), tag=1-2-3");
  EXPECT_EQ(eval_str("{'k': [1, 2]}.k[-1]"), "2");
  EXPECT_EQ(eval_ok("build.status == 'success' && build.count > 0"), expr_value(true));
}

TEST(Expression, EvaluatesManyTimes) {
  expr_parse_result p =
      parse_expression("build.status == 'success' && build.count * 2 > 15 ? build.version.toUpperCase() : 'no'");
  ASSERT_TRUE(p.ok());
  map_expr_context ctx = sample_context();
  size_t ok = 0;
  for (int i = 0; i < 100000; ++i) {
    expr_eval_result r = evaluate(*p.expression, ctx);
    if (r.ok() && r.value == "1.2.3") ++ok;
  }
  EXPECT_EQ(ok, 100000u);
}

}  // namespace
}  // namespace runner
