#include "actors/when_gate.hpp"

#include "schema/spec_envs.hpp"
#include "schema/when.hpp"

namespace runner {

namespace {

class when_context : public expr_context {
 public:
  when_context(const json& spec, const std::map<std::string, std::string>& imports,
               const std::map<std::string, std::string>& statuses)
      : imports_(imports), statuses_(statuses) {
    for (auto& [k, v] : spec_envs(spec)) envs_[k] = v;
  }
  std::optional<std::string> lookup(const std::string& task, const std::string& var) const override {
    return find(imports_, task + "." + var);
  }
  std::optional<std::string> status(const std::string& task) const override {
    return find(statuses_, task);
  }
  std::optional<std::string> env(const std::string& name) const override {
    return find(envs_, name);
  }

 private:
  static std::optional<std::string> find(const std::map<std::string, std::string>& m,
                                         const std::string& key) {
    auto i = m.find(key);
    if (i == m.end())
      return std::nullopt;
    return i->second;
  }
  const std::map<std::string, std::string>& imports_;
  const std::map<std::string, std::string>& statuses_;
  std::map<std::string, std::string> envs_;
};

}  // namespace

when_decision decide_when(const task_decl& task, const json& rendered_spec,
                          const std::map<std::string, std::string>& imports,
                          const std::map<std::string, std::string>& statuses) {
  when_decision d;
  if (!task.when)
    return d;
  auto parsed = parse_when(*task.when);
  if (!parsed.ok()) {  // validation rejects these; a group built in code may not be validated
    d.error = "`when`: " + parsed.error->format();
    return d;
  }
  when_context ctx(rendered_spec, imports, statuses);
  auto value = evaluate(*parsed.condition, ctx);
  if (!value.ok()) {
    d.error = "`when`: " + value.error->format();
    return d;
  }
  d.run = when_holds(value.value);
  return d;
}

}  // namespace runner
