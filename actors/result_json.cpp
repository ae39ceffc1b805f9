#include "actors/result_json.hpp"

#include <ctime>
#include <cstdio>

namespace runner {

std::string iso8601_utc(int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(epoch_ms % 1000));
  return buf;
}

nlohmann::json result_json(const group_report& report) {
  nlohmann::json results = nlohmann::json::object();
  for (auto& r : report.results) {
    nlohmann::json outputs = nlohmann::json::object();
    for (auto& v : r.exports)
      if (v.global)
        outputs[v.name] = v.confidential ? "***" : v.value;
    nlohmann::json t = {{"name", r.name},         {"id", r.run_id},
                        {"status", to_string(r.status)}, {"outputs", outputs},
                        {"runner", r.runner},     {"cached", r.cached}};
    if (r.started_at_ms != 0) {
      t["started_at"] = iso8601_utc(r.started_at_ms);
      t["duration_ms"] = r.duration_ms;
    }
    if (r.attempts > 1)
      t["attempts"] = r.attempts;
    if (!r.error.empty())
      t["error"] = r.error;
    if (r.has_exit_code)
      t["exit_code"] = r.exit_code;
    results[r.name] = std::move(t);
  }
  return {{"id", report.id}, {"status", to_string(report.status)}, {"results", results}};
}

}  // namespace runner
