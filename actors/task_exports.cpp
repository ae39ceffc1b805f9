#include "actors/task_exports.hpp"

#include <algorithm>

namespace runner {

exports_result collect_exports(const task_decl& task,
                               const std::map<std::string, std::string>& outputs,
                               const std::vector<std::string>& secret_names,
                               const masker& imported) {
  exports_result r;
  r.exports.reserve(task.exports.size());
  for (const export_decl& e : task.exports) {
    auto i = outputs.find(e.name);
    if (i == outputs.end()) {
      r.missing = e.name;
      return r;
    }
    bool holds_secret = !e.confidential && !imported.empty() &&
                        imported.mask(i->second) != i->second;
    holds_secret |=
        std::find(secret_names.begin(), secret_names.end(), e.name) != secret_names.end();
    r.exports.push_back(
        {e.name, i->second, e.confidential || holds_secret, e.scope == export_scope::global});
  }
  return r;
}

}  // namespace runner
