#include "net/forward_driver.hpp"
#include "schema/json_text.hpp"

namespace runner {

namespace {

class forwarded_run : public running_task {
 public:
  explicit forwarded_run(call_handle call) : call_(std::move(call)) {}
  void stop(stop_reason) override { call_.cancel(); }

 private:
  call_handle call_;
};

class forward_driver : public driver {
 public:
  forward_driver(caf::actor_system& sys, std::shared_ptr<const call_env> env)
      : sys_(sys), env_(std::move(env)) {}

  std::string type() const override { return "forward"; }
  // The node that runs it bounds its own parallelism.
  bool process_backed() const override { return false; }
  void check_spec(const task_decl&, const std::string&, diagnostics&) const override {}

  std::unique_ptr<running_task> start(task_invocation inv,
                                      std::shared_ptr<task_events> events) override {
    const task_decl& decl = *inv.task;
    task_request req;
    req.group_id = inv.group_id;
    req.task_name = inv.task_name;
    req.run_id = inv.run_id;
    req.attempt = inv.attempt;
    req.type = decl.type;
    req.spec_json = json_text(inv.spec);
    for (auto& e : decl.exports)
      req.exports.push_back({e.name, e.confidential});
    req.secrets = std::move(inv.secrets);
    req.imports = std::move(inv.imports);
    req.statuses = std::move(inv.statuses);
    progress_sink sink;
    sink.log = [events](log_line& l) { events->output(l.stream, l.text + "\n"); };
    auto done = [events](task_outcome out) {
      driver_result r;
      r.success = out.success;
      if (out.has_exit_code)
        r.exit_code = out.exit_code;
      r.outputs = std::move(out.outputs);
      r.error = std::move(out.error);
      r.infrastructure = out.infrastructure;
      r.stopped = out.stopped;
      r.runner = std::move(out.runner);
      r.secret_outputs = std::move(out.secret_outputs);
      events->finished(std::move(r));
    };
    auto call = spawn_task_call(sys_, env_, decl.forward->to, std::move(req), std::move(sink),
                                std::move(done));
    return std::make_unique<forwarded_run>(std::move(call));
  }

 private:
  caf::actor_system& sys_;
  std::shared_ptr<const call_env> env_;
};

}  // namespace

std::shared_ptr<driver> make_forward_driver(caf::actor_system& sys,
                                            std::shared_ptr<const call_env> env) {
  return std::make_shared<forward_driver>(sys, std::move(env));
}

}  // namespace runner
