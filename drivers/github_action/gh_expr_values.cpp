// GitHub's value rules: kinds, truthiness, conversion to number and string,
// loose comparison (EvaluationResult.cs: CoerceTypes, AbstractEqual...), the
// number syntax (ExpressionUtility.ParseNumber), .NET's "G15" printing and
// toJSON's layout (Functions/ToJson.cs).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

#include "drivers/github_action/gh_expr_internal.hpp"

namespace runner::gh {

namespace detail {

kind kind_of(const value& v) {
  switch (v.type()) {
    case value::value_t::boolean: return kind::boolean;
    case value::value_t::number_integer:
    case value::value_t::number_unsigned:
    case value::value_t::number_float: return kind::number;
    case value::value_t::string: return kind::string;
    case value::value_t::array: return kind::array;
    case value::value_t::object:
    case value::value_t::binary: return kind::object;
    default: return kind::null;  // null, discarded
  }
}

const char* kind_name(kind k) {
  switch (k) {
    case kind::null: return "Null";
    case kind::boolean: return "Boolean";
    case kind::number: return "Number";
    case kind::string: return "String";
    case kind::array: return "Array";
    default: return "Object";
  }
}

bool is_primitive(const value& v) {
  kind k = kind_of(v);
  return k != kind::array && k != kind::object;
}

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

int hex_digit(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// .NET Double.TryParse with AllowLeadingSign | AllowDecimalPoint |
// AllowExponent: [+-]digits[.digits][(e|E)[+-]digits], a dot-only side may be
// empty (".5", "5."). Since .NET Core 3.0 also "Infinity"/"NaN", any case.
bool parse_decimal(std::string_view s, double& out) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  std::string_view body = s.substr(i);
  if (iequals(body, "Infinity")) {
    out = negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (iequals(body, "NaN")) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  if (i != s.size()) return false;
  // from_chars takes no '+' and no locale, unlike strtod.
  std::string_view number = s[0] == '+' ? s.substr(1) : s;
  auto r = std::from_chars(number.data(), number.data() + number.size(), out);
  if (r.ec == std::errc::result_out_of_range) {
    // Like .NET Core: too big is infinite, too small is zero. Which one: the
    // decimal exponent of the first significant digit.
    size_t e = body.find_first_of("eE");
    long exponent = 0;
    if (e != std::string_view::npos) {
      std::string_view ex = body.substr(e + 1);
      if (!ex.empty() && ex[0] == '+') ex.remove_prefix(1);
      if (std::from_chars(ex.data(), ex.data() + ex.size(), exponent).ec != std::errc())
        exponent = ex[0] == '-' ? -1000000 : 1000000;  // beyond any double either way
    }
    std::string_view mantissa = body.substr(0, e);
    size_t dot = std::min(mantissa.find('.'), mantissa.size());
    size_t first = mantissa.find_first_of("123456789");  // zero is never out of range
    long lead = first < dot ? static_cast<long>(dot - first) - 1 : -static_cast<long>(first - dot);
    out = exponent + lead > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    if (negative) out = -out;
    return true;
  }
  return r.ec == std::errc() && r.ptr == number.data() + number.size();
}

// Int32.TryParse(hex) / Convert.ToInt32(s, 8): 32 bits, the top one the sign.
double int32_from(uint64_t bits) {
  return static_cast<double>(static_cast<int32_t>(static_cast<uint32_t>(bits)));
}

}  // namespace

double parse_number(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  if (s.empty()) return 0;
  double d = 0;
  if (parse_decimal(s, d)) return d;
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    int base = s[1] == 'x' ? 16 : 8;
    uint64_t bits = 0;
    for (char c : s.substr(2)) {
      int digit = hex_digit(c);
      if (digit < 0 || digit >= base) return nan;
      bits = bits * base + digit;
      if (bits > 0xFFFFFFFFu) return nan;  // more than 32 bits
    }
    return int32_from(bits);
  }
  return nan;
}

std::string format_number(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";  // -0 too
  // "G15": 15 significant digits, no trailing zeros, scientific below 1E-05
  // and from 1E+15, exponent with a sign and at least two digits: the same
  // rules as printf's %.15G, here without the locale.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::general, 15);
  std::string s(buf, r.ptr);
  for (char& c : s)
    if (c == 'e') c = 'E';
  return s;
}

double to_number(const value& v) {
  switch (kind_of(v)) {
    case kind::null: return 0;
    case kind::boolean: return v.get<bool>() ? 1 : 0;
    case kind::number: return v.get<double>();
    case kind::string: return parse_number(v.get_ref<const std::string&>());
    default: return std::numeric_limits<double>::quiet_NaN();
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (upper(a[i]) != upper(b[i])) return false;
  return true;
}

// Upper-casing, as .NET does, so that '_' sorts after letters.
int icompare(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    auto x = static_cast<unsigned char>(upper(a[i]));
    auto y = static_cast<unsigned char>(upper(b[i]));
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : a.size() < b.size() ? -1 : 1;
}

size_t ifind(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return std::string_view::npos;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i)
    if (iequals(haystack.substr(i, needle.size()), needle)) return i;
  return std::string_view::npos;
}

const value* find_property(const value& obj, std::string_view key, bool exact) {
  auto it = obj.find(std::string(key));
  if (it != obj.end()) return &*it;
  if (exact) return nullptr;
  for (auto i = obj.begin(); i != obj.end(); ++i)
    if (iequals(i.key(), key)) return &*i;
  return nullptr;
}

namespace {

// One side of a comparison after coercion.
struct operand {
  kind k;
  const value* v;
  double num = 0;
};

operand operand_of(const value& v) {
  operand o{kind_of(v), &v};
  if (o.k == kind::number) o.num = v.get<double>();
  return o;
}

void to_number_operand(operand& o) {
  o.num = to_number(*o.v);
  o.k = kind::number;
}

// CoerceTypes: number vs string compares as numbers; a bool or a null on
// either side becomes a number, and the coercion starts again. Objects and
// arrays are never coerced.
void coerce(operand& l, operand& r) {
  for (;;) {
    if (l.k == r.k) return;
    if (l.k == kind::number && r.k == kind::string) return to_number_operand(r);
    if (l.k == kind::string && r.k == kind::number) return to_number_operand(l);
    if (l.k == kind::boolean || l.k == kind::null) {
      to_number_operand(l);
    } else if (r.k == kind::boolean || r.k == kind::null) {
      to_number_operand(r);
    } else {
      return;
    }
  }
}

const std::string& str(const operand& o) { return o.v->get_ref<const std::string&>(); }

}  // namespace

bool loose_equal(const value& a, const value& b, bool same) {
  operand l = operand_of(a), r = operand_of(b);
  coerce(l, r);
  if (l.k != r.k) return false;
  switch (l.k) {
    case kind::null: return true;
    case kind::number: return l.num == r.num;  // false for NaN
    case kind::string: return iequals(str(l), str(r));
    case kind::boolean: return l.v->get<bool>() == r.v->get<bool>();
    default: return same;  // objects and arrays: the same instance only
  }
}

bool loose_greater(const value& a, const value& b) {
  operand l = operand_of(a), r = operand_of(b);
  coerce(l, r);
  if (l.k != r.k) return false;
  switch (l.k) {
    case kind::number: return l.num > r.num;
    case kind::string: return icompare(str(l), str(r)) > 0;
    case kind::boolean: return l.v->get<bool>() && !r.v->get<bool>();
    default: return false;
  }
}

bool loose_less(const value& a, const value& b) { return loose_greater(b, a); }

}  // namespace detail

using namespace detail;

bool truthy(const value& v) {
  switch (kind_of(v)) {
    case kind::null: return false;
    case kind::boolean: return v.get<bool>();
    case kind::number: {
      double d = v.get<double>();
      return d != 0 && !std::isnan(d);
    }
    case kind::string: return !v.get_ref<const std::string&>().empty();
    default: return true;
  }
}

std::string to_string(const value& v) {
  switch (kind_of(v)) {
    case kind::null: return "";
    case kind::boolean: return v.get<bool>() ? "true" : "false";
    case kind::number: return format_number(v.get<double>());
    case kind::string: return v.get<std::string>();
    default: return kind_name(kind_of(v));
  }
}

namespace {

// A JSON string as Newtonsoft writes it by default: `"` `\` and control
// characters escaped (\b \t \n \f \r, else \u00xx), and U+0085, U+2028,
// U+2029; everything else as is.
void quote(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) {
          out += "\\u0085";
          i += 1;
        } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
                    static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
          out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void newline(std::string& out, int level) {
  out += '\n';
  out.append(static_cast<size_t>(level) * 2, ' ');
}

void write_json(std::string& out, const value& v, int level) {
  switch (kind_of(v)) {
    case kind::array: {
      if (v.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      bool first = true;
      for (const value& item : v) {
        if (!first) out += ',';
        first = false;
        newline(out, level + 1);
        write_json(out, item, level + 1);
      }
      newline(out, level);
      out += ']';
      return;
    }
    case kind::object: {
      if (v.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ',';
        first = false;
        newline(out, level + 1);
        quote(out, it.key());
        out += ": ";
        write_json(out, *it, level + 1);
      }
      newline(out, level);
      out += '}';
      return;
    }
    case kind::null: out += "null"; return;
    case kind::string: quote(out, v.get_ref<const std::string&>()); return;
    default: out += to_string(v); return;  // numbers as GitHub prints them, even NaN
  }
}

}  // namespace

std::string to_json(const value& v) {
  std::string out;
  write_json(out, v, 0);
  return out;
}

}  // namespace runner::gh
