#include "actors/messages.hpp"

namespace runner {

const char* to_string(task_status s) {
  switch (s) {
    case task_status::pending: return "pending";
    case task_status::running: return "running";
    case task_status::success: return "success";
    case task_status::failed: return "failed";
    case task_status::skipped: return "skipped";
    case task_status::cancelled: return "cancelled";
  }
  return "unknown";
}

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<variable>("runner::variable");
  cfg.add_message_type<std::vector<variable>>("std::vector<runner::variable>");
  cfg.add_message_type<task_report>("runner::task_report");
  cfg.add_message_type<std::vector<task_report>>("std::vector<runner::task_report>");
  cfg.add_message_type<dep_done>("runner::dep_done");
  cfg.add_message_type<log_line>("runner::log_line");
  cfg.add_message_type<group_report>("runner::group_report");
  cfg.add_message_type<task_status>("runner::task_status");
  cfg.add_message_type<stream_kind>("runner::stream_kind");
  cfg.add_message_type<std::map<std::string, std::string>>("std::map<string,string>");
  cfg.add_message_type<task_view>("runner::task_view");
  cfg.add_message_type<std::vector<task_view>>("std::vector<runner::task_view>");
}

}  // namespace runner
