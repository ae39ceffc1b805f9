// The public face of gh_expressions: contexts, parse/evaluate, `${{ }}`
// templates as GitHub's TemplateReader.ParseScalar splits them, and `if:`
// conditions as its ConvertToIfCondition builds them.
#include "drivers/github_action/gh_expressions.hpp"

#include <algorithm>

#include "drivers/github_action/gh_expr_internal.hpp"

namespace runner::gh {

using namespace detail;

const value* json_context::context(std::string_view name) const {
  if (!contexts.is_object()) return nullptr;
  return find_property(contexts, name, false);
}

bool json_context::case_sensitive(std::string_view name) const {
  return std::any_of(case_sensitive_contexts.begin(), case_sensitive_contexts.end(),
                     [&](const std::string& c) { return iequals(c, name); });
}

namespace {

std::shared_ptr<const expression> make_expression(std::string_view text, size_t begin, size_t end,
                                                  std::shared_ptr<const expr_source> source) {
  auto e = std::make_shared<expression>();
  e->root = parse_range(text, begin, end);
  e->has_status_function = calls_status_function(*e->root);
  e->source = std::move(source);
  return e;
}

// The text of a `${{ }}` value as it is spliced into a string.
std::string to_text(const value& v) {
  return v.is_array() || v.is_object() ? to_json(v) : to_string(v);
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool blank(std::string_view s) { return std::all_of(s.begin(), s.end(), is_space); }

// Splits `text` into literal parts and expressions. Throws failure.
std::shared_ptr<text_template> split_template(std::string_view text,
                                              const std::shared_ptr<const expr_source>& source) {
  auto t = std::make_shared<text_template>();
  size_t i = 0;
  for (;;) {
    size_t start = text.find("${{", i);
    if (start == std::string_view::npos) {
      if (i < text.size()) t->parts.push_back({std::string(text.substr(i)), nullptr});
      return t;
    }
    if (start > i) t->parts.push_back({std::string(text.substr(i, start - i)), nullptr});
    // The expression ends at the first `}}` outside a '...' string.
    size_t close = std::string_view::npos;
    bool in_string = false;
    for (size_t j = start + 3; j < text.size(); ++j) {
      if (text[j] == '\'') {
        in_string = !in_string;
      } else if (!in_string && text[j] == '}' && text[j - 1] == '}') {
        close = j;
        break;
      }
    }
    if (close == std::string_view::npos)
      fail(start,
           "The expression is not closed. An unescaped ${{ sequence was found, but the closing }} "
           "sequence was not found.");
    size_t begin = start + 3, end = close - 1;
    if (blank(text.substr(begin, end - begin))) fail(start, "An expression was expected");
    t->parts.push_back({"", make_expression(text, begin, end, source)});
    i = close + 1;
  }
}

expr_error error_at(const expr_source& source, const failure& f) {
  return source.error_at(f.offset, f.message);
}

// `if: ${{ 'text' }}`: GitHub's reader turns a lone quoted string into the
// literal text, which the condition then reads as an expression. It is parsed
// from a copy of the condition with the string's value written where the
// string was and every other character blanked, so that positions still point
// into the condition as written.
std::shared_ptr<const expression> reparse_string(std::string_view text, const node& literal,
                                                 const std::shared_ptr<const expr_source>& source) {
  const std::string& inner = literal.literal.get_ref<const std::string&>();
  std::string copy(text.size(), ' ');
  size_t begin = literal.offset + 1;  // after the opening quote
  copy.replace(begin, inner.size(), inner);
  return make_expression(copy, begin, begin + inner.size(), source);
}

}  // namespace

parse_result parse(std::string_view text) {
  parse_result r;
  auto source = make_source(text);
  try {
    r.expr = make_expression(text, 0, text.size(), source);
  } catch (const failure& f) {
    r.error = error_at(*source, f);
  }
  return r;
}

eval_result evaluate(const expression& e, const eval_context& ctx) {
  eval_result r;
  try {
    check_contexts(*e.root, ctx);
    r.val = evaluate_node(*e.root, ctx);
  } catch (const failure& f) {
    r.error = error_at(*e.source, f);
  }
  return r;
}

eval_result evaluate(std::string_view text, const eval_context& ctx) {
  parse_result p = parse(text);
  if (!p.ok()) return {value(), p.error};
  return evaluate(*p.expr, ctx);
}

template_parse_result parse_template(std::string_view text) {
  template_parse_result r;
  auto source = make_source(text);
  try {
    r.tmpl = split_template(text, source);
  } catch (const failure& f) {
    r.error = error_at(*source, f);
  }
  return r;
}

text_result render(const text_template& t, const eval_context& ctx) {
  text_result r;
  const expression* current = nullptr;
  try {
    // Every context is checked before anything is evaluated: on GitHub an
    // unknown one is a parse error.
    for (const auto& p : t.parts) {
      if (!p.expr) continue;
      current = p.expr.get();
      check_contexts(*p.expr->root, ctx);
    }
    for (const auto& p : t.parts) {
      if (!p.expr) {
        r.text += p.text;
        continue;
      }
      current = p.expr.get();
      r.text += to_text(evaluate_node(*p.expr->root, ctx));
    }
  } catch (const failure& f) {
    r.text.clear();
    r.error = error_at(*current->source, f);
  }
  return r;
}

text_result interpolate(std::string_view text, const eval_context& ctx) {
  template_parse_result p = parse_template(text);
  if (!p.ok()) return {"", p.error};
  return render(*p.tmpl, ctx);
}

condition_parse_result parse_condition(std::string_view text) {
  condition_parse_result r;
  auto source = make_source(text);
  auto c = std::make_shared<condition>();
  try {
    if (text.find("${{") == std::string_view::npos) {
      if (!blank(text)) c->expr = make_expression(text, 0, text.size(), source);
    } else {
      auto t = split_template(text, source);
      if (t->parts.size() == 1 && t->parts[0].expr) {
        c->expr = t->parts[0].expr;  // exactly `${{ expr }}`: the expression itself
        const node& root = *c->expr->root;
        size_t first = 3;  // the text is exactly `${{ ... }}`
        while (is_space(text[first])) ++first;
        if (root.kind == node_kind::literal && root.literal.is_string() && root.offset == first) {
          const std::string& inner = root.literal.get_ref<const std::string&>();
          c->expr = blank(inner) ? nullptr : reparse_string(text, root, source);
        }
      } else {
        c->tmpl = std::move(t);
      }
    }
  } catch (const failure& f) {
    r.error = error_at(*source, f);
    return r;
  }
  if (c->expr) {
    c->has_status_function = c->expr->has_status_function;
  } else if (c->tmpl) {
    c->has_status_function = std::any_of(c->tmpl->parts.begin(), c->tmpl->parts.end(), [](const auto& p) {
      return p.expr && p.expr->has_status_function;
    });
  } else {
    c->has_status_function = true;  // empty: success() itself
  }
  r.cond = std::move(c);
  return r;
}

condition_result evaluate_condition(const condition& c, const eval_context& ctx) {
  condition_result r;
  if (c.tmpl) {
    for (const auto& p : c.tmpl->parts) {
      if (!p.expr) continue;
      try {
        check_contexts(*p.expr->root, ctx);
      } catch (const failure& f) {
        r.error = error_at(*p.expr->source, f);
        return r;
      }
    }
  } else if (c.expr) {
    try {
      check_contexts(*c.expr->root, ctx);
    } catch (const failure& f) {
      r.error = error_at(*c.expr->source, f);
      return r;
    }
  }
  // The implicit `success() && (...)`: not evaluated at all unless success.
  bool status_ok = ctx.status() == run_status::success;
  if (!c.expr && !c.tmpl) {
    r.run = status_ok;
    return r;
  }
  if (!c.has_status_function && !status_ok) return r;
  if (c.tmpl) {
    text_result t = render(*c.tmpl, ctx);
    r.error = t.error;
    r.run = t.ok() && !t.text.empty();
    return r;
  }
  eval_result e = evaluate(*c.expr, ctx);
  r.error = e.error;
  r.run = e.ok() && truthy(e.val);
  return r;
}

condition_result evaluate_condition(std::string_view text, const eval_context& ctx) {
  condition_parse_result p = parse_condition(text);
  if (!p.ok()) return {false, p.error};
  return evaluate_condition(*p.cond, ctx);
}

}  // namespace runner::gh
