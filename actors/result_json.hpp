#pragma once
// The task group result of SPEC.md §5. Confidential values never reach this
// text: they are written as "***".
#include <string>

#include <nlohmann/json.hpp>

#include "actors/messages.hpp"

namespace runner {

nlohmann::json result_json(const group_report& report);
std::string iso8601_utc(int64_t epoch_ms);  // "2026-11-28T06:01:02.345Z"

}  // namespace runner
