#include "schema/yaml_json.hpp"

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

json yaml_to_json(const YAML::Node& node, const std::string& pointer, source_mark mark,
                  source_map& marks, const yaml_json_context& ctx) {
  if (ctx.budget == 0)
    return nullptr;
  if (--ctx.budget == 0) {
    ctx.out.push_back({ctx.file, mark,
                       "the specs of this document hold more than " +
                           std::to_string(kMaxSpecNodes) + " values",
                       "YAML aliases (`*name`) can multiply a small document; "
                       "use fewer of them or split the group"});
    return nullptr;
  }
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      marks[pointer] = mark;
      json obj = json::object();
      std::set<std::string> seen;
      for (auto it = node.begin(); it != node.end(); ++it) {
        YAML::Node key = it->first;  // copies: `it->` hands out a temporary
        YAML::Node value = it->second;
        source_mark key_mark = mark_of(key, ctx.text);
        if (!key.IsScalar()) {
          ctx.out.push_back({ctx.file, key_mark, "a key in `spec` must be a string",
                             "write `name: value`; lists and mappings cannot be keys"});
          continue;
        }
        const std::string& name = key.Scalar();
        if (!seen.insert(name).second) {
          ctx.out.push_back({ctx.file, key_mark, "`" + name + "` appears twice in this mapping",
                             "keep one of them; YAML would silently use only one"});
          continue;
        }
        // An empty value has no position of its own; yaml-cpp gives the next
        // node's, so point at the key instead.
        source_mark value_mark = value.IsNull() ? key_mark : content_mark_of(value, ctx.text);
        obj[name] = yaml_to_json(value, pointer + "/" + json_pointer_token(name), value_mark,
                                 marks, ctx);
      }
      return obj;
    }
    case YAML::NodeType::Sequence: {
      marks[pointer] = mark;
      json arr = json::array();
      size_t i = 0;
      for (auto it = node.begin(); it != node.end(); ++it, ++i) {
        source_mark item_mark = it->IsNull() ? mark : content_mark_of(*it, ctx.text);
        arr.push_back(yaml_to_json(*it, pointer + "/" + std::to_string(i), item_mark, marks, ctx));
      }
      return arr;
    }
    case YAML::NodeType::Scalar:
      marks[pointer] = mark;
      // "?" is yaml-cpp's tag for a plain scalar, "!" for a quoted one. Of
      // explicit tags, !!str means "as written"; !!int, !!bool... type it.
      if (node.Tag() == "?" || (node.Tag().rfind("tag:yaml.org,2002:", 0) == 0 &&
                                node.Tag() != "tag:yaml.org,2002:str"))
        return plain_scalar(node.Scalar());
      return node.Scalar();
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      marks[pointer] = mark;
      return nullptr;
  }
  return nullptr;
}

}  // namespace runner
