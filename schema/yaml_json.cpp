#include "schema/yaml_json.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <set>

#include "schema/yaml_source.hpp"

namespace runner {

namespace {

bool all_of(const std::string& s, size_t from, const char* allowed) {
  return from < s.size() && s.find_first_not_of(allowed, from) == std::string::npos;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool looks_like_float(const std::string& s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = 0;
  while (i < s.size() && isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0)
    return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!all_of(s, i, "0123456789"))
      return false;
    return true;
  }
  return i == s.size();
}

// Numbers too large for 64 bits stay strings: they are ids, not arithmetic.
json integer(const std::string& s, size_t digits_from, int base, bool negative) {
  errno = 0;
  char* end = nullptr;
  const char* start = s.c_str() + digits_from;
  unsigned long long v = std::strtoull(start, &end, base);
  if (errno == ERANGE || *end != '\0')
    return s;
  if (negative) {
    if (v > 9223372036854775808ULL)
      return s;
    return v == 9223372036854775808ULL ? json(INT64_MIN) : json(-static_cast<int64_t>(v));
  }
  if (v <= static_cast<unsigned long long>(INT64_MAX))
    return json(static_cast<int64_t>(v));
  return json(static_cast<uint64_t>(v));
}

}  // namespace

json plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
    return nullptr;
  if (s == "true" || s == "True" || s == "TRUE")
    return true;
  if (s == "false" || s == "False" || s == "FALSE")
    return false;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x' && all_of(s, 2, "0123456789abcdefABCDEF"))
    return integer(s, 2, 16, false);
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o' && all_of(s, 2, "01234567"))
    return integer(s, 2, 8, false);
  size_t sign = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (all_of(s, sign, "0123456789"))
    return integer(s, sign, 10, s[0] == '-');
  // .inf and .nan have no JSON form: they stay strings.
  if (looks_like_float(s)) {
    errno = 0;
    double d = std::strtod(s.c_str(), nullptr);
    if (errno != ERANGE)
      return d;
  }
  return s;
}

std::string json_pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

namespace {

class converter {
 public:
  converter(std::vector<source_map::value_type>& marks, const yaml_json_context& ctx)
      : marks_(marks), ctx_(ctx) {}

  json convert(yaml_node node, const std::string& pointer, source_mark mark) {
    if (ctx_.budget == 0)
      return nullptr;
    if (--ctx_.budget == 0) {
      ctx_.out.push_back({ctx_.file, mark,
                          "the specs of this document hold more than " +
                              std::to_string(kMaxSpecNodes) + " values",
                          "YAML aliases (`*name`) can multiply a small document; "
                          "use fewer of them or split the group"});
      return nullptr;
    }
    marks_.emplace_back(pointer, mark);
    switch (node.kind()) {
      case yaml_kind::map:
      case yaml_kind::sequence: {
        // `&a [1, *a]` is a list that holds itself: its JSON would never end.
        if (std::find(open_.begin(), open_.end(), node) != open_.end()) {
          ctx_.out.push_back({ctx_.file, mark, "an alias repeats a mapping or list inside itself",
                              "`*name` within the node anchored as `&name` would repeat it "
                              "without end; remove the alias or move the anchor"});
          return nullptr;
        }
        open_.push_back(node);
        json j = node.is_map() ? object(node, pointer) : array(node, pointer, mark);
        open_.pop_back();
        return j;
      }
      case yaml_kind::scalar:
        // Of explicit tags, !!str means "as written"; !!int, !!bool... type it.
        if (node.style() == yaml_style::plain || node.style() == yaml_style::typed_tag)
          return plain_scalar(node.scalar());
        return node.scalar();
      case yaml_kind::null:
        break;
    }
    return nullptr;
  }

 private:
  json object(yaml_node node, const std::string& pointer) {
    json obj = json::object();
    std::set<std::string> seen;
    for (auto [key, value] : node.entries()) {
      source_mark key_mark = mark_of(key, ctx_.text);
      if (!key.is_scalar()) {
        ctx_.out.push_back({ctx_.file, key_mark, "a key in `spec` must be a string",
                            "write `name: value`; lists and mappings cannot be keys"});
        continue;
      }
      std::string name = key.scalar();
      if (!seen.insert(name).second) {
        ctx_.out.push_back({ctx_.file, key_mark, "`" + name + "` appears twice in this mapping",
                            "keep one of them; YAML would silently use only one"});
        continue;
      }
      // An empty value has no position of its own; yaml-cpp gives the next
      // node's, so point at the key instead.
      source_mark value_mark = value.is_null() ? key_mark : content_mark_of(value, ctx_.text);
      obj[name] = convert(value, pointer + "/" + json_pointer_token(name), value_mark);
    }
    return obj;
  }

  json array(yaml_node node, const std::string& pointer, source_mark mark) {
    json arr = json::array();
    size_t i = 0;
    for (yaml_node item : node.items()) {
      source_mark item_mark = item.is_null() ? mark : content_mark_of(item, ctx_.text);
      arr.push_back(convert(item, pointer + "/" + std::to_string(i++), item_mark));
    }
    return arr;
  }

  std::vector<source_map::value_type>& marks_;
  const yaml_json_context& ctx_;
  std::vector<yaml_node> open_;  // the mappings and lists being converted
};

}  // namespace

json yaml_to_json(yaml_node node, const std::string& pointer, source_mark mark,
                  std::vector<source_map::value_type>& marks, const yaml_json_context& ctx) {
  return converter(marks, ctx).convert(node, pointer, mark);
}

}  // namespace runner
