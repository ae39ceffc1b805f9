#include "actors/result_json.hpp"
#include "schema/json_text.hpp"

#include <ctime>
#include <cstdio>

namespace runner {

namespace {

std::string dump(const nlohmann::json& j, int indent, int depth) {
  auto text = json_text(j, indent);
  if (indent < 0 || depth == 0)
    return text;
  // Re-indent a nested value so the streamed document reads like one dump().
  std::string pad(static_cast<size_t>(indent * depth), ' ');
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    out.push_back(c);
    if (c == '\n')
      out += pad;
  }
  return out;
}

}  // namespace

std::string iso8601_utc(int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // room for any int, so the compiler can see nothing is cut
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(epoch_ms % 1000));
  return buf;
}

nlohmann::json task_result_json(const task_report& r) {
  nlohmann::json outputs = nlohmann::json::object();
  for (auto& v : r.exports)
    if (v.global)
      outputs[v.name] = v.confidential ? "***" : v.value;
  nlohmann::json t = {{"name", r.name},
                      {"id", r.run_id},
                      {"status", to_string(r.status)},
                      {"outputs", std::move(outputs)},
                      {"runner", r.runner},
                      {"cached", r.cached}};
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
  return t;
}

void write_result_json(std::ostream& out, const group_report& report) {
  const int indent = 2;
  out << "{\n  \"id\": " << dump(report.id, indent, 1) << ",\n  \"status\": \""
      << to_string(report.status) << "\",\n  \"results\": {";
  bool first = true;
  for (auto& r : report.results) {
    out << (first ? "\n    " : ",\n    ") << dump(r.name, indent, 2) << ": "
        << dump(task_result_json(r), indent, 2);
    first = false;
  }
  out << (first ? "}\n}\n" : "\n  }\n}\n");
}

}  // namespace runner
