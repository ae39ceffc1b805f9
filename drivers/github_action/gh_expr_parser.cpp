// Lexer and parser of `${{ }}` expressions. The lexer follows GitHub's
// LexicalAnalyzer token by token (what ends a number or a keyword, when `.`
// starts a number, when a keyword is a property, a literal, a function or a
// context), so the same texts are refused with the same "Unexpected symbol".
// The parser is recursive descent over GitHub's precedences:
// `.` `[]` > `!` > `< <= > >=` > `== !=` > `&&` > `||`.
#include <algorithm>
#include <array>

#include "drivers/github_action/gh_expr_internal.hpp"

namespace runner::gh::detail {

[[noreturn]] void fail(size_t offset, std::string message) {
  throw failure{offset, std::move(message)};
}

std::shared_ptr<const expr_source> make_source(std::string_view text) {
  auto s = std::make_shared<expr_source>();
  s->line_starts.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') s->line_starts.push_back(i + 1);
  return s;
}

namespace {

// ---------------------------------------------------------------- lexer

enum class tk : uint8_t {
  none,  // before the first token
  end,
  group_open, call_open, close_paren, open_bracket, close_bracket, comma, dot, star,
  op,       // ! != == < <= > >= && ||
  literal,  // null true false NaN Infinity, numbers, strings
  property, // a keyword right after `.`
  function, // a keyword followed by `(`
  named,    // any other keyword: a context
};

struct token {
  tk kind = tk::end;
  size_t offset = 0;
  std::string_view raw;
  value val;  // literal
};

// .NET's Char.IsWhiteSpace on ASCII.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// GitHub's TestTokenBoundary: what ends a number or a keyword.
bool is_boundary(char c) {
  switch (c) {
    case '(': case '[': case ')': case ']': case ',': case '.':
    case '!': case '>': case '<': case '=': case '&': case '|':
      return true;
    default:
      return is_space(c);
  }
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// ExpressionUtility.IsLegalKeyword: [A-Za-z_][A-Za-z0-9_-]*
bool is_legal_keyword(std::string_view s) {
  if (s.empty() || !(is_letter(s[0]) || s[0] == '_')) return false;
  return std::all_of(s.begin() + 1, s.end(),
                     [](char c) { return is_letter(c) || is_digit(c) || c == '_' || c == '-'; });
}

class lexer {
 public:
  lexer(std::string_view text, size_t begin, size_t end) : s_(text), i_(begin), end_(end) {}

  token next() {
    while (i_ < end_ && is_space(s_[i_])) ++i_;
    token t;
    t.offset = i_;
    if (i_ >= end_) {
      t.kind = tk::end;
      return t;
    }
    char c = s_[i_];
    switch (c) {
      case '(': t.kind = last_ == tk::function ? tk::call_open : tk::group_open; ++i_; break;
      case '[': t.kind = tk::open_bracket; ++i_; break;
      case ')': t.kind = tk::close_paren; ++i_; break;
      case ']': t.kind = tk::close_bracket; ++i_; break;
      case ',': t.kind = tk::comma; ++i_; break;
      case '*': t.kind = tk::star; ++i_; break;
      case '\'': read_string(t); break;
      case '!': case '>': case '<': case '=': case '&': case '|': read_operator(t); break;
      default:
        if (c == '.') {
          // After an operand `.` dereferences; elsewhere it starts a number (`.5`).
          if (last_ == tk::none || last_ == tk::comma || last_ == tk::group_open ||
              last_ == tk::call_open || last_ == tk::open_bracket || last_ == tk::op) {
            read_number(t);
          } else {
            t.kind = tk::dot;
            ++i_;
          }
        } else if (c == '-' || c == '+' || is_digit(c)) {
          read_number(t);
        } else {
          read_keyword(t);
        }
    }
    t.raw = s_.substr(t.offset, i_ - t.offset);
    last_ = t.kind;
    return t;
  }

 private:
  [[noreturn]] void unexpected(size_t start) {
    fail(start, "Unexpected symbol: '" + std::string(s_.substr(start, i_ - start)) + "'");
  }

  void read_string(token& t) {
    std::string str;
    ++i_;
    while (i_ < end_) {
      char c = s_[i_++];
      if (c == '\'') {
        if (i_ >= end_ || s_[i_] != '\'') {
          t.kind = tk::literal;
          t.val = std::move(str);
          return;
        }
        ++i_;  // '' is one quote
      }
      str.push_back(c);
    }
    unexpected(t.offset);  // not closed
  }

  void read_operator(token& t) {
    static constexpr std::array<std::string_view, 6> two{"!=", ">=", "<=", "==", "&&", "||"};
    std::string_view rest = s_.substr(i_, end_ - i_);
    for (std::string_view op : two) {
      if (rest.substr(0, 2) == op) {
        t.kind = tk::op;
        i_ += 2;
        return;
      }
    }
    char c = s_[i_++];
    if (c == '!' || c == '>' || c == '<') {
      t.kind = tk::op;
      return;
    }
    while (i_ < end_ && !is_boundary(s_[i_])) ++i_;  // a lone `=`, `&` or `|`
    unexpected(t.offset);
  }

  void read_number(token& t) {
    ++i_;
    while (i_ < end_ && (!is_boundary(s_[i_]) || s_[i_] == '.')) ++i_;
    double d = parse_number(s_.substr(t.offset, i_ - t.offset));
    if (d != d) unexpected(t.offset);  // NaN: not a number
    t.kind = tk::literal;
    t.val = d;
  }

  void read_keyword(token& t) {
    ++i_;
    while (i_ < end_ && !is_boundary(s_[i_])) ++i_;
    std::string_view word = s_.substr(t.offset, i_ - t.offset);
    if (!is_legal_keyword(word)) unexpected(t.offset);
    if (last_ == tk::dot) {
      t.kind = tk::property;  // `a.true` is the property "true"
      return;
    }
    t.kind = tk::literal;
    if (word == "null") return;
    if (word == "true" || word == "false") {
      t.val = word == "true";
      return;
    }
    if (word == "NaN" || word == "Infinity") {
      t.val = parse_number(word);
      return;
    }
    size_t j = i_;
    while (j < end_ && is_space(s_[j])) ++j;
    t.kind = j < end_ && s_[j] == '(' ? tk::function : tk::named;
  }

  std::string_view s_;
  size_t i_;
  size_t end_;
  tk last_ = tk::none;
};

// ---------------------------------------------------------------- parser

struct function_info {
  std::string_view name;
  function fn;
  size_t min_args;
  size_t max_args;
};

// ExpressionConstants.WellKnownFunctions plus the runner's own.
constexpr std::array<function_info, 12> functions{{
    {"contains", function::contains, 2, 2},
    {"startsWith", function::starts_with, 2, 2},
    {"endsWith", function::ends_with, 2, 2},
    {"format", function::format, 1, 255},
    {"join", function::join, 1, 2},
    {"toJSON", function::to_json, 1, 1},
    {"fromJSON", function::from_json, 1, 1},
    {"hashFiles", function::hash_files, 1, 255},
    {"success", function::success, 0, 0},
    {"failure", function::failure, 0, 0},
    {"always", function::always, 0, 0},
    {"cancelled", function::cancelled, 0, 0},
}};

using node_ptr = std::unique_ptr<node>;

node_ptr make(node_kind kind, size_t offset) {
  auto n = std::make_unique<node>();
  n->kind = kind;
  n->offset = static_cast<uint32_t>(offset);
  return n;
}

class parser {
 public:
  parser(std::string_view text, size_t begin, size_t end) : lex_(text, begin, end) {
    tok_ = lex_.next();
  }

  node_ptr parse() {
    node_ptr n = parse_or();
    if (tok_.kind != tk::end) unexpected();
    return n;
  }

 private:
  // Counts nesting so that `((((...` or `!!!!...` is refused before the
  // recursion gets deep; any such nesting is also a level of the tree.
  struct nesting {
    explicit nesting(parser& p) : p_(p) {
      if (++p_.depth_ > max_depth) too_deep(p_.tok_.offset);
    }
    ~nesting() { --p_.depth_; }
    parser& p_;
  };

  void advance() {
    last_raw_ = tok_.raw;
    last_offset_ = tok_.offset;
    tok_ = lex_.next();
  }

  [[noreturn]] void unexpected() {
    if (tok_.kind == tk::end)
      fail(last_offset_, "Unexpected end of expression: '" + std::string(last_raw_) + "'");
    fail(tok_.offset, "Unexpected symbol: '" + std::string(tok_.raw) + "'");
  }

  void expect(tk kind) {
    if (tok_.kind != kind) unexpected();
    advance();
  }

  bool at_op(std::string_view op) const { return tok_.kind == tk::op && tok_.raw == op; }

  // GitHub keeps `a && b && c` as one node with three operands.
  node_ptr parse_or() {
    nesting guard(*this);
    return parse_logical("||", node_kind::logical_or, &parser::parse_and);
  }
  node_ptr parse_and() { return parse_logical("&&", node_kind::logical_and, &parser::parse_eq); }

  node_ptr parse_logical(std::string_view op, node_kind kind, node_ptr (parser::*operand)()) {
    node_ptr first = (this->*operand)();
    if (!at_op(op)) return first;
    node_ptr n = make(kind, tok_.offset);
    auto add = [&](node_ptr kid) {
      if (kid->kind == kind) {
        for (auto& k : kid->kids) n->kids.push_back(std::move(k));
      } else {
        n->kids.push_back(std::move(kid));
      }
    };
    add(std::move(first));
    while (at_op(op)) {
      advance();
      add((this->*operand)());
    }
    return n;
  }

  // A chain longer than the depth limit is a tree deeper than it: refused
  // here already, so no deep tree is ever built.
  void count_link(int& links) {
    if (++links > max_depth) too_deep(tok_.offset);
  }

  node_ptr parse_eq() {
    node_ptr left = parse_cmp();
    int links = 0;
    while (at_op("==") || at_op("!=")) {
      count_link(links);
      node_ptr n = make(tok_.raw == "==" ? node_kind::eq : node_kind::ne, tok_.offset);
      advance();
      n->kids.push_back(std::move(left));
      n->kids.push_back(parse_cmp());
      left = std::move(n);
    }
    return left;
  }

  node_ptr parse_cmp() {
    node_ptr left = parse_unary();
    int links = 0;
    while (at_op("<") || at_op("<=") || at_op(">") || at_op(">=")) {
      count_link(links);
      node_kind kind = tok_.raw == "<"    ? node_kind::lt
                       : tok_.raw == "<=" ? node_kind::le
                       : tok_.raw == ">"  ? node_kind::gt
                                          : node_kind::ge;
      node_ptr n = make(kind, tok_.offset);
      advance();
      n->kids.push_back(std::move(left));
      n->kids.push_back(parse_unary());
      left = std::move(n);
    }
    return left;
  }

  node_ptr parse_unary() {
    if (!at_op("!")) return parse_postfix();
    nesting guard(*this);
    node_ptr n = make(node_kind::logical_not, tok_.offset);
    advance();
    n->kids.push_back(parse_unary());
    return n;
  }

  // Literals take no `.` or `[]` (GitHub: "Unexpected symbol").
  node_ptr parse_postfix() {
    bool is_literal = tok_.kind == tk::literal;
    node_ptr n = parse_primary();
    if (is_literal) return n;
    int links = 0;
    for (;;) {
      if (tok_.kind == tk::dot || tok_.kind == tk::open_bracket) count_link(links);
      if (tok_.kind == tk::dot) {
        size_t at = tok_.offset;
        advance();
        if (tok_.kind == tk::star) {
          n = wrap(node_kind::wildcard, at, std::move(n));
          advance();
        } else if (tok_.kind == tk::property) {
          node_ptr key = make(node_kind::literal, tok_.offset);
          key->literal = std::string(tok_.raw);
          n = wrap(node_kind::index, at, std::move(n));
          n->kids.push_back(std::move(key));
          advance();
        } else {
          unexpected();
        }
      } else if (tok_.kind == tk::open_bracket) {
        size_t at = tok_.offset;
        advance();
        if (tok_.kind == tk::star) {
          advance();
          n = wrap(node_kind::wildcard, at, std::move(n));
        } else {
          node_ptr key = parse_or();
          n = wrap(node_kind::index, at, std::move(n));
          n->kids.push_back(std::move(key));
        }
        expect(tk::close_bracket);
      } else {
        return n;
      }
    }
  }

  static node_ptr wrap(node_kind kind, size_t offset, node_ptr kid) {
    node_ptr n = make(kind, offset);
    n->kids.push_back(std::move(kid));
    return n;
  }

  node_ptr parse_primary() {
    switch (tok_.kind) {
      case tk::literal: {
        node_ptr n = make(node_kind::literal, tok_.offset);
        n->literal = std::move(tok_.val);
        advance();
        return n;
      }
      case tk::named: {
        node_ptr n = make(node_kind::context, tok_.offset);
        n->name = std::string(tok_.raw);
        advance();
        return n;
      }
      case tk::function:
        return parse_call();
      case tk::group_open: {
        advance();
        node_ptr n = parse_or();
        expect(tk::close_paren);
        return n;
      }
      default:
        unexpected();
    }
  }

  node_ptr parse_call() {
    auto info = std::find_if(functions.begin(), functions.end(),
                             [&](const function_info& f) { return iequals(f.name, tok_.raw); });
    if (info == functions.end())
      fail(tok_.offset, "Unrecognized function: '" + std::string(tok_.raw) + "'");
    node_ptr n = make(node_kind::call, tok_.offset);
    n->fn = info->fn;
    n->name = std::string(tok_.raw);
    advance();
    expect(tk::call_open);
    if (tok_.kind != tk::close_paren) {
      for (;;) {
        n->kids.push_back(parse_or());
        if (tok_.kind != tk::comma) break;
        advance();
      }
    }
    // Counted at the `)`, before anything after it is read, as GitHub does.
    if (tok_.kind != tk::close_paren) unexpected();
    if (n->kids.size() < info->min_args) fail(n->offset, "Too few parameters supplied: '" + n->name + "'");
    if (n->kids.size() > info->max_args) fail(n->offset, "Too many parameters supplied: '" + n->name + "'");
    advance();
    return n;
  }

  [[noreturn]] static void too_deep(size_t offset) {
    fail(offset, "Exceeded max expression depth " + std::to_string(max_depth));
  }

  lexer lex_;
  token tok_;
  std::string_view last_raw_;
  size_t last_offset_ = 0;
  int depth_ = 0;
};

// Iterative, so a long `a.b.c...` chain cannot exhaust the stack.
int tree_depth(const node& root) {
  int deepest = 0;
  std::vector<std::pair<const node*, int>> todo{{&root, 1}};
  while (!todo.empty()) {
    auto [n, d] = todo.back();
    todo.pop_back();
    deepest = std::max(deepest, d);
    for (const auto& k : n->kids) todo.push_back({k.get(), d + 1});
  }
  return deepest;
}

}  // namespace

std::unique_ptr<const node> parse_range(std::string_view text, size_t begin, size_t end) {
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  if (begin == end) fail(begin, "An expression was expected");
  if (end - begin > max_length)
    fail(begin, "Exceeded max expression length " + std::to_string(max_length));
  node_ptr n = parser(text, begin, end).parse();
  if (tree_depth(*n) > max_depth)
    fail(begin, "Exceeded max expression depth " + std::to_string(max_depth));
  return n;
}

bool calls_status_function(const node& n) {
  if (n.kind == node_kind::call &&
      (n.fn == function::success || n.fn == function::failure || n.fn == function::always ||
       n.fn == function::cancelled))
    return true;
  return std::any_of(n.kids.begin(), n.kids.end(),
                     [](const auto& k) { return calls_status_function(*k); });
}

}  // namespace runner::gh::detail
