#include "schema/when.hpp"

#include <algorithm>
#include <cctype>

#include "schema/template.hpp"

namespace runner {

namespace {

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

// `{{ .task.var }}` becomes the reference `` `task`.`var` ``, padded with
// spaces to the template's length so that error columns still point into the
// text the user wrote. The reference is never longer than the template.
std::string templates_as_references(std::string_view text) {
  std::string out(text);
  for (const template_ref& ref : scan_templates(text).refs) {
    std::string r = "`" + ref.task + "`.`" + ref.variable + "`";
    r.resize(ref.end - ref.begin, ' ');
    out.replace(ref.begin, r.size(), r);
  }
  return out;
}

}  // namespace

when_parse_result parse_when(std::string_view text) {
  when_parse_result r;
  std::string rewritten = templates_as_references(text);
  // Malformed templates are reported by the template checks; the expression
  // parser would only add a confusing second message for the same text.
  if (!scan_templates(text).errors.empty()) {
    r.error = expr_error{1, 1, 0, "the condition holds a malformed template"};
    return r;
  }
  if (rewritten.find("<+") == std::string::npos) {
    auto parsed = parse_expression(rewritten);
    r.condition = parsed.expression;
    r.error = parsed.error;
    return r;
  }
  auto parsed = render_template(rewritten);
  if (!parsed.ok()) {
    r.error = parsed.error;
    return r;
  }
  const expr_template::part* segment = nullptr;
  for (auto& p : parsed.tmpl->parts) {
    if (!p.expression) {
      if (blank(p.text))
        continue;
    } else if (!segment) {
      segment = &p;
      continue;
    }
    r.error = expr_error{1, 1, 0,
                         "a condition is one expression: `<+ expr >` and nothing else around it"};
    return r;
  }
  if (!segment) {
    r.error = expr_error{1, 1, 0, "empty condition"};
    return r;
  }
  r.condition = segment->expression;
  return r;
}

std::vector<std::string> when_status_reads(const task_decl& task) {
  std::vector<std::string> names;
  if (!task.when)
    return names;
  auto parsed = parse_when(*task.when);
  if (!parsed.ok())
    return names;
  for (auto& ref : references(*parsed.condition))
    if (ref.kind == expr_reference_kind::status &&
        std::find(names.begin(), names.end(), ref.task) == names.end())
      names.push_back(ref.task);
  return names;
}

bool runs_after_any_outcome(const task_decl& task, const std::string& dep) {
  if (!task.when)
    return false;
  for (auto& im : task.imports)
    if (im.from == dep)
      return false;
  auto reads = when_status_reads(task);
  return std::find(reads.begin(), reads.end(), dep) != reads.end();
}

bool when_holds(const expr_value& value) {
  if (value.is_string()) {
    std::string s = value.get<std::string>();
    auto b = s.find_first_not_of(" \t\r\n");
    auto e = s.find_last_not_of(" \t\r\n");
    s = b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true")
      return true;
    if (s == "false")
      return false;
  }
  return expr_truthy(value);
}

}  // namespace runner
