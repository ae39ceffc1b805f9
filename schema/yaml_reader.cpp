#include "schema/yaml_reader.hpp"

#include <algorithm>
#include <set>

#include "schema/duration.hpp"
#include "schema/suggest.hpp"
#include "schema/yaml_source.hpp"

namespace runner {

const char kTrailingCommaHint[] =
    "trailing comma? YAML keeps it as part of the value; remove the comma";

namespace {

bool letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool name_char(char c) { return letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

bool rest_ok(const std::string& s) {
  for (size_t i = 1; i < s.size(); ++i)
    if (!name_char(s[i]))
      return false;
  return true;
}

}  // namespace

bool valid_task_name(const std::string& s) { return !s.empty() && letter(s[0]) && rest_ok(s); }

bool valid_variable_name(const std::string& s) {
  return !s.empty() && (letter(s[0]) || s[0] == '_') && rest_ok(s);
}

const char* kind_name(yaml_node n) {
  switch (n.kind()) {
    case yaml_kind::map: return "a mapping";
    case yaml_kind::sequence: return "a list";
    case yaml_kind::scalar: return "a single value";
    case yaml_kind::null: break;
  }
  return "empty";
}

source_mark yaml_reader::mark(yaml_node n) const { return mark_of(n, text_); }

void yaml_reader::error(source_mark at, std::string message, std::string hint) {
  out_.push_back({file_, at, std::move(message), std::move(hint)});
}

std::vector<yaml_field> yaml_reader::fields(yaml_node map, const std::vector<std::string>& known,
                                            const std::string& where) {
  std::vector<yaml_field> result;
  std::set<std::string> seen;
  for (auto [key, value] : map.entries()) {
    yaml_field f;
    f.key_mark = mark(key);
    if (!key.is_scalar()) {
      error(f.key_mark, "a key in " + where + " must be a field name, not " + kind_name(key),
            "known fields: " + quoted_list(known));
      continue;
    }
    f.key = key.scalar();
    f.value = value;
    // yaml-cpp gives an empty value the position of whatever follows it.
    f.mark = f.value.is_null() ? f.key_mark : mark(f.value);
    if (std::find(known.begin(), known.end(), f.key) == known.end()) {
      error(f.key_mark, "unknown field `" + f.key + "` in " + where,
            did_you_mean(f.key, known) + "known fields: " + quoted_list(known));
      continue;
    }
    if (!seen.insert(f.key).second) {
      error(f.key_mark, "`" + f.key + "` appears twice in " + where,
            "keep one of them; YAML does not merge repeated keys");
      continue;
    }
    result.push_back(std::move(f));
  }
  return result;
}

std::optional<std::string> yaml_reader::scalar(const yaml_field& f, const std::string& what,
                                               const std::string& example) {
  if (f.value.is_scalar())
    return f.value.scalar();
  if (f.value.is_null())
    error(f.mark, "`" + what + "` has no value", example);
  else
    error(f.mark, "`" + what + "` must be a single value, not " + kind_name(f.value), example);
  return std::nullopt;
}

std::optional<bool> yaml_reader::boolean(const yaml_field& f, const std::string& what) {
  const std::string hint = "write `" + f.key + ": true` or `" + f.key + ": false`";
  std::optional<std::string> v = scalar(f, what, hint);
  if (!v)
    return std::nullopt;
  if (*v == "true" || *v == "True" || *v == "TRUE")
    return true;
  if (*v == "false" || *v == "False" || *v == "FALSE")
    return false;
  error(f.mark, "`" + what + "` must be true or false, not `" + *v + "`", hint);
  return std::nullopt;
}

std::optional<duration> yaml_reader::duration_value(const yaml_field& f, const std::string& what) {
  const std::string hint = "write a duration such as `30s`, `5m`, `1h30m` or `500ms` "
                           "(a bare number means seconds)";
  std::optional<std::string> v = scalar(f, what, hint);
  if (!v)
    return std::nullopt;
  std::optional<duration> d = parse_duration(*v);
  if (!d)
    error(f.mark, "`" + what + "`: `" + *v + "` is not a duration", hint);
  return d;
}

std::string yaml_reader::name(const std::string& value, source_mark at, const std::string& what,
                              bool task_kind) {
  auto valid = task_kind ? valid_task_name : valid_variable_name;
  if (valid(value))
    return value;
  // "task name `x` is not valid", "`depends_on` entry `x` is not a valid task name"
  bool says_name = what.size() >= 4 && what.compare(what.size() - 4, 4, "name") == 0;
  const std::string message =
      what + " `" + value + "` is not " +
      (says_name ? "valid" : task_kind ? "a valid task name" : "a valid variable name");
  size_t end = value.find_last_not_of(", \t");
  if (!value.empty() && value.back() == ',') {
    error(at, message, kTrailingCommaHint);
    return end == std::string::npos ? "" : value.substr(0, end + 1);
  }
  std::string hint =
      task_kind ? "a task name starts with a letter and holds only letters, digits, `_` and `-`"
                : "a variable name starts with a letter or `_` and holds only letters, digits, "
                  "`_` and `-`";
  error(at, message, hint);
  return value;
}

}  // namespace runner
