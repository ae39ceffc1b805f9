// Evaluation of a parsed expression: operators, property access with object
// filters (Operators/Index.cs) and the functions (Sdk/Functions/*.cs). Values
// are read in place where they live (contexts, the tree) and only copied when
// a result is new, so that `==` can tell one object from an equal copy, as
// GitHub's reference equality does. Arguments are evaluated when and only
// when GitHub's functions evaluate them, so the same errors surface.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "drivers/github_action/gh_expr_internal.hpp"

namespace runner::gh::detail {

namespace {

const value k_null;
const value k_true = true;
const value k_false = false;

// A value during evaluation.
struct val {
  const value* v = &k_null;
  std::shared_ptr<const value> keep;  // owns *v (or what contains it) when it is new
  bool exact_keys = false;            // an object whose properties match exactly (env)
  bool filtered = false;              // made by `*`: an index applies to each element
};

val own(value x, bool filtered = false) {
  auto p = std::make_shared<const value>(std::move(x));
  val r;
  r.v = p.get();
  r.keep = std::move(p);
  r.filtered = filtered;
  return r;
}

val child(const val& parent, const value& c) {
  val r;
  r.v = &c;
  r.keep = parent.keep;
  return r;
}

val boolean(bool b) {
  val r;
  r.v = b ? &k_true : &k_false;
  return r;
}

bool is_collection(const value& v) { return v.is_array() || v.is_object(); }

// IndexHelper: an array index is a number >= 0, floored, within Int32.
std::optional<size_t> integer_index(const value& key) {
  double d = to_number(key);
  if (std::isnan(d) || d < 0) return std::nullopt;
  d = std::floor(d);
  if (d > static_cast<double>(std::numeric_limits<int32_t>::max())) return std::nullopt;
  return static_cast<size_t>(d);
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

class evaluator {
 public:
  explicit evaluator(const eval_context& ctx) : ctx_(ctx) {}

  val eval(const node& n) {
    switch (n.kind) {
      case node_kind::literal: {
        val r;
        r.v = &n.literal;
        return r;
      }
      case node_kind::context: {
        val r;
        r.v = ctx_.context(n.name);
        if (!r.v) fail(n.offset, "Unrecognized named-value: '" + n.name + "'");
        r.exact_keys = ctx_.case_sensitive(n.name);
        return r;
      }
      case node_kind::index: return index(n);
      case node_kind::wildcard: return wildcard(n);
      case node_kind::logical_not: return boolean(!truthy(*eval(*n.kids[0]).v));
      case node_kind::eq:
      case node_kind::ne:
      case node_kind::lt:
      case node_kind::le:
      case node_kind::gt:
      case node_kind::ge: return compare(n);
      case node_kind::logical_and:
      case node_kind::logical_or: {
        // The first operand that decides, or the last one: a value, not a bool.
        bool want = n.kind == node_kind::logical_or;
        val r;
        for (const auto& k : n.kids) {
          r = eval(*k);
          if (truthy(*r.v) == want) return r;
        }
        return r;
      }
      case node_kind::call: return call(n);
    }
    return val{};
  }

 private:
  val compare(const node& n) {
    val a = eval(*n.kids[0]);
    val b = eval(*n.kids[1]);
    bool same = a.v == b.v;
    bool eq = loose_equal(*a.v, *b.v, same);
    switch (n.kind) {
      case node_kind::eq: return boolean(eq);
      case node_kind::ne: return boolean(!eq);
      case node_kind::lt: return boolean(loose_less(*a.v, *b.v));
      case node_kind::le: return boolean(eq || loose_less(*a.v, *b.v));
      case node_kind::gt: return boolean(loose_greater(*a.v, *b.v));
      default: return boolean(eq || loose_greater(*a.v, *b.v));
    }
  }

  // `a.b`, `a['b']`, `a[0]`: a missing property, an index out of range or
  // anything on a non-collection is null, never an error.
  val index(const node& n) {
    val obj = eval(*n.kids[0]);
    if (!is_collection(*obj.v)) return val{};  // the key is not even evaluated
    val key = eval(*n.kids[1]);
    bool has_string = is_primitive(*key.v);
    std::string name = has_string ? to_string(*key.v) : std::string();
    std::optional<size_t> at = integer_index(*key.v);
    if (obj.filtered) {
      // `a.*.b`: b of each element that has one; the others are left out.
      value out = value::array();
      for (const value& item : *obj.v) {
        if (item.is_object() && has_string) {
          if (const value* p = find_property(item, name, false)) out.push_back(*p);
        } else if (item.is_array() && at && *at < item.size()) {
          out.push_back(item[*at]);
        }
      }
      return own(std::move(out), true);
    }
    if (obj.v->is_object()) {
      const value* p = has_string ? find_property(*obj.v, name, obj.exact_keys) : nullptr;
      return p ? child(obj, *p) : val{};
    }
    if (at && *at < obj.v->size()) return child(obj, (*obj.v)[*at]);
    return val{};
  }

  // `a.*`: the values of an object or the elements of an array; on a filtered
  // array those of each element (one level flatter); on anything else [].
  val wildcard(const node& n) {
    val obj = eval(*n.kids[0]);
    value out = value::array();
    auto add_all = [&](const value& c) {
      if (is_collection(c))
        for (const value& x : c) out.push_back(x);
    };
    if (obj.filtered) {
      for (const value& item : *obj.v) add_all(item);
    } else {
      add_all(*obj.v);
    }
    return own(std::move(out), true);
  }

  val call(const node& n) {
    switch (n.fn) {
      case function::contains: return contains(n);
      case function::starts_with:
      case function::ends_with: return affix(n);
      case function::format: return own(format(n));
      case function::join: return own(join(n));
      case function::to_json: return own(to_json(*eval(*n.kids[0]).v));
      case function::from_json: return own(from_json(n));
      case function::hash_files: fail(n.offset, "hashFiles is not supported by this runner");
      case function::success: return boolean(ctx_.status() == run_status::success);
      case function::failure: return boolean(ctx_.status() == run_status::failure);
      case function::cancelled: return boolean(ctx_.status() == run_status::cancelled);
      case function::always: return boolean(true);
    }
    return val{};
  }

  // contains(search, item): a substring of a primitive, ignoring case, or an
  // element of an array that `==` item; false for anything else.
  val contains(const node& n) {
    val search = eval(*n.kids[0]);
    if (is_primitive(*search.v)) {
      val item = eval(*n.kids[1]);
      if (!is_primitive(*item.v)) return boolean(false);
      return boolean(ifind(to_string(*search.v), to_string(*item.v)) != std::string_view::npos);
    }
    if (search.v->is_array() && !search.v->empty()) {
      val item = eval(*n.kids[1]);
      for (const value& x : *search.v)
        if (loose_equal(*item.v, x, item.v == &x)) return boolean(true);
    }
    return boolean(false);
  }

  val affix(const node& n) {
    val s = eval(*n.kids[0]);
    if (!is_primitive(*s.v)) return boolean(false);
    val a = eval(*n.kids[1]);
    if (!is_primitive(*a.v)) return boolean(false);
    std::string text = to_string(*s.v), part = to_string(*a.v);
    return boolean(n.fn == function::starts_with ? istarts_with(text, part) : iends_with(text, part));
  }

  // join(array, separator = ','): elements as strings; a primitive is its own
  // string; an object ''. A separator that is not a primitive is ','.
  value join(const node& n) {
    val items = eval(*n.kids[0]);
    if (items.v->is_array() && !items.v->empty()) {
      std::string out = to_string((*items.v)[0]);
      if (items.v->size() > 1) {
        std::string separator = ",";
        if (n.kids.size() > 1) {
          val s = eval(*n.kids[1]);
          if (is_primitive(*s.v)) separator = to_string(*s.v);
        }
        for (size_t i = 1; i < items.v->size(); ++i) out += separator + to_string((*items.v)[i]);
      }
      return out;
    }
    return is_primitive(*items.v) ? to_string(*items.v) : std::string();
  }

  // format(fmt, args...): Functions/Format.cs. The whole format string is
  // checked before any argument is evaluated; `{N:spec}` parses but any
  // specifier fails, as GitHub has none for its value kinds.
  std::string format(const node& n) {
    std::string fmt = to_string(*eval(*n.kids[0]).v);
    size_t args = n.kids.size() - 1;
    auto invalid = [&] { fail(n.offset, "The following format string is invalid: " + fmt); };
    auto at = [&](size_t i) { return i < fmt.size() ? fmt[i] : '\0'; };
    struct piece {
      std::string text;
      size_t arg = SIZE_MAX;  // SIZE_MAX: text
      std::string spec = {};
    };
    std::vector<piece> pieces;
    size_t i = 0;
    while (i < fmt.size()) {
      size_t lbrace = fmt.find('{', i);
      size_t rbrace = fmt.find('}', i);
      if (lbrace != std::string::npos && (rbrace == std::string::npos || rbrace > lbrace)) {
        if (at(lbrace + 1) == '{') {  // {{
          pieces.push_back({fmt.substr(i, lbrace - i + 1)});
          i = lbrace + 2;
          continue;
        }
        // An index is one byte (0-255, leading zeros allowed), then '}' or
        // ':spec}' with '}}' for a '}' in spec.
        if (rbrace == std::string::npos || rbrace <= lbrace + 1) invalid();
        size_t j = lbrace + 1;
        size_t arg = 0;
        for (; at(j) >= '0' && at(j) <= '9'; ++j) arg = std::min<size_t>(arg * 10 + (at(j) - '0'), 256);
        if (j == lbrace + 1 || arg > 255) invalid();
        std::string spec;
        if (at(j) == ':') {
          for (++j;; ++j) {
            if (j >= fmt.size()) invalid();
            if (fmt[j] != '}') {
              spec += fmt[j];
            } else if (at(j + 1) == '}') {
              spec += '}';
              ++j;
            } else {
              break;
            }
          }
        } else if (at(j) != '}') {
          invalid();
        }
        if (arg >= args)
          fail(n.offset, "The following format string references more arguments than were supplied: " + fmt);
        if (lbrace > i) pieces.push_back({fmt.substr(i, lbrace - i)});
        pieces.push_back({"", arg, spec});
        i = j + 1;
      } else if (rbrace != std::string::npos) {
        if (at(rbrace + 1) != '}') invalid();
        pieces.push_back({fmt.substr(i, rbrace - i + 1)});  // }}
        i = rbrace + 2;
      } else {
        pieces.push_back({fmt.substr(i)});
        break;
      }
    }
    std::vector<std::optional<val>> cache(args);
    std::string out;
    for (const piece& p : pieces) {
      if (p.arg == SIZE_MAX) {
        out += p.text;
        continue;
      }
      if (!cache[p.arg]) cache[p.arg] = eval(*n.kids[p.arg + 1]);
      const value& v = *cache[p.arg]->v;
      if (!p.spec.empty())
        fail(n.offset, "The format specifiers '" + p.spec + "' are not valid for objects of type '" +
                           kind_name(kind_of(v)) + "'");
      out += to_string(v);
    }
    return out;
  }

  // fromJSON: strict JSON, nested at most 64 deep like Newtonsoft's reader.
  value from_json(const node& n) {
    std::string text = to_string(*eval(*n.kids[0]).v);
    constexpr int max_json_depth = 64;
    bool too_deep = false;
    auto limit = [&](int depth, value::parse_event_t event, value&) {
      if ((event == value::parse_event_t::object_start || event == value::parse_event_t::array_start) &&
          depth >= max_json_depth)
        too_deep = true;
      return !too_deep;
    };
    try {
      value v = value::parse(text, limit);
      if (too_deep)
        fail(n.offset, "fromJSON: the JSON is nested deeper than " + std::to_string(max_json_depth));
      return v;
    } catch (const value::exception& e) {
      std::string what = e.what();
      size_t cut = what.find("] ");  // drop nlohmann's "[json.exception.parse_error.101] "
      fail(n.offset, "fromJSON: not valid JSON: " + (cut == std::string::npos ? what : what.substr(cut + 2)));
    }
  }

  const eval_context& ctx_;
};

}  // namespace

void check_contexts(const node& n, const eval_context& ctx) {
  if (n.kind == node_kind::context && !ctx.context(n.name))
    fail(n.offset, "Unrecognized named-value: '" + n.name + "'");
  for (const auto& k : n.kids) check_contexts(*k, ctx);
}

value evaluate_node(const node& n, const eval_context& ctx) {
  evaluator e(ctx);
  return *e.eval(n).v;
}

}  // namespace runner::gh::detail
