// `when:` conditions (schema/when.hpp), decided as a task actor decides them
// (actors/when_gate.hpp) with a value for every import, status and env the
// condition reads; what it says about waiting for a task's status agrees with
// what it reads. Any bytes give a decision or an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <map>
#include <string>

#include "actors/when_gate.hpp"
#include "schema/when.hpp"

namespace {

const char* const kValues[] = {"",      "0",   "1",        "true", "False", " false ",
                               "null",  "NaN", "[1,2]",    "{}",   "yes",   "-0"};
const char* const kStatuses[] = {"success", "failed", "skipped", "cancelled"};

size_t pick(const std::string& s, size_t n) { return std::hash<std::string>{}(s) % n; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace runner;
  std::string text(reinterpret_cast<const char*>(data), size);
  task_decl task;
  task.name = "t";
  task.type = "os_exec";
  task.when = text;

  when_parse_result parsed = parse_when(text);
  std::map<std::string, std::string> imports, statuses;
  json spec = {{"envs", json::object()}};
  if (parsed.ok()) {
    for (const expr_reference& r : references(*parsed.condition)) {
      if (r.kind == expr_reference_kind::import)
        imports[r.task + "." + r.name] = kValues[pick(r.task + r.name, std::size(kValues))];
      else if (r.kind == expr_reference_kind::status)
        statuses[r.task] = kStatuses[pick(r.task, std::size(kStatuses))];
      else
        spec["envs"][r.name] = kValues[pick(r.name, std::size(kValues))];
    }
  } else if (parsed.error->line < 1 || parsed.error->column < 1 ||
             parsed.error->offset > text.size()) {
    std::abort();
  }

  when_decision d = decide_when(task, spec, imports, statuses);
  if (!parsed.ok() && d.error.empty())
    std::abort();
  for (const std::string& dep : when_status_reads(task)) {
    if (!parsed.ok() || !statuses.count(dep))
      std::abort();  // reads a status the condition does not name
    runs_after_any_outcome(task, dep);
  }
  return 0;
}
