#pragma once
// A task type served by an external driver: the same C++ interface as the
// built-in types (drivers/driver.hpp), with the work done by the driver's
// process through its host.
#include <memory>
#include <string>

#include "drivers/driver.hpp"
#include "drivers/external/driver_host.hpp"

namespace runner::ext {

class external_driver : public driver {
 public:
  external_driver(std::string type, std::shared_ptr<driver_host> host)
      : type_(std::move(type)), host_(std::move(host)) {}

  std::string type() const override { return type_; }
  // The driver runs processes of its own, as os_exec does: its tasks take a slot.
  bool process_backed() const override { return true; }
  // The protocol has no validation message: the driver checks its spec when
  // the task runs and fails it with the field at fault.
  void check_spec(const task_decl&, const std::string&, diagnostics&) const override {}
  std::string output_hint(const std::string& name) const override {
    return host_->label() + " must name `" + name + "` in the `outputs` of its `result`";
  }
  std::unique_ptr<running_task> start(task_invocation inv,
                                      std::shared_ptr<task_events> events) override {
    return host_->exec(std::move(inv), std::move(events));
  }

 private:
  std::string type_;
  std::shared_ptr<driver_host> host_;
};

}  // namespace runner::ext
