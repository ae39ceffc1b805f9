#include "drivers/github_action/action_log.hpp"

namespace runner::gh {

action_log::action_log(std::shared_ptr<task_events> events,
                       const std::vector<std::string>& secrets)
    : events_(std::move(events)) {
  for (const std::string& s : secrets)
    all_.add(s);
}

void action_log::add_mask(const std::string& value) {
  all_.add(value);
  added_.add(value);
}

void action_log::show(std::string_view line) {
  std::string text = all_.empty() ? std::string(line) : all_.mask(line);
  text += '\n';
  events_->output(stream_kind::out, std::move(text), ticket_);
}

}  // namespace runner::gh
