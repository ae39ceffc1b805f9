// GitHub `${{ }}` expressions (drivers/github_action/gh_expressions.hpp): the
// input read as an expression, as a template with `${{ }}` parts and as an
// `if:` condition, evaluated over contexts like a composite step's. Any bytes
// give a value or an error at a position inside the text, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "drivers/github_action/gh_expressions.hpp"

namespace {

using namespace runner::gh;

const json_context& contexts() {
  static const json_context ctx(value::parse(R"({
    "github": {"event_name": "push", "ref": "refs/heads/main", "sha": "ffac537e6cbbf934b08745a378932722df287a53",
               "repository": "octo/repo", "actor": "octocat", "run_number": 42,
               "event": {"commits": [{"id": "a", "message": "one"}, {"id": "b", "message": "two"}],
                         "pull_request": null, "forced": false}},
    "env": {"STAGE": "prod", "COUNT": "3", "EMPTY": ""},
    "inputs": {"who": "world", "flag": true, "n": 1.5, "list": "[1, 2, 3]"},
    "steps": {"build": {"outputs": {"version": "1.2.3", "json": "{\"a\": [1, {\"b\": null}]}"},
                        "outcome": "success", "conclusion": "success"}},
    "job": {"status": "success"}, "runner": {"os": "Linux", "temp": "/tmp"},
    "matrix": {"node": [18, 20]}, "strategy": {}, "secrets": {}, "needs": {}, "vars": {}
  })"),
                                    run_status::failure);
  return ctx;
}

void check(const std::optional<runner::expr_error>& e, std::string_view text) {
  if (e && (e->offset > text.size() || e->line < 1 || e->column < 1 || e->message.empty()))
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const json_context& ctx = contexts();

  eval_result v = evaluate(text, ctx);
  check(v.error, text);
  if (v.ok()) {
    truthy(v.val);
    to_string(v.val);
    to_json(v.val);
  }
  text_result t = interpolate(text, ctx);
  check(t.error, text);
  condition_result c = evaluate_condition(text, ctx);
  check(c.error, text);
  return 0;
}
