#pragma once
// What an expression of a task sees — in `expression_evaluation` and in its
// `when:` alike: its imports ("task.variable" -> value), the statuses of the
// tasks it waited for, and its spec's `envs`.
#include <map>
#include <optional>
#include <string>

#include "schema/expression.hpp"
#include "schema/model.hpp"

namespace runner {

class task_expr_context : public expr_context {
 public:
  // `imports` and `statuses` are referred to, not copied: they must outlive it.
  task_expr_context(const json& spec, const std::map<std::string, std::string>& imports,
                    const std::map<std::string, std::string>& statuses);

  std::optional<std::string> lookup(const std::string& task, const std::string& var) const override;
  std::optional<std::string> status(const std::string& task) const override;
  std::optional<std::string> env(const std::string& name) const override;

 private:
  const std::map<std::string, std::string>& imports_;
  const std::map<std::string, std::string>& statuses_;
  std::map<std::string, std::string> envs_;
};

}  // namespace runner
