#pragma once
// Where an action's lines go: to the task's log, each masked with the
// secrets the task imported and every value an `::add-mask::` registered so
// far (in any step of the action: GitHub masks from then on, everywhere).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/driver.hpp"
#include "drivers/masker.hpp"

namespace runner::gh {

class action_log {
 public:
  // `patterns`: the node's `masking.patterns` (may be null).
  action_log(std::shared_ptr<task_events> events, const std::vector<std::string>& secrets,
             std::shared_ptr<const mask_rules> patterns);

  void add_mask(const std::string& value);
  void show(std::string_view line);  // one line, without "\n"
  // While one exists, the lines shown hold `ticket` (the output they came from).
  struct holding {
    holding(action_log& log, const flow_ticket& ticket) : log_(log) { log_.ticket_ = ticket; }
    ~holding() { log_.ticket_ = {}; }
    holding(const holding&) = delete;
    holding& operator=(const holding&) = delete;
    action_log& log_;
  };
  std::string mask(std::string_view text) const { return all_.mask(text); }
  // Whether `value` holds something an `::add-mask::` registered.
  bool holds_mask(std::string_view value) const {
    return !added_.empty() && added_.mask(value) != value;
  }
  task_events& events() { return *events_; }

 private:
  std::shared_ptr<task_events> events_;
  masker all_;    // imported secrets and added masks
  masker added_;  // added masks only
  bool warned_short_ = false;
  flow_ticket ticket_;
};

}  // namespace runner::gh
