#include "drivers/github_action/github_action_driver.hpp"

#include "drivers/github_action/action_run.hpp"
#include "drivers/github_action/action_task_spec.hpp"

namespace runner::gh {

namespace {

class action_handle : public running_task {
 public:
  action_handle(reactor& r, std::shared_ptr<action_run> run) : reactor_(r), run_(std::move(run)) {}
  void stop(stop_reason) override {
    auto run = run_;
    reactor_.post([run] { run->stop(); });
  }

 private:
  reactor& reactor_;
  std::shared_ptr<action_run> run_;
};

action_store_options store_options(const github_action_options& o) {
  action_store_options s;
  s.state_dir = o.state_dir;
  s.base_url = o.base_url;
  return s;
}

}  // namespace

github_action_driver::github_action_driver(reactor& r, std::chrono::milliseconds grace,
                                           github_action_options o)
    : reactor_(r), grace_(grace), options_(std::move(o)), store_(r, store_options(options_)) {}

github_action_driver::~github_action_driver() = default;

void github_action_driver::check_spec(const task_decl& task, const std::string& file,
                                      diagnostics& out) const {
  check_action_task_spec(task, file, out);
}

std::string github_action_driver::output_hint(const std::string& name) const {
  return "the action did not set output `" + name + "`: a node action sets it with "
         "core.setOutput('" + name + "', value) or a line `" + name + "=value` in $GITHUB_OUTPUT; "
         "a composite action declares it under `outputs:` with a `value:`";
}

std::unique_ptr<running_task> github_action_driver::start(task_invocation inv,
                                                          std::shared_ptr<task_events> events) {
  action_run_setup setup;
  setup.r = &reactor_;
  setup.store = &store_;
  setup.node = options_.node;
  setup.node_name = options_.node_name;
  setup.tool_cache = options_.state_dir + "/tool_cache";
  setup.grace = grace_;
  auto run = std::make_shared<action_run>(std::move(setup), std::move(inv), std::move(events));
  reactor_.post([run] { run->start(); });
  return std::make_unique<action_handle>(reactor_, run);
}

}  // namespace runner::gh
