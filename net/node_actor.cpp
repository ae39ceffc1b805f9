#include "net/node_actor.hpp"

#include <spdlog/spdlog.h>

#include <deque>

#include "actors/supervisor.hpp"
#include "net/progress_relay.hpp"
#include "schema/diagnostic.hpp"
#include "schema/parse.hpp"
#include "schema/uuid.hpp"
#include "schema/validate.hpp"

#ifndef RUNNER_VERSION
#define RUNNER_VERSION "dev"
#endif

namespace runner {

std::string refusal(const node_config& config, const std::string& who, const std::string& type) {
  for (auto& rule : config.accept) {
    if (rule.from != "*" && rule.from != who)
      continue;
    for (auto& t : rule.task_types)
      if (t == type || t == "*")
        return {};
  }
  return "node `" + config.name + "` does not run task type `" + type + "` for `" + who +
         "`: no `accept` rule in " + (config.file.empty() ? "its config" : config.file) +
         " allows it (add `{from: " + who + ", task_types: [" + type + "]}` there to allow it)";
}

namespace {

constexpr size_t recent_limit = 100;

struct run_entry {
  group_view view;               // tasks filled once it ends
  supervisor_actor supervisor;   // while it runs here
  call_actor relay;              // while a next hop runs it
  std::shared_ptr<task_status> relayed_status = std::make_shared<task_status>(task_status::running);
  progress_actor endpoint;       // the submitter's; watched
};

struct node_state {
  std::shared_ptr<const node_env> env;
  nonce_book nonces;
  int64_t started_at_ms = 0;
  std::map<std::string, run_entry> running;  // by group id / task run id
  std::deque<group_view> recent;             // newest first
  static inline const char* name = "node";
};

using self_ptr = node_actor::stateful_pointer<node_state>;

const std::string& my_name(self_ptr self) { return self->state.env->config.name; }

// Who sent this request: the CN of a certificate whose key signed our nonce,
// our name and the request's hash. Sets `error` and returns "" if unproven.
std::string authenticate(self_ptr self, const credential& cred, const std::string& hash,
                         std::string& error) {
  auto& st = self->state;
  if (!st.nonces.redeem(cred.nonce)) {
    error = "node `" + my_name(self) + "` refused the request: its nonce is unknown, used or expired";
    return {};
  }
  if (!st.env->trust)  // `tls: off`: nobody can prove a name; only "*" rules apply
    return "anonymous";
  auto check = st.env->trust->check_proof(cred.cert_pem, my_name(self), cred.nonce, hash,
                                          cred.signature);
  if (!check.ok) {
    error = "node `" + my_name(self) + "` refused the request: " + check.error;
    return {};
  }
  return check.name;
}

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

// Runs `group` here; `reply` gets the report once every progress message
// before it has been handed to the transport.
void run_here(self_ptr self, const std::string& id, std::shared_ptr<const task_group> group,
              std::vector<std::string> secrets, observer_actor relay,
              std::function<void(group_report)> reply) {
  auto& env = *self->state.env;
  auto ctx = std::make_shared<run_context>();
  ctx->group = group;
  ctx->drivers = env.drivers;
  ctx->limits = env.limits;
  ctx->node_name = env.config.name;
  ctx->max_parallel = env.max_parallel;
  ctx->slots = env.slots;
  ctx->observer = relay;
  ctx->forwarder = env.forwarder;
  ctx->secrets = std::move(secrets);
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
            remember(self, id, task_status::failed, {});
            reply(std::move(g));
          });
}

// --- one task, forwarded here ----------------------------------------------

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
  for (auto& v : r.exports)
    o.outputs[v.name] = v.value;
  return o;
}

void run_task_here(self_ptr self, const std::string& who, task_request req,
                   progress_actor endpoint, caf::typed_response_promise<task_outcome> p) {
  auto& env = *self->state.env;
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
  auto relay = spawn_progress_relay(self->system(), endpoint, false);
  std::string me = env.config.name;
  auto leaving = env.shutting_down;
  run_here(self, req.run_id, group, std::move(req.secrets), relay,
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
                    progress_actor endpoint, caf::typed_response_promise<group_outcome> p) {
  auto& env = *self->state.env;
  auto checked = check_document(req.document, req.file, *env.drivers);
  if (!checked.group) {
    group_outcome o;
    o.invalid = true;
    for (auto& d : checked.problems)
      o.error += format_diagnostic(d);
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
  auto relay = spawn_progress_relay(self->system(), endpoint, true);
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

progress_sink upstream_sink(progress_actor endpoint) {
  progress_sink s;
  s.started = [endpoint](const std::string& task, int attempt) {
    caf::anon_send(endpoint, started_atom::value, task, attempt);
  };
  s.log = [endpoint](log_line& l) { caf::anon_send(endpoint, std::move(l)); };
  s.report = [endpoint](task_report& r) { caf::anon_send(endpoint, std::move(r)); };
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
  auto call = spawn_call_fn(self->system(), env.calls, target, std::move(req),
                            upstream_sink(endpoint), [status, p](Outcome out) mutable {
                              *status = status_of(out);
                              p.deliver(std::move(out));
                            });
  self->state.running[id].relay = call;
  self->monitor(call);
}

bool looped(self_ptr self, const route& to) {
  for (auto& hop : to.path)
    if (hop == my_name(self))
      return true;
  return false;
}

bool for_me(self_ptr self, const route& to) {
  return to.destination.empty() || to.destination == my_name(self);
}

void cancel_entry(self_ptr self, run_entry& e) {
  if (e.supervisor)
    self->send(e.supervisor, cancel_atom::value);
  if (e.relay)
    self->send(e.relay, cancel_atom::value);
}

}  // namespace

node_actor spawn_node(caf::actor_system& sys, std::shared_ptr<const node_env> env) {
  auto fn = [env](self_ptr self) -> node_actor::behavior_type {
    auto& st = self->state;
    st.env = env;
    st.started_at_ms = now_ms();
    // A submitter that disappears (killed, frozen past the heartbeat
    // timeout, network gone) cancels what it asked for.
    self->set_down_handler([=](caf::down_msg& dm) {
      // A relay call quits once it has delivered its outcome.
      for (auto& [id, e] : self->state.running)
        if (e.relay && e.relay.address() == dm.source) {
          remember(self, id, *e.relayed_status, {});
          return;
        }
      for (auto& [id, e] : self->state.running)
        if (e.endpoint && e.endpoint.address() == dm.source) {
          spdlog::warn("submitter {} of {} is gone ({}): cancelling it", e.view.submitter, id,
                       self->system().render(dm.reason));
          cancel_entry(self, e);
        }
    });
    return {
        [=](hello_atom, uint32_t) {
          return hello_reply{wire_version, my_name(self), self->state.nonces.issue()};
        },
        [=](run_task_atom, const credential& cred, task_request& req,
            progress_actor& endpoint) -> caf::typed_response_promise<task_outcome> {
          auto p = self->make_response_promise<task_outcome>();
          auto refuse = [&](std::string error, bool no_route = false) {
            task_outcome o;
            o.error = std::move(error);
            o.infrastructure = true;
            o.no_route = no_route;
            o.runner = my_name(self);
            p.deliver(std::move(o));
          };
          std::string error;
          std::string who = authenticate(self, cred, request_hash(self->system(), req), error);
          if (who.empty())
            return refuse(error), p;
          if (auto why = refusal(self->state.env->config, who, req.type); !why.empty())
            return refuse(why), p;
          if (self->state.running.count(req.run_id))
            return refuse("node `" + my_name(self) + "` already runs `" + req.run_id + "`"), p;
          if (for_me(self, req.to)) {
            spdlog::info("task {} ({}) from {}", req.task_name, req.type, who);
            run_task_here(self, who, std::move(req), endpoint, p);
            return p;
          }
          if (looped(self, req.to))
            return refuse("`" + my_name(self) + "` was already on the way", true), p;
          std::string id = req.run_id;
          relay(self, id, "task", who, std::move(req), endpoint, p,
                [](caf::actor_system& sys, std::shared_ptr<const call_env> env, std::string target,
                   task_request r, progress_sink sink, std::function<void(task_outcome)> done) {
                  return spawn_task_call(sys, std::move(env), std::move(target), std::move(r),
                                         std::move(sink), std::move(done));
                });
          return p;
        },
        [=](run_group_atom, const credential& cred, group_request& req,
            progress_actor& endpoint) -> caf::typed_response_promise<group_outcome> {
          auto p = self->make_response_promise<group_outcome>();
          std::string error;
          std::string who = authenticate(self, cred, request_hash(self->system(), req), error);
          if (who.empty())
            return p.deliver(group_outcome{error, false, false, {}}), p;
          if (for_me(self, req.to)) {
            run_group_here(self, who, std::move(req), endpoint, p);
            return p;
          }
          if (looped(self, req.to))
            return p.deliver(group_outcome{"`" + my_name(self) + "` was already on the way", false,
                                           true, {}}),
                   p;
          // A relay runs nothing itself, but passes on only what it would
          // accept from this submitter.
          auto parsed = parse_task_group(req.document, req.file);
          if (!parsed.group)
            return p.deliver(group_outcome{"node `" + my_name(self) + "` cannot read the document",
                                           true, false, {}}),
                   p;
          for (auto& t : parsed.group->tasks)
            if (auto why = refusal(self->state.env->config, who, t.type); !why.empty())
              return p.deliver(group_outcome{why, false, false, {}}), p;
          std::string id = req.group_id;
          if (id.empty() || self->state.running.count(id))
            return p.deliver(group_outcome{"a relayed group needs a fresh id", false, false, {}}),
                   p;
          relay(self, id, "group", who, std::move(req), endpoint, p,
                [](caf::actor_system& sys, std::shared_ptr<const call_env> env, std::string target,
                   group_request r, progress_sink sink, std::function<void(group_outcome)> done) {
                  return spawn_group_call(sys, std::move(env), std::move(target), std::move(r),
                                          std::move(sink), std::move(done));
                });
          return p;
        },
        [=](cancel_atom, const credential& cred, cancel_request& req) -> admin_reply {
          admin_reply r;
          std::string who = authenticate(self, cred, request_hash(self->system(), req), r.error);
          if (who.empty())
            return r;
          auto i = self->state.running.find(req.id);
          if (i == self->state.running.end()) {
            r.error = "node `" + my_name(self) + "` runs nothing with id `" + req.id + "`";
            return r;
          }
          // The submitter may cancel its own work; the node's own identity
          // (an operator with the node's certificate) may cancel anything.
          if (who != i->second.view.submitter && who != my_name(self)) {
            r.error = "node `" + my_name(self) + "` refuses to let `" + who + "` cancel `" +
                      req.id + "`: only its submitter `" + i->second.view.submitter +
                      "` or the node's own identity may";
            return r;
          }
          spdlog::warn("{} cancels {}", who, req.id);
          cancel_entry(self, i->second);
          r.message = "cancelling " + i->second.view.kind + " " + req.id;
          return r;
        },
        [=](admin_atom, const credential& cred,
            admin_request& req) -> caf::typed_response_promise<admin_reply> {
          auto p = self->make_response_promise<admin_reply>();
          admin_reply r;
          std::string who = authenticate(self, cred, request_hash(self->system(), req), r.error);
          if (who.empty())
            return p.deliver(std::move(r)), p;
          auto& s = self->state;
          switch (req.query) {
            case admin_query::status: {
              auto& n = r.status;
              n.name = my_name(self);
              n.version = RUNNER_VERSION;
              n.started_at_ms = s.started_at_ms;
              n.uptime_ms = now_ms() - s.started_at_ms;
              n.running_groups = static_cast<uint32_t>(s.running.size());
              n.recent_groups = static_cast<uint32_t>(s.recent.size());
              n.max_parallel = static_cast<uint32_t>(s.env->max_parallel);
              for (auto& [name, addr] : s.env->config.peers)
                n.peers.push_back(name);
              p.deliver(std::move(r));
              break;
            }
            case admin_query::groups:
              for (auto& [id, e] : s.running)
                r.groups.push_back(e.view);
              for (auto& v : s.recent) {
                r.groups.push_back(v);
                r.groups.back().tasks.clear();
              }
              p.deliver(std::move(r));
              break;
            case admin_query::describe: {
              auto i = s.running.find(req.id);
              if (i != s.running.end() && i->second.supervisor) {
                auto view = i->second.view;
                self->request(i->second.supervisor, std::chrono::seconds(5), describe_atom::value)
                    .then(
                        [=](std::vector<task_view>& tasks) mutable {
                          admin_reply out;
                          out.groups.push_back(view);
                          out.groups.back().tasks = std::move(tasks);
                          p.deliver(std::move(out));
                        },
                        [=](caf::error& e) mutable {
                          admin_reply out;
                          out.groups.push_back(view);
                          p.deliver(std::move(out));
                        });
                break;
              }
              if (i != s.running.end()) {
                r.groups.push_back(i->second.view);
                r.message = "passed on to another node; ask that node for its tasks";
              } else {
                for (auto& v : s.recent)
                  if (v.id == req.id)
                    r.groups.push_back(v);
                if (r.groups.empty())
                  r.error = "node `" + my_name(self) + "` knows no group or task `" + req.id + "`";
              }
              p.deliver(std::move(r));
              break;
            }
            case admin_query::peers:
              self->request(s.env->calls->directory, std::chrono::seconds(5), peers_atom::value)
                  .then(
                      [=](std::vector<peer_view>& peers) mutable {
                        admin_reply out;
                        out.peers = std::move(peers);
                        p.deliver(std::move(out));
                      },
                      [=](caf::error& e) mutable {
                        admin_reply out;
                        out.error = "no peer directory: " + self->system().render(e);
                        p.deliver(std::move(out));
                      });
              break;
          }
          return p;
        },
    };
  };
  return sys.spawn(fn);
}

}  // namespace runner
