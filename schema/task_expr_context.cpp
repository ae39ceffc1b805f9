#include "schema/task_expr_context.hpp"

#include "schema/spec_envs.hpp"

namespace runner {

namespace {

std::optional<std::string> find(const std::map<std::string, std::string>& m, const std::string& key) {
  auto i = m.find(key);
  if (i == m.end())
    return std::nullopt;
  return i->second;
}

}  // namespace

task_expr_context::task_expr_context(const json& spec,
                                     const std::map<std::string, std::string>& imports,
                                     const std::map<std::string, std::string>& statuses)
    : imports_(imports), statuses_(statuses) {
  for (auto& [k, v] : spec_envs(spec)) envs_[k] = v;
}

std::optional<std::string> task_expr_context::lookup(const std::string& task,
                                                     const std::string& var) const {
  return find(imports_, task + "." + var);
}

std::optional<std::string> task_expr_context::status(const std::string& task) const {
  return find(statuses_, task);
}

std::optional<std::string> task_expr_context::env(const std::string& name) const {
  return find(envs_, name);
}

}  // namespace runner
