#include "tools/runnerctl/render.hpp"
#include "schema/json_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

#include "schema/duration.hpp"

namespace runner {

namespace {

using json = nlohmann::json;

std::string age(int64_t ms) {
  if (ms <= 0)
    return "-";
  return format_duration(std::chrono::milliseconds(ms));
}

// Columns padded to their widest cell.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i)
        width.push_back(0);
      width[i] = std::max(width[i], row[i].size());
    }
  std::string out;
  for (auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line + "\n";
  }
  return out;
}

json task_json(const task_view& t) {
  return {{"name", t.name},         {"type", t.type},
          {"state", t.state},       {"runner", t.runner},
          {"attempts", t.attempts}, {"started_at_ms", t.started_at_ms},
          {"duration_ms", t.duration_ms}, {"error", t.error}};
}

json group_json(const group_view& g, bool with_tasks) {
  json j = {{"id", g.id},
            {"kind", g.kind},
            {"submitter", g.submitter},
            {"state", g.state},
            {"started_at_ms", g.started_at_ms},
            {"duration_ms", g.duration_ms},
            {"task_count", g.task_count}};
  if (with_tasks) {
    j["tasks"] = json::array();
    for (auto& t : g.tasks)
      j["tasks"].push_back(task_json(t));
  }
  return j;
}

}  // namespace

std::string render_text(const std::string& command, const admin_reply& r,
                        const std::string& node) {
  std::ostringstream out;
  if (command == "status") {
    auto& s = r.status;
    std::string peers;
    for (auto& p : s.peers)
      peers += (peers.empty() ? "" : ", ") + p;
    out << table({{"node", s.name},
                  {"version", s.version},
                  {"uptime", age(s.uptime_ms)},
                  {"running", std::to_string(s.running_groups)},
                  {"recent", std::to_string(s.recent_groups)},
                  {"max_parallel", std::to_string(s.max_parallel)},
                  {"peers", peers.empty() ? "-" : peers}});
  } else if (command == "groups") {
    std::vector<std::vector<std::string>> rows{
        {"ID", "KIND", "STATE", "SUBMITTER", "TASKS", "DURATION"}};
    for (auto& g : r.groups)
      rows.push_back({g.id, g.kind, g.state, g.submitter, std::to_string(g.task_count),
                      age(g.duration_ms ? g.duration_ms : 0)});
    if (r.groups.empty())
      out << "no groups on " << node << "\n";
    else
      out << table(rows);
  } else if (command == "describe") {
    for (auto& g : r.groups) {
      out << g.kind << " " << g.id << ": " << g.state << ", from " << g.submitter << ", "
          << g.task_count << " task(s)\n";
      if (!r.message.empty())
        out << r.message << "\n";
      std::vector<std::vector<std::string>> rows{
          {"TASK", "TYPE", "STATE", "RUNNER", "ATTEMPTS", "DURATION", "ERROR"}};
      for (auto& t : g.tasks)
        rows.push_back({t.name, t.type, t.state, t.runner.empty() ? "-" : t.runner,
                        std::to_string(t.attempts), age(t.duration_ms), t.error});
      if (!g.tasks.empty())
        out << table(rows);
    }
  } else if (command == "peers") {
    std::vector<std::vector<std::string>> rows{{"PEER", "ADDRESS", "STATE", "ERROR"}};
    for (auto& p : r.peers)
      rows.push_back({p.name, p.address, p.state, p.error});
    if (r.peers.empty())
      out << node << " has no peers\n";
    else
      out << table(rows);
  } else if (command == "cancel" || command == "pause" || command == "resume") {
    out << r.message << "\n";
  }
  return out.str();
}

std::string render_json(const std::string& command, const admin_reply& r,
                        const std::string& node) {
  json j = {{"node", node}};
  if (command == "status") {
    auto& s = r.status;
    j = {{"node", s.name},
         {"version", s.version},
         {"started_at_ms", s.started_at_ms},
         {"uptime_ms", s.uptime_ms},
         {"running_groups", s.running_groups},
         {"recent_groups", s.recent_groups},
         {"max_parallel", s.max_parallel},
         {"peers", s.peers}};
  } else if (command == "groups") {
    j["groups"] = json::array();
    for (auto& g : r.groups)
      j["groups"].push_back(group_json(g, false));
  } else if (command == "describe") {
    j["groups"] = json::array();
    for (auto& g : r.groups)
      j["groups"].push_back(group_json(g, true));
    if (!r.message.empty())
      j["message"] = r.message;
  } else if (command == "peers") {
    j["peers"] = json::array();
    for (auto& p : r.peers)
      j["peers"].push_back({{"name", p.name},
                            {"address", p.address},
                            {"state", p.state},
                            {"error", p.error},
                            {"since_ms", p.since_ms}});
  } else if (command == "cancel" || command == "pause" || command == "resume") {
    j["message"] = r.message;
  }
  return json_text(j, 2) + "\n";
}

}  // namespace runner
