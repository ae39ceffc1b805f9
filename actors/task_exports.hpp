#pragma once
// A task's outputs become its exports (SPEC.md §4) in one place, whether they
// come from a run that just ended or from the cache.
#include <map>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "drivers/masker.hpp"
#include "schema/model.hpp"

namespace runner {

struct exports_result {
  std::vector<variable> exports;  // in the order the document declares them
  std::string missing;            // the first declared export not among the outputs
};

// An export is confidential when the document says so, when `secret_names`
// names it (a driver's secret outputs; the sealed outputs of a cache entry),
// or when its value holds a confidential value the task imported (`imported`
// masks it): otherwise the result, and every task that imports it, would
// show the secret. Stops at the first missing export.
exports_result collect_exports(const task_decl& task,
                               const std::map<std::string, std::string>& outputs,
                               const std::vector<std::string>& secret_names,
                               const masker& imported);

}  // namespace runner
