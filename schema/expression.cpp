#include "schema/expression.hpp"
#include "schema/json_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace runner {

namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::shared_ptr<const expr_source> make_source(std::string_view text) {
  auto s = std::make_shared<expr_source>();
  s->line_starts.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') s->line_starts.push_back(i + 1);
  return s;
}

// ---------------------------------------------------------------- lexer

enum class tok { end, number, string, ident, quoted_ident, punct };

struct token {
  tok kind = tok::end;
  size_t offset = 0;
  std::string_view text;  // source text of the token (punct: the operator)
  std::string str;        // string literal value / identifier name
  double num = 0;
};

struct parse_failure {
  size_t offset;
  std::string message;
};

[[noreturn]] void fail(size_t offset, std::string message) {
  throw parse_failure{offset, std::move(message)};
}

// Reads a quoted string starting at s[i] (the quote). Returns the offset one
// past the closing quote; fills `out` when given.
size_t read_string(std::string_view s, size_t i, size_t end, std::string* out) {
  char q = s[i];
  size_t start = i++;
  while (i < end) {
    char c = s[i];
    if (c == q) return i + 1;
    if (c == '\\') {
      if (i + 1 >= end) break;
      char e = s[i + 1];
      char v;
      switch (e) {
        case '\\': v = '\\'; break;
        case '\'': v = '\''; break;
        case '"': v = '"'; break;
        case 'n': v = '\n'; break;
        case 't': v = '\t'; break;
        case 'r': v = '\r'; break;
        default:
          fail(i, std::string("unknown escape `\\") + e + "` in string; use \\\\ \\' \\\" \\n \\t or \\r");
      }
      if (out) out->push_back(v);
      i += 2;
      continue;
    }
    if (out) out->push_back(c);
    ++i;
  }
  fail(start, "unterminated string: no closing " + std::string(1, q));
}

std::vector<token> lex(std::string_view s, size_t begin, size_t end) {
  std::vector<token> out;
  // Enough for most expressions at once: growing token by token cost more
  // than the rest of the lexing.
  out.reserve(std::min<size_t>(64, (end - begin) / 2 + 2));
  size_t i = begin;
  while (true) {
    while (i < end && is_space(s[i])) ++i;
    token t;
    t.offset = i;
    if (i >= end) {
      t.kind = tok::end;
      out.push_back(std::move(t));
      return out;
    }
    char c = s[i];
    if (is_digit(c) || (c == '.' && i + 1 < end && is_digit(s[i + 1]))) {
      size_t j = i;
      while (j < end && is_digit(s[j])) ++j;
      if (j < end && s[j] == '.' && j + 1 < end && is_digit(s[j + 1])) {
        ++j;
        while (j < end && is_digit(s[j])) ++j;
      }
      if (j < end && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < end && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < end && is_digit(s[k])) {
          while (k < end && is_digit(s[k])) ++k;
          j = k;
        }
      }
      if (j < end && is_alpha(s[j]))
        fail(j, "unexpected `" + std::string(1, s[j]) + "` after number");
      t.kind = tok::number;
      t.text = s.substr(i, j - i);
      t.num = std::strtod(std::string(t.text).c_str(), nullptr);
      i = j;
    } else if (is_alpha(c)) {
      size_t j = i;
      while (j < end && (is_alpha(s[j]) || is_digit(s[j]))) ++j;
      t.kind = tok::ident;
      t.text = s.substr(i, j - i);
      t.str = std::string(t.text);
      i = j;
    } else if (c == '\'' || c == '"') {
      t.kind = tok::string;
      size_t j = read_string(s, i, end, &t.str);
      t.text = s.substr(i, j - i);
      i = j;
    } else if (c == '`') {
      size_t j = i + 1;
      while (j < end && s[j] != '`' && s[j] != '\n') ++j;
      if (j >= end || s[j] != '`') fail(i, "unterminated quoted name: no closing `");
      if (j == i + 1) fail(i, "empty quoted name ``");
      t.kind = tok::quoted_ident;
      t.str = std::string(s.substr(i + 1, j - i - 1));
      t.text = s.substr(i, j + 1 - i);
      i = j + 1;
    } else {
      static const char* two[] = {"==", "!=", "<=", ">=", "&&", "||"};
      t.kind = tok::punct;
      bool done = false;
      if (i + 1 < end) {
        for (const char* op : two) {
          if (s[i] == op[0] && s[i + 1] == op[1]) {
            t.text = s.substr(i, 2);
            i += 2;
            done = true;
            break;
          }
        }
      }
      if (!done) {
        if (std::string_view("!<>+-*/%?:()[]{}.,").find(c) == std::string_view::npos) {
          if (c == '=') fail(i, "unexpected `=`; compare with `==`");
          if (c == '&') fail(i, "unexpected `&`; use `&&`");
          if (c == '|') fail(i, "unexpected `|`; use `||`");
          fail(i, "unexpected character `" + std::string(1, c) + "`");
        }
        t.text = s.substr(i, 1);
        ++i;
      }
    }
    out.push_back(std::move(t));
  }
}

// ---------------------------------------------------------------- parser

struct method_info {
  const char* name;
  expr_method method;
  int args;
};

const method_info kMethods[] = {
    {"contains", expr_method::contains, 1},   {"startsWith", expr_method::starts_with, 1},
    {"endsWith", expr_method::ends_with, 1},  {"toUpperCase", expr_method::to_upper, 0},
    {"toLowerCase", expr_method::to_lower, 0}, {"length", expr_method::length, 0},
    {"split", expr_method::split, 1},         {"replace", expr_method::replace, 2},
    {"trim", expr_method::trim, 0},
};

const char* method_name(expr_method m) {
  for (const auto& mi : kMethods)
    if (mi.method == m) return mi.name;
  return "?";
}

using node_ptr = std::unique_ptr<expr_node>;

class parser {
 public:
  parser(std::string_view src, size_t begin, size_t end) : toks_(lex(src, begin, end)) {}

  node_ptr parse_all() {
    node_ptr n = parse_conditional();
    if (peek().kind != tok::end)
      fail(peek().offset, "unexpected " + describe(peek()) + "; expected an operator or the end of the expression");
    return n;
  }

 private:
  std::vector<token> toks_;
  size_t pos_ = 0;

  const token& peek() const { return toks_[pos_]; }
  const token& next() { return toks_[pos_ == toks_.size() - 1 ? pos_ : pos_++]; }
  bool is(const char* op) const { return peek().kind == tok::punct && peek().text == op; }
  bool accept(const char* op) {
    if (!is(op)) return false;
    ++pos_;
    return true;
  }

  static std::string describe(const token& t) {
    switch (t.kind) {
      case tok::end: return "end of expression";
      case tok::number: return "number `" + std::string(t.text) + "`";
      case tok::string: return "string " + std::string(t.text);
      case tok::ident: return "name `" + t.str + "`";
      case tok::quoted_ident: return "name " + std::string(t.text);
      case tok::punct: return "`" + std::string(t.text) + "`";
    }
    return "token";
  }

  void expect(const char* op, const char* what) {
    if (!accept(op))
      fail(peek().offset, std::string("expected `") + op + "`" + what + ", found " + describe(peek()));
  }

  // Makes `kid` a child of `n`; fails when the tree grows deeper than
  // kMaxExpressionDepth (a chain `1+1+...` grows one level per operator).
  static void adopt(node_ptr& n, node_ptr kid) {
    uint32_t h = kid->height + 1;
    if (h > kMaxExpressionDepth)
      fail(n->offset, too_deep());
    if (h > n->height)
      n->height = h;
    n->kids.push_back(std::move(kid));
  }
  static std::string too_deep() {
    return "the expression nests deeper than " + std::to_string(kMaxExpressionDepth) +
           " levels; split it up (a task per part, or variables)";
  }
  // Parentheses nest the parser but not the tree: counted separately.
  size_t depth_ = 0;
  struct nesting {
    nesting(parser& p, size_t offset) : p_(p) {
      if (++p_.depth_ > kMaxExpressionDepth)
        fail(offset, too_deep());
    }
    ~nesting() { --p_.depth_; }
    nesting(const nesting&) = delete;
    nesting& operator=(const nesting&) = delete;
    parser& p_;
  };

  static node_ptr make(expr_kind k, size_t offset) {
    auto n = std::make_unique<expr_node>();
    n->kind = k;
    n->offset = static_cast<uint32_t>(offset);
    return n;
  }
  static node_ptr binary(expr_kind k, size_t offset, node_ptr l, node_ptr r) {
    node_ptr n = make(k, offset);
    n->kids.reserve(2);
    adopt(n, std::move(l));
    adopt(n, std::move(r));
    return n;
  }

  node_ptr parse_conditional() {
    nesting level(*this, peek().offset);
    node_ptr c = parse_or();
    if (is("?")) {
      size_t at = next().offset;
      node_ptr a = parse_conditional();
      expect(":", " of `? :`");
      node_ptr b = parse_conditional();
      node_ptr n = make(expr_kind::conditional, at);
      adopt(n, std::move(c));
      adopt(n, std::move(a));
      adopt(n, std::move(b));
      return n;
    }
    return c;
  }

  node_ptr parse_or() {
    node_ptr l = parse_and();
    while (is("||")) {
      size_t at = next().offset;
      l = binary(expr_kind::logical_or, at, std::move(l), parse_and());
    }
    return l;
  }

  node_ptr parse_and() {
    node_ptr l = parse_equality();
    while (is("&&")) {
      size_t at = next().offset;
      l = binary(expr_kind::logical_and, at, std::move(l), parse_equality());
    }
    return l;
  }

  node_ptr parse_equality() {
    node_ptr l = parse_relational();
    while (is("==") || is("!=")) {
      expr_kind k = peek().text == "==" ? expr_kind::eq : expr_kind::ne;
      size_t at = next().offset;
      l = binary(k, at, std::move(l), parse_relational());
    }
    return l;
  }

  node_ptr parse_relational() {
    node_ptr l = parse_additive();
    while (true) {
      expr_kind k;
      if (is("<")) k = expr_kind::lt;
      else if (is("<=")) k = expr_kind::le;
      else if (is(">")) k = expr_kind::gt;
      else if (is(">=")) k = expr_kind::ge;
      else return l;
      size_t at = next().offset;
      l = binary(k, at, std::move(l), parse_additive());
    }
  }

  node_ptr parse_additive() {
    node_ptr l = parse_multiplicative();
    while (is("+") || is("-")) {
      expr_kind k = peek().text == "+" ? expr_kind::add : expr_kind::sub;
      size_t at = next().offset;
      l = binary(k, at, std::move(l), parse_multiplicative());
    }
    return l;
  }

  node_ptr parse_multiplicative() {
    node_ptr l = parse_unary();
    while (is("*") || is("/") || is("%")) {
      expr_kind k = peek().text == "*" ? expr_kind::mul
                    : peek().text == "/" ? expr_kind::div
                                         : expr_kind::mod;
      size_t at = next().offset;
      l = binary(k, at, std::move(l), parse_unary());
    }
    return l;
  }

  node_ptr parse_unary() {
    if (is("!") || is("-")) {
      nesting level(*this, peek().offset);
      expr_kind k = peek().text == "!" ? expr_kind::logical_not : expr_kind::negate;
      size_t at = next().offset;
      node_ptr n = make(k, at);
      adopt(n, parse_unary());
      return n;
    }
    return parse_postfix();
  }

  // A name after `.`: an identifier or a `quoted` name.
  bool name_token() const { return peek().kind == tok::ident || peek().kind == tok::quoted_ident; }

  node_ptr parse_postfix() {
    node_ptr n = parse_primary();
    while (true) {
      if (is(".")) {
        next();
        if (!name_token())
          fail(peek().offset, "expected a property or method name after `.`, found " + describe(peek()));
        const token& name = next();
        if (is("(")) {
          const method_info* mi = nullptr;
          for (const auto& m : kMethods)
            if (name.kind == tok::ident && name.str == m.name) mi = &m;
          if (!mi)
            fail(name.offset, "unknown method `" + name.str +
                                  "`; methods are contains, startsWith, endsWith, toUpperCase, "
                                  "toLowerCase, length, split, replace, trim");
          size_t open = next().offset;
          node_ptr c = make(expr_kind::call, name.offset);
          c->method = mi->method;
          adopt(c, std::move(n));
          if (!is(")")) {
            do {
              adopt(c, parse_conditional());
            } while (accept(","));
          }
          expect(")", " to close the argument list");
          int got = static_cast<int>(c->kids.size()) - 1;
          if (got != mi->args)
            fail(open, "method `" + std::string(mi->name) + "` takes " + std::to_string(mi->args) +
                           " argument" + (mi->args == 1 ? "" : "s") + ", got " + std::to_string(got));
          n = std::move(c);
        } else {
          node_ptr m = make(expr_kind::member, name.offset);
          m->b = name.str;
          adopt(m, std::move(n));
          n = std::move(m);
        }
      } else if (is("[")) {
        size_t at = next().offset;
        node_ptr ix = make(expr_kind::index, at);
        adopt(ix, std::move(n));
        adopt(ix, parse_conditional());
        expect("]", " to close the index");
        n = std::move(ix);
      } else {
        return n;
      }
    }
  }

  node_ptr parse_primary() {
    const token& t = peek();
    switch (t.kind) {
      case tok::number: {
        node_ptr n = make(expr_kind::literal, t.offset);
        n->value = t.num;
        next();
        return n;
      }
      case tok::string: {
        node_ptr n = make(expr_kind::literal, t.offset);
        n->value = t.str;
        next();
        return n;
      }
      case tok::ident:
      case tok::quoted_ident: return parse_name();
      case tok::punct: break;
      case tok::end: fail(t.offset, "expected a value, found end of expression");
    }
    if (is("(")) {
      next();
      node_ptr n = parse_conditional();
      expect(")", "");
      return n;
    }
    if (is("[")) {
      node_ptr n = make(expr_kind::list, next().offset);
      if (!is("]")) {
        do {
          adopt(n, parse_conditional());
        } while (accept(","));
      }
      expect("]", " to close the list");
      return n;
    }
    if (is("{")) {
      node_ptr n = make(expr_kind::map, next().offset);
      if (!is("}")) {
        do {
          const token& k = peek();
          if (k.kind != tok::string && k.kind != tok::ident && k.kind != tok::quoted_ident)
            fail(k.offset, "expected a map key (a string or a name), found " + describe(k));
          n->keys.push_back(k.str);
          next();
          expect(":", " after the map key");
          adopt(n, parse_conditional());
        } while (accept(","));
      }
      expect("}", " to close the map");
      return n;
    }
    fail(t.offset, "expected a value, found " + describe(t));
  }

  node_ptr parse_name() {
    const token& first = next();
    if (first.kind == tok::ident) {
      node_ptr lit = make(expr_kind::literal, first.offset);
      if (first.str == "true") { lit->value = true; return lit; }
      if (first.str == "false") { lit->value = false; return lit; }
      if (first.str == "null") { lit->value = nullptr; return lit; }
    }
    if (is("("))
      fail(first.offset, "unknown function `" + first.str +
                             "`; there are no functions, only methods such as `x.trim()`");
    if (!is("."))
      fail(first.offset, "`" + first.str +
                             "` alone is not a value; write task.variable, task.status or env.NAME");
    next();
    if (!name_token())
      fail(peek().offset, "expected a name after `" + first.str + ".`, found " + describe(peek()));
    const token& second = next();
    node_ptr n;
    if (first.kind == tok::ident && first.str == "env") {
      n = make(expr_kind::env_ref, first.offset);
      n->b = second.str;
    } else if (second.kind == tok::ident && second.str == "status") {
      n = make(expr_kind::status_ref, first.offset);
      n->a = first.str;
    } else {
      n = make(expr_kind::import_ref, first.offset);
      n->a = first.str;
      n->b = second.str;
    }
    return n;
  }
};

// ---------------------------------------------------------------- evaluation

struct eval_failure {
  size_t offset;
  std::string message;
};

[[noreturn]] void eval_fail(const expr_node& n, std::string message) {
  throw eval_failure{n.offset, std::move(message)};
}

// A string that is a number in full ("42", "-1.5", "1e3"); no spaces, no hex.
bool parse_number(const std::string& s, double& out) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(is_digit(c) || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E')) return false;
  char* endp = nullptr;
  out = std::strtod(s.c_str(), &endp);
  return endp == s.c_str() + s.size();
}

bool as_number(const expr_value& v, double& out) {
  if (v.is_number()) {
    out = v.get<double>();
    return true;
  }
  if (v.is_string()) return parse_number(v.get_ref<const std::string&>(), out);
  return false;
}

const char* type_name(const expr_value& v) {
  switch (v.type()) {
    case expr_value::value_t::null: return "null";
    case expr_value::value_t::boolean: return "bool";
    case expr_value::value_t::string: return "string";
    case expr_value::value_t::array: return "list";
    case expr_value::value_t::object: return "map";
    default: return v.is_number() ? "number" : "value";
  }
}

std::string describe_value(const expr_value& v) {
  std::string s = v.is_string() ? json_text(v) : expr_to_string(v);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return std::string(type_name(v)) + " " + s;
}

bool values_equal(const expr_value& l, const expr_value& r) {
  if (l.is_string() && r.is_string())
    return l.get_ref<const std::string&>() == r.get_ref<const std::string&>();
  if (l.is_number() || r.is_number()) {
    double a, b;
    if (as_number(l, a) && as_number(r, b)) return a == b;
    if ((l.is_number() && r.is_string()) || (l.is_string() && r.is_number()))
      return expr_to_string(l) == expr_to_string(r);
    return false;
  }
  return l == r;
}

// <0, 0, >0
int compare_values(const expr_node& n, const expr_value& l, const expr_value& r) {
  double a, b;
  if (as_number(l, a) && as_number(r, b)) {
    if (std::isnan(a) || std::isnan(b)) eval_fail(n, "cannot order NaN");
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if ((l.is_string() || l.is_number()) && (r.is_string() || r.is_number())) {
    std::string x = expr_to_string(l), y = expr_to_string(r);
    return x.compare(y);
  }
  eval_fail(n, std::string("cannot compare ") + type_name(l) + " with " + type_name(r));
}

double number_operand(const expr_node& op, const expr_value& v, const char* what) {
  double d;
  if (!as_number(v, d))
    eval_fail(op, std::string("`") + what + "` needs numbers, got " + describe_value(v));
  return d;
}

const std::string& string_operand(const expr_node& n, const expr_value& v, const char* what) {
  if (!v.is_string())
    eval_fail(n, std::string(what) + " needs a string, got " + describe_value(v));
  return v.get_ref<const std::string&>();
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

class evaluator {
 public:
  explicit evaluator(const expr_context& ctx) : ctx_(ctx) {}

  expr_value eval(const expr_node& n) {
    switch (n.kind) {
      case expr_kind::literal: return n.value;
      case expr_kind::import_ref: {
        auto v = ctx_.lookup(n.a, n.b);
        if (!v) eval_fail(n, "unknown reference `" + n.a + "." + n.b + "`: not an import of this task");
        return std::move(*v);
      }
      case expr_kind::status_ref: {
        auto v = ctx_.status(n.a);
        if (!v) eval_fail(n, "unknown task `" + n.a + "` in `" + n.a + ".status`");
        return std::move(*v);
      }
      case expr_kind::env_ref: {
        auto v = ctx_.env(n.b);
        if (!v) eval_fail(n, "unknown environment variable `env." + n.b + "`");
        return std::move(*v);
      }
      case expr_kind::list: {
        expr_value out = expr_value::array();
        for (const auto& k : n.kids) out.push_back(eval(*k));
        return out;
      }
      case expr_kind::map: {
        expr_value out = expr_value::object();
        for (size_t i = 0; i < n.kids.size(); ++i) out[n.keys[i]] = eval(*n.kids[i]);
        return out;
      }
      case expr_kind::logical_not: return !expr_truthy(eval(*n.kids[0]));
      case expr_kind::negate: return -number_operand(n, eval(*n.kids[0]), "-");
      case expr_kind::logical_and:
        return expr_truthy(eval(*n.kids[0])) && expr_truthy(eval(*n.kids[1]));
      case expr_kind::logical_or:
        return expr_truthy(eval(*n.kids[0])) || expr_truthy(eval(*n.kids[1]));
      case expr_kind::conditional:
        return expr_truthy(eval(*n.kids[0])) ? eval(*n.kids[1]) : eval(*n.kids[2]);
      case expr_kind::add: {
        expr_value l = eval(*n.kids[0]);
        expr_value r = eval(*n.kids[1]);
        if (l.is_string() || r.is_string()) {
          std::string s = expr_to_string(l);
          s += expr_to_string(r);
          return s;
        }
        if (l.is_number() && r.is_number()) return l.get<double>() + r.get<double>();
        eval_fail(n, std::string("`+` needs numbers or a string, got ") + type_name(l) + " and " +
                         type_name(r));
      }
      case expr_kind::sub:
      case expr_kind::mul:
      case expr_kind::div:
      case expr_kind::mod: {
        static const char* names[] = {"-", "*", "/", "%"};
        const char* name = names[static_cast<int>(n.kind) - static_cast<int>(expr_kind::sub)];
        double a = number_operand(n, eval(*n.kids[0]), name);
        double b = number_operand(n, eval(*n.kids[1]), name);
        switch (n.kind) {
          case expr_kind::sub: return a - b;
          case expr_kind::mul: return a * b;
          case expr_kind::div:
            if (b == 0) eval_fail(n, "division by zero");
            return a / b;
          default:
            if (b == 0) eval_fail(n, "division by zero in `%`");
            return std::fmod(a, b);
        }
      }
      case expr_kind::eq: return values_equal(eval(*n.kids[0]), eval(*n.kids[1]));
      case expr_kind::ne: return !values_equal(eval(*n.kids[0]), eval(*n.kids[1]));
      case expr_kind::lt: return compare(n) < 0;
      case expr_kind::le: return compare(n) <= 0;
      case expr_kind::gt: return compare(n) > 0;
      case expr_kind::ge: return compare(n) >= 0;
      case expr_kind::index: return index(n, eval(*n.kids[0]), eval(*n.kids[1]));
      case expr_kind::member: {
        expr_value obj = eval(*n.kids[0]);
        if (obj.is_object()) {
          auto it = obj.find(n.b);
          return it == obj.end() ? expr_value() : std::move(*it);
        }
        if (n.b == "length") return length(n, obj);
        eval_fail(n, std::string("a ") + type_name(obj) + " has no property `" + n.b + "`");
      }
      case expr_kind::call: return call(n);
    }
    eval_fail(n, "bad expression node");
  }

 private:
  const expr_context& ctx_;

  int compare(const expr_node& n) {
    expr_value l = eval(*n.kids[0]);
    expr_value r = eval(*n.kids[1]);
    return compare_values(n, l, r);
  }

  static expr_value length(const expr_node& n, const expr_value& v) {
    if (v.is_string()) return static_cast<double>(v.get_ref<const std::string&>().size());
    if (v.is_array() || v.is_object()) return static_cast<double>(v.size());
    eval_fail(n, std::string("`length` needs a string, list or map, got ") + describe_value(v));
  }

  static expr_value index(const expr_node& n, expr_value obj, const expr_value& ix) {
    if (obj.is_object()) {
      if (!ix.is_string()) eval_fail(n, std::string("a map is indexed by a string, got ") + describe_value(ix));
      auto it = obj.find(ix.get_ref<const std::string&>());
      return it == obj.end() ? expr_value() : std::move(*it);
    }
    if (obj.is_array() || obj.is_string()) {
      double d = ix.is_number() ? ix.get<double>() : 0.5;
      if (d != std::floor(d))
        eval_fail(n, std::string("a ") + type_name(obj) + " is indexed by a whole number, got " +
                         describe_value(ix));
      size_t size = obj.is_array() ? obj.size() : obj.get_ref<const std::string&>().size();
      if (d < 0) d += static_cast<double>(size);  // x[-1] is the last item
      if (d < 0 || d >= static_cast<double>(size)) return expr_value();
      size_t i = static_cast<size_t>(d);
      if (obj.is_array()) return std::move(obj[i]);
      return std::string(1, obj.get_ref<const std::string&>()[i]);
    }
    eval_fail(n, std::string("cannot index a ") + type_name(obj));
  }

  expr_value call(const expr_node& n) {
    expr_value obj = eval(*n.kids[0]);
    std::string what = std::string("`") + method_name(n.method) + "`";
    if (n.method == expr_method::length) return length(n, obj);
    if (n.method == expr_method::contains && obj.is_array()) {
      expr_value x = eval(*n.kids[1]);
      for (const auto& item : obj)
        if (values_equal(item, x)) return true;
      return false;
    }
    if (!obj.is_string()) eval_fail(n, what + " needs a string, got " + describe_value(obj));
    std::string s = std::move(obj.get_ref<std::string&>());
    switch (n.method) {
      case expr_method::contains: {
        expr_value a = eval(*n.kids[1]);
        return s.find(string_operand(*n.kids[1], a, what.c_str())) != std::string::npos;
      }
      case expr_method::starts_with: {
        expr_value a = eval(*n.kids[1]);
        const std::string& p = string_operand(*n.kids[1], a, what.c_str());
        return s.compare(0, p.size(), p) == 0 && s.size() >= p.size();
      }
      case expr_method::ends_with: {
        expr_value a = eval(*n.kids[1]);
        const std::string& p = string_operand(*n.kids[1], a, what.c_str());
        return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
      }
      case expr_method::to_upper:
        for (char& c : s)
          if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        return s;
      case expr_method::to_lower:
        for (char& c : s)
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return s;
      case expr_method::trim: {
        size_t b = 0, e = s.size();
        while (b < e && is_space(s[b])) ++b;
        while (e > b && is_space(s[e - 1])) --e;
        return s.substr(b, e - b);
      }
      case expr_method::split: {
        expr_value a = eval(*n.kids[1]);
        const std::string& sep = string_operand(*n.kids[1], a, what.c_str());
        expr_value out = expr_value::array();
        if (sep.empty()) {
          for (char c : s) out.push_back(std::string(1, c));
          return out;
        }
        size_t start = 0, pos;
        while ((pos = s.find(sep, start)) != std::string::npos) {
          out.push_back(s.substr(start, pos - start));
          start = pos + sep.size();
        }
        out.push_back(s.substr(start));
        return out;
      }
      case expr_method::replace: {
        expr_value a = eval(*n.kids[1]);
        expr_value b = eval(*n.kids[2]);
        replace_all(s, string_operand(*n.kids[1], a, what.c_str()),
                    string_operand(*n.kids[2], b, what.c_str()));
        return s;
      }
      default: break;
    }
    eval_fail(n, "unknown method");
  }
};

void collect_references(const expr_node& n, const expr_source& src, std::vector<expr_reference>& out) {
  if (n.kind == expr_kind::import_ref || n.kind == expr_kind::status_ref ||
      n.kind == expr_kind::env_ref) {
    expr_reference r;
    expr_error pos = src.error_at(n.offset, "");
    r.line = pos.line;
    r.column = pos.column;
    r.offset = n.offset;
    if (n.kind == expr_kind::import_ref) {
      r.kind = expr_reference_kind::import;
      r.task = n.a;
      r.name = n.b;
    } else if (n.kind == expr_kind::status_ref) {
      r.kind = expr_reference_kind::status;
      r.task = n.a;
      r.name = "status";
    } else {
      r.kind = expr_reference_kind::env;
      r.name = n.b;
    }
    out.push_back(std::move(r));
  }
  for (const auto& k : n.kids) collect_references(*k, src, out);
}

std::string format_number(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == std::floor(d) && std::fabs(d) < 9007199254740992.0) {
    if (d == 0) return "0";  // also -0
    return std::to_string(static_cast<long long>(d));
  }
  return expr_value(d).dump();
}

// Integral doubles become integers so that lists and maps print `[1]`, not `[1.0]`.
expr_value integral_copy(const expr_value& v) {
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d == std::floor(d) && std::fabs(d) < 9007199254740992.0) return static_cast<long long>(d);
    return v;
  }
  if (v.is_array()) {
    expr_value out = expr_value::array();
    for (const auto& x : v) out.push_back(integral_copy(x));
    return out;
  }
  if (v.is_object()) {
    expr_value out = expr_value::object();
    for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = integral_copy(it.value());
    return out;
  }
  return v;
}

// Parses [begin, end) of `text` into an expression sharing `source`.
std::shared_ptr<const expr> parse_range(std::string_view text, size_t begin, size_t end,
                                        const std::shared_ptr<const expr_source>& source) {
  parser p(text, begin, end);
  auto e = std::make_shared<expr>();
  e->root = p.parse_all();
  e->source = source;
  return e;
}

}  // namespace

// ---------------------------------------------------------------- public API

std::string expr_error::format() const {
  return "expression at " + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

expr_error expr_source::error_at(size_t offset, std::string message) const {
  auto it = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
  size_t line = static_cast<size_t>(it - line_starts.begin());  // >= 1
  expr_error e;
  e.line = static_cast<int>(line);
  e.column = static_cast<int>(offset - line_starts[line - 1] + 1);
  e.offset = offset;
  e.message = std::move(message);
  return e;
}

expr_parse_result parse_expression(std::string_view text) {
  expr_parse_result r;
  auto source = make_source(text);
  try {
    r.expression = parse_range(text, 0, text.size(), source);
  } catch (const parse_failure& f) {
    r.error = source->error_at(f.offset, f.message);
  }
  return r;
}

std::vector<expr_reference> references(const expr& e) {
  std::vector<expr_reference> out;
  if (e.root) collect_references(*e.root, *e.source, out);
  return out;
}

std::optional<std::string> map_expr_context::lookup(const std::string& task,
                                                    const std::string& variable) const {
  auto it = imports.find({task, variable});
  if (it == imports.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> map_expr_context::status(const std::string& task) const {
  auto it = statuses.find(task);
  if (it == statuses.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> map_expr_context::env(const std::string& name) const {
  auto it = envs.find(name);
  if (it == envs.end()) return std::nullopt;
  return it->second;
}

expr_eval_result evaluate(const expr& e, const expr_context& ctx) {
  expr_eval_result r;
  try {
    evaluator ev(ctx);
    r.value = ev.eval(*e.root);
  } catch (const eval_failure& f) {
    r.error = e.source->error_at(f.offset, f.message);
  }
  return r;
}

bool expr_truthy(const expr_value& v) {
  switch (v.type()) {
    case expr_value::value_t::null: return false;
    case expr_value::value_t::boolean: return v.get<bool>();
    case expr_value::value_t::string: return !v.get_ref<const std::string&>().empty();
    case expr_value::value_t::array:
    case expr_value::value_t::object: return !v.empty();
    default: {
      double d = v.get<double>();
      return d != 0 && !std::isnan(d);
    }
  }
}

std::string expr_to_string(const expr_value& v) {
  switch (v.type()) {
    case expr_value::value_t::null: return "";
    case expr_value::value_t::boolean: return v.get<bool>() ? "true" : "false";
    case expr_value::value_t::string: return v.get<std::string>();
    case expr_value::value_t::array:
    case expr_value::value_t::object: return json_text(integral_copy(v));
    default: return format_number(v.get<double>());
  }
}

expr_template_parse_result render_template(std::string_view text) {
  expr_template_parse_result r;
  auto source = make_source(text);
  auto t = std::make_shared<expr_template>();
  t->parts.reserve(4);
  try {
    size_t pos = 0;
    while (pos < text.size()) {
      size_t open = text.find("<+", pos);
      if (open == std::string_view::npos) open = text.size();
      if (open > pos) t->parts.push_back({std::string(text.substr(pos, open - pos)), nullptr});
      if (open == text.size()) break;
      // Find the closing `>`: depth 0, outside strings and quoted names, not `>=`.
      size_t i = open + 2, close = std::string_view::npos;
      int depth = 0;
      while (i < text.size()) {
        char c = text[i];
        if (c == '\'' || c == '"') {
          i = read_string(text, i, text.size(), nullptr);
          continue;
        }
        if (c == '`') {
          size_t j = text.find('`', i + 1);
          if (j == std::string_view::npos) fail(i, "unterminated quoted name: no closing `");
          i = j + 1;
          continue;
        }
        if (c == '(' || c == '[' || c == '{') ++depth;
        else if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
        else if (c == '>' && depth == 0) {
          if (i + 1 < text.size() && text[i + 1] == '=') {
            i += 2;
            continue;
          }
          close = i;
          break;
        }
        ++i;
      }
      if (close == std::string_view::npos)
        fail(open, "unterminated `<+` segment: no closing `>`");
      expr_template::part p;
      p.expression = parse_range(text, open + 2, close, source);
      t->parts.push_back(std::move(p));
      pos = close + 1;
    }
  } catch (const parse_failure& f) {
    r.error = source->error_at(f.offset, f.message);
    return r;
  }
  r.tmpl = std::move(t);
  return r;
}

std::vector<expr_reference> references(const expr_template& t) {
  std::vector<expr_reference> out;
  for (const auto& p : t.parts)
    if (p.expression) collect_references(*p.expression->root, *p.expression->source, out);
  return out;
}

expr_render_result render(const expr_template& t, const expr_context& ctx) {
  expr_render_result r;
  for (const auto& p : t.parts) {
    if (!p.expression) {
      r.text += p.text;
      continue;
    }
    expr_eval_result v = evaluate(*p.expression, ctx);
    if (!v.ok()) {
      r.error = std::move(v.error);
      r.text.clear();
      return r;
    }
    if (v.value.is_string())
      r.text += v.value.get_ref<const std::string&>();
    else
      r.text += expr_to_string(v.value);
  }
  return r;
}

}  // namespace runner
