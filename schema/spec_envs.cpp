#include "schema/spec_envs.hpp"
#include "schema/json_text.hpp"

namespace runner {

std::string spec_scalar_text(const json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_null())
    return "";
  return json_text(v);
}

std::vector<std::pair<std::string, std::string>> spec_envs(const json& spec) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!spec.is_object())
    return out;
  auto it = spec.find("envs");
  if (it == spec.end())
    return out;
  auto add = [&](const json& m) {
    if (m.is_object())
      for (auto& [k, v] : m.items()) out.emplace_back(k, spec_scalar_text(v));
  };
  add(*it);
  if (it->is_array())
    for (const json& item : *it) add(item);
  return out;
}

}  // namespace runner
