#include "net/node_state.hpp"

#include <spdlog/spdlog.h>

#include "actors/supervisor.hpp"
#include "net/progress_relay.hpp"
#include "schema/diagnostic.hpp"
#include "actors/type_learner.hpp"
#include "schema/validate.hpp"

namespace runner::node_detail {

namespace {

std::vector<task_view> views_of(const group_report& g, const task_group& group) {
  std::vector<task_view> out;
  for (auto& r : g.results) {
    task_view v;
    v.name = r.name;
    v.type = r.index < group.tasks.size() ? group.tasks[r.index].type : "";
    v.state = to_string(r.status);
    v.runner = r.runner;
    v.attempts = r.attempts;
    v.started_at_ms = r.started_at_ms;
    v.duration_ms = r.duration_ms;
    v.error = r.error;
    out.push_back(std::move(v));
  }
  return out;
}

// What a task forwarded here brings from the tasks it waited for elsewhere.
struct carried_in {
  std::vector<std::string> secrets;
  std::map<std::string, std::string> imports;   // "task.variable" -> value
  std::map<std::string, std::string> statuses;  // task -> status
};

// Runs `group` here; `reply` gets the report once every progress message
// before it has been handed to the transport.
void run_here(self_ptr self, const std::string& id, std::shared_ptr<const task_group> group,
              carried_in carried, observer_actor relay,
              std::function<void(group_report)> reply) {
  auto& env = *self->state.env;
  auto ctx = std::make_shared<run_context>();
  ctx->group = group;
  ctx->drivers = env.drivers;
  ctx->limits = env.limits;
  ctx->mask_patterns = env.mask_patterns;
  ctx->node_name = env.config.name;
  ctx->max_parallel = env.max_parallel;
  ctx->slots = env.slots;
  ctx->observer = relay;
  ctx->forwarder = env.forwarder;
  ctx->cache = env.cache;
  ctx->secrets = std::move(carried.secrets);
  ctx->given_imports = std::move(carried.imports);
  ctx->given_statuses = std::move(carried.statuses);
  auto sup = spawn_supervisor(self->system(), ctx);
  self->state.running[id].supervisor = sup;
  self->request(sup, caf::infinite, run_atom::value)
      .then(
          [=](group_report& g) {
            self->request(relay, caf::infinite, summary_atom::value, g.id, g.status)
                .then([=](done_atom) mutable {
                        remember(self, id, g.status, views_of(g, *group));
                        reply(std::move(g));
                      },
                      [=](caf::error&) mutable {
                        remember(self, id, g.status, views_of(g, *group));
                        reply(std::move(g));
                      });
          },
          [=](caf::error& e) {
            group_report g;
            g.id = group->id;
            g.status = task_status::failed;
            caf::anon_send(relay, summary_atom::value, g.id, g.status);  // the relay quits
            remember(self, id, task_status::failed, {});
            reply(std::move(g));
          });
}

task_outcome outcome_of(const group_report& g, const std::string& me) {
  task_outcome o;
  o.runner = me;
  if (g.results.empty()) {
    o.error = "node `" + me + "` lost the task";
    o.infrastructure = true;
    return o;
  }
  auto& r = g.results.front();
  o.success = r.status == task_status::success;
  o.has_exit_code = r.has_exit_code;
  o.exit_code = r.exit_code;
  o.error = r.error;
  o.infrastructure = r.infrastructure;
  o.stopped = r.status == task_status::cancelled;
  o.runner = r.runner;
  for (auto& v : r.exports) {
    o.outputs[v.name] = v.value;
    if (v.confidential)
      o.secret_outputs.push_back(v.name);
  }
  return o;
}

// Progress from the next hop goes up through a relay of this node's own, so
// log lines keep their tickets (the next hop's batch is answered only once
// they went on up and were answered there) and stay in order with reports.
progress_sink upstream_sink(observer_actor relay) {
  progress_sink s;
  s.started = [relay](const std::string& task, int attempt) {
    caf::anon_send(relay, started_atom::value, task, attempt);
  };
  s.log = [relay](log_line& l) { caf::anon_send(relay, std::move(l)); };
  s.report = [relay](task_report& r) { caf::anon_send(relay, std::move(r)); };
  return s;
}

task_status status_of(const task_outcome& o) {
  return o.success ? task_status::success : o.stopped ? task_status::cancelled : task_status::failed;
}
task_status status_of(const group_outcome& o) {
  return o.error.empty() ? o.report.status : task_status::failed;
}

template <class Req, class Outcome, class Spawn>
void relay(self_ptr self, const std::string& id, const std::string& kind, const std::string& who,
           Req req, progress_actor endpoint, caf::typed_response_promise<Outcome> p,
           Spawn spawn_call_fn) {
  auto& env = *self->state.env;
  std::string target = req.to.destination;
  auto status = enter(self, id, kind, who, endpoint, kind == "task" ? 1 : 0).relayed_status;
  spdlog::info("{} {} from {}: passing it on towards {}", kind, id, who, target);
  auto up = spawn_progress_relay(self->system(), endpoint, relay_reports::verbatim);
  auto& sys = self->system();
  auto call = spawn_call_fn(
      sys, env.calls, target, std::move(req), upstream_sink(up),
      [status, p, up, id, &sys](Outcome out) mutable {
        *status = status_of(out);
        // The outcome goes up only after the relay sent every line before it.
        sys.spawn([=](caf::event_based_actor* h) mutable {
          auto deliver = [p, out](auto&&...) mutable { p.deliver(std::move(out)); };
          h->request(up, caf::infinite, summary_atom::value, id, *status)
              .then([deliver](done_atom) mutable { deliver(); },
                    [deliver](caf::error&) mutable { deliver(); });
        });
      });
  self->state.running[id].relay = call;
  self->monitor(call.actor);
}

}  // namespace

void remember(self_ptr self, const std::string& id, task_status status,
              std::vector<task_view> tasks) {
  auto& st = self->state;
  auto i = st.running.find(id);
  if (i == st.running.end())
    return;
  auto view = std::move(i->second.view);
  if (i->second.endpoint)
    self->demonitor(i->second.endpoint.address());
  st.running.erase(i);
  view.state = to_string(status);
  view.duration_ms = now_ms() - view.started_at_ms;
  view.tasks = std::move(tasks);
  st.recent.push_front(std::move(view));
  if (st.recent.size() > recent_limit)
    st.recent.pop_back();
}

run_entry& enter(self_ptr self, const std::string& id, const std::string& kind,
                 const std::string& who, progress_actor endpoint, uint32_t tasks) {
  auto& e = self->state.running[id];
  e.view.id = id;
  e.view.kind = kind;
  e.view.submitter = who;
  e.view.state = "running";
  e.view.started_at_ms = now_ms();
  e.view.task_count = tasks;
  e.endpoint = endpoint;
  if (endpoint)
    self->monitor(endpoint);
  return e;
}

// --- one task, forwarded here ----------------------------------------------

void run_task_here(self_ptr self, const std::string& who, task_request req,
                   progress_actor endpoint, caf::typed_response_promise<task_outcome> p,
                   bool types_learned) {
  auto& env = *self->state.env;
  if (!types_learned && env.type_learner && !env.drivers->has(req.type)) {
    self->request(env.type_learner, caf::infinite, learn_atom::value)
        .then([=](learned_atom) mutable { run_task_here(self, who, std::move(req), endpoint, p, true); },
              // Without an answer the types stay unknown, and the check says so.
              [=](caf::error&) mutable { run_task_here(self, who, std::move(req), endpoint, p, true); });
    return;
  }
  auto fail = [&](std::string error) {
    task_outcome o;
    o.error = std::move(error);
    o.infrastructure = true;
    o.runner = env.config.name;
    p.deliver(std::move(o));
  };
  if (!env.drivers->has(req.type)) {
    fail("node `" + env.config.name + "` has no task type `" + req.type + "`");
    return;
  }
  auto group = std::make_shared<task_group>();
  group->id = req.group_id;
  group->file = "task `" + req.task_name + "` forwarded by " + who;
  task_decl decl;
  decl.name = req.task_name;
  decl.type = req.type;
  try {
    decl.spec = json::parse(req.spec_json);
  } catch (const std::exception& e) {
    fail("the spec of forwarded task `" + req.task_name + "` is not JSON: " + e.what());
    return;
  }
  // Its dependencies ran on the submitting node: they are named (for
  // `task.status` and import checks) but not part of this one-task group.
  for (auto& [task, status] : req.statuses)
    decl.depends_on.push_back(task);
  for (auto& [key, value] : req.imports) {
    auto dot = key.find('.');
    if (dot != std::string::npos)
      decl.imports.push_back({key.substr(0, dot), key.substr(dot + 1), {}});
  }
  for (auto& e : req.exports) {
    export_decl x;
    x.name = e.name;
    x.confidential = e.confidential;
    decl.exports.push_back(std::move(x));
  }
  diagnostics problems;
  env.drivers->check_spec(decl, group->file, problems);
  if (!problems.empty()) {
    std::string text;
    for (auto& d : problems)
      text += (text.empty() ? "" : "; ") + d.message + (d.hint.empty() ? "" : " (" + d.hint + ")");
    fail("node `" + env.config.name + "` cannot run task `" + req.task_name + "`: " + text);
    return;
  }
  group->tasks.push_back(std::move(decl));
  enter(self, req.run_id, "task", who, endpoint, 1).view.id = req.run_id;
  auto relay = spawn_progress_relay(self->system(), endpoint, relay_reports::none);
  std::string me = env.config.name;
  auto leaving = env.shutting_down;
  carried_in carried{std::move(req.secrets), std::move(req.imports), std::move(req.statuses)};
  run_here(self, req.run_id, group, std::move(carried), relay,
           [p, me, leaving](group_report g) mutable {
             auto out = outcome_of(g, me);
             if (*leaving && !out.success) {
               out.infrastructure = true;
               out.error = "node `" + me + "` shut down while the task ran (" + out.error + ")";
             }
             p.deliver(std::move(out));
           });
}

// --- a whole group, forwarded here ------------------------------------------

void run_group_here(self_ptr self, const std::string& who, group_request req,
                    progress_actor endpoint, caf::typed_response_promise<group_outcome> p,
                    bool types_learned) {
  auto& env = *self->state.env;
  // The group is here now: its own `forward:` (which made the submitter send
  // it) must not switch off this node's check of its task types.
  auto parsed = parse_task_group(req.document, req.file);
  if (parsed.group)
    parsed.group->forward.reset();
  type_probe types(*env.drivers);
  auto checked = check_parsed(std::move(parsed), types);
  if (!checked.group && types.missed() && !types_learned && env.type_learner) {
    self->request(env.type_learner, caf::infinite, learn_atom::value)
        .then([=](learned_atom) mutable { run_group_here(self, who, std::move(req), endpoint, p, true); },
              // Without an answer the types stay unknown, and the check says so.
              [=](caf::error&) mutable { run_group_here(self, who, std::move(req), endpoint, p, true); });
    return;
  }
  if (!checked.group) {
    group_outcome o;
    o.invalid = true;
    o.error += format_diagnostics(checked.problems);
    o.error += std::to_string(checked.problems.size()) + " problem" +
               (checked.problems.size() == 1 ? "" : "s") + " found by node `" +
               env.config.name + "`; nothing was run\n";
    p.deliver(std::move(o));
    return;
  }
  for (auto& t : checked.group->tasks)
    if (auto why = refusal(env.config, who, t.type); !why.empty()) {
      p.deliver(group_outcome{why, false, false, {}});
      return;
    }
  if (!req.group_id.empty())
    checked.group->id = req.group_id;
  std::string id = checked.group->id;
  if (self->state.running.count(id)) {
    p.deliver(group_outcome{"node `" + env.config.name + "` already runs a group with id `" + id +
                                "`",
                            false, false, {}});
    return;
  }
  auto group = std::make_shared<const task_group>(std::move(*checked.group));
  enter(self, id, "group", who, endpoint, static_cast<uint32_t>(group->tasks.size()));
  spdlog::info("group {} from {}: {} tasks", id, who, group->tasks.size());
  auto relay = spawn_progress_relay(self->system(), endpoint, relay_reports::masked);
  std::string me = env.config.name;
  auto leaving = env.shutting_down;
  run_here(self, id, group, {}, relay, [p, me, leaving](group_report g) mutable {
    group_outcome o;
    for (auto& r : g.results) {
      r = masked_report(std::move(r));
      if (*leaving && r.status == task_status::failed) {
        r.infrastructure = true;
        r.error = "node `" + me + "` shut down while the task ran (" + r.error + ")";
      }
    }
    o.report = std::move(g);
    p.deliver(std::move(o));
  });
}

// --- passing a request on ---------------------------------------------------

void relay_task(self_ptr self, const std::string& who, task_request req, progress_actor endpoint,
                caf::typed_response_promise<task_outcome> p) {
  std::string id = req.run_id;
  relay(self, id, "task", who, std::move(req), endpoint, p, spawn_task_call);
}

void relay_group(self_ptr self, const std::string& who, group_request req,
                 progress_actor endpoint, caf::typed_response_promise<group_outcome> p) {
  std::string id = req.group_id;
  relay(self, id, "group", who, std::move(req), endpoint, p, spawn_group_call);
}

std::string route_refusal(const std::string& me, const route& to) {
  std::string way;
  for (auto& hop : to.path)
    way += (way.empty() ? "" : " -> ") + hop;
  way += " -> " + me;
  for (auto& hop : to.path)
    if (hop == me)
      return "`" + me + "` was already on the way to `" + to.destination + "` (" + way +
             "): the peers form a loop";
  // Depth-first routing tries every path without this node; a hop limit keeps
  // a name no node has (a typo) from trying all of them in a large mesh.
  if (to.path.size() >= kMaxRouteHops)
    return "the way to `" + to.destination + "` (" + way + ") is longer than the limit of " +
           std::to_string(kMaxRouteHops) +
           " runners on a route: give the submitter, or a runner on the way, a peer closer to `" +
           to.destination + "`";
  return {};
}

bool relayable(const route& to) { return is_node_name(to.destination); }

bool for_me(self_ptr self, const route& to) {
  return to.destination.empty() || to.destination == my_name(self);
}

void cancel_entry(self_ptr self, run_entry& e) {
  if (e.supervisor)
    self->send(e.supervisor, cancel_atom::value);
  if (e.relay.actor)
    e.relay.cancel();
}

}  // namespace runner::node_detail
