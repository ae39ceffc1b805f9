// A task group document, parsed and validated as `runner validate` does it
// (tools/runner/inspect_commands.cpp) against the built-in task types' own
// spec checks, then drawn as `runner graph` draws it: any bytes give problems
// with positions inside the document, or a group, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "drivers/expression_evaluation.hpp"
#include "drivers/github_action/action_task_spec.hpp"
#include "drivers/os_exec.hpp"
#include "drivers/vault_driver.hpp"
#include "schema/graph_render.hpp"
#include "schema/validate.hpp"

namespace {

using namespace runner;

// builtin_drivers() (tools/runner/drivers_setup.cpp) without the reactor,
// threads and state directory those drivers need to run tasks: the same
// types, each checked by the function its driver's check_spec calls.
class builtin_catalog : public task_type_catalog {
 public:
  bool has(const std::string& type) const override {
    return type == "os_exec" || type == "expression_evaluation" || type == "vault" ||
           type == "github_action";
  }
  std::vector<std::string> names() const override {
    return {"expression_evaluation", "github_action", "os_exec", "vault"};
  }
  void check_spec(const task_decl& task, const std::string& file,
                  diagnostics& out) const override {
    if (task.type == "os_exec")
      check_os_exec_spec(task, file, out);
    else if (task.type == "expression_evaluation")
      expressions_.check_spec(task, file, out);
    else if (task.type == "vault")
      check_vault_spec(task, file, vault_node_access{}, out);
    else if (task.type == "github_action")
      gh::check_action_task_spec(task, file, out);
  }

 private:
  expression_evaluation_driver expressions_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const builtin_catalog catalog;
  std::string text(reinterpret_cast<const char*>(data), size);
  int lines = 1;
  for (char c : text)
    lines += c == '\n';
  checked_group checked = check_document(text, "fuzz.yaml", catalog);
  for (const diagnostic& d : checked.problems)
    if (d.file != "fuzz.yaml" || d.mark.line < 0 || d.mark.line > lines + 1 || d.mark.column < 0)
      std::abort();
  format_diagnostics(checked.problems);
  if (checked.group) {
    render_dot(*checked.group);
    render_mermaid(*checked.group);
  }
  return 0;
}
