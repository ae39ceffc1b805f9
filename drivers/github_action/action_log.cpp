#include "drivers/github_action/action_log.hpp"

namespace runner::gh {

action_log::action_log(std::shared_ptr<task_events> events,
                       const std::vector<std::string>& secrets,
                       std::shared_ptr<const mask_rules> patterns)
    : events_(std::move(events)) {
  all_.use_rules(std::move(patterns));
  for (const std::string& s : secrets)
    all_.add(s);
}

void action_log::add_mask(const std::string& value) {
  added_.add(value);
  if (all_.add(value) || warned_short_)
    return;
  // Once, and never the value: where it is not masked is itself a hint.
  warned_short_ = true;
  events_->output(stream_kind::err,
                  "runner: an ::add-mask:: value is shorter than " +
                      std::to_string(masker::kMinSecret) +
                      " characters; such values are not masked\n",
                  ticket_);
}

void action_log::show(std::string_view line) {
  std::string text = all_.empty() ? std::string(line) : all_.mask(line);
  text += '\n';
  events_->output(stream_kind::out, std::move(text), ticket_);
}

}  // namespace runner::gh
