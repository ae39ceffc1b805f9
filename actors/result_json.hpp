#pragma once
// The task group result of SPEC.md §5. Confidential values never reach this
// text: they are written as "***".
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "actors/messages.hpp"

namespace runner {

// One task's entry of "results".
nlohmann::json task_result_json(const task_report& r);

// The whole result, written task by task: a 10,000-task result never exists
// as one JSON tree in memory. Invalid UTF-8 in outputs becomes U+FFFD.
void write_result_json(std::ostream& out, const group_report& report);

std::string iso8601_utc(int64_t epoch_ms);  // "2026-11-28T06:01:02.345Z"

}  // namespace runner
