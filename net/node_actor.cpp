#include "net/node_state.hpp"

#include <spdlog/spdlog.h>

#include "actors/run_context.hpp"
#include "schema/parse.hpp"

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

namespace node_detail {

const std::string& my_name(self_ptr self) { return self->state.env->config.name; }

namespace {

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

// The run `id` if `who` may control it (`verb`: cancel, pause, resume): its
// submitter may control its own work, and the node's own identity (an
// operator with the node's certificate) anything. Else null and `error`.
run_entry* controlled_entry(self_ptr self, const std::string& who, const std::string& id,
                            const char* verb, std::string& error) {
  auto i = self->state.running.find(id);
  if (i == self->state.running.end()) {
    error = "node `" + my_name(self) + "` runs nothing with id `" + id + "`";
    return nullptr;
  }
  if (who != i->second.view.submitter && who != my_name(self)) {
    error = "node `" + my_name(self) + "` refuses to let `" + who + "` " + verb + " `" + id +
            "`: only its submitter `" + i->second.view.submitter +
            "` or the node's own identity may";
    return nullptr;
  }
  return &i->second;
}

}  // namespace
}  // namespace node_detail

using namespace node_detail;

node_actor spawn_node(caf::actor_system& sys, std::shared_ptr<const node_env> env) {
  auto fn = [env](self_ptr self) -> node_actor::behavior_type {
    auto& st = self->state;
    st.env = env;
    st.started_at_ms = now_ms();
    ignore_system_messages(self);
    // A submitter that disappears (killed, frozen past the heartbeat
    // timeout, network gone) cancels what it asked for.
    self->set_down_handler([=](caf::down_msg& dm) {
      // A relay call quits once it has delivered its outcome.
      for (auto& [id, e] : self->state.running)
        if (e.relay.actor && e.relay.actor.address() == dm.source) {
          remember(self, id, *e.relayed_status, {});
          return;
        }
      for (auto& [id, e] : self->state.running)
        if (e.endpoint && e.endpoint.address() == dm.source) {
          // Any peer can send a down message naming any actor: before
          // cancelling, ask the endpoint itself. A live one answers.
          std::string run = id;
          std::string reason = self->system().render(dm.reason);
          self->request(e.endpoint, std::chrono::seconds(1), ping_atom::value)
              .then(
                  [=](done_atom) {
                    spdlog::warn("ignored a down message for the live submitter of {}", run);
                  },
                  [=](caf::error&) {
                    auto i = self->state.running.find(run);
                    if (i == self->state.running.end())
                      return;
                    spdlog::warn("submitter {} of {} is gone ({}): cancelling it",
                                 i->second.view.submitter, run, reason);
                    cancel_entry(self, i->second);
                  });
        }
    });
    return {
        [=](hello_atom, uint32_t, const std::string& challenge) {
          hello_reply h{wire_version, my_name(self), self->state.nonces.issue(), {}, {}};
          auto& id = self->state.env->identity;
          if (id && challenge.size() <= 128) {
            try {
              h.cert_pem = identity_cert_pem(*id);
              h.signature = sign_proof(*id, h.node, h.nonce, hello_subject(challenge));
            } catch (const std::exception& e) {
              h.signature.clear();  // the submitter refuses an unproven hello
            }
          }
          return h;
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
          if (auto why = route_refusal(my_name(self), req.to); !why.empty())
            return refuse(why, true), p;
          if (!relayable(req.to))
            return refuse("node `" + my_name(self) + "` relays only to node names, not `" +
                          req.to.destination + "`"),
                   p;
          relay_task(self, who, std::move(req), endpoint, p);
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
          if (auto why = route_refusal(my_name(self), req.to); !why.empty())
            return p.deliver(group_outcome{why, false, true, {}}), p;
          if (!relayable(req.to))
            return p.deliver(group_outcome{"node `" + my_name(self) +
                                               "` relays only to node names, not `" +
                                               req.to.destination + "`",
                                           false, false, {}}),
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
          relay_group(self, who, std::move(req), endpoint, p);
          return p;
        },
        [=](cancel_atom, const credential& cred, cancel_request& req) -> admin_reply {
          admin_reply r;
          std::string who = authenticate(self, cred, request_hash(self->system(), req), r.error);
          if (who.empty())
            return r;
          auto* e = controlled_entry(self, who, req.id, "cancel", r.error);
          if (!e)
            return r;
          spdlog::warn("{} cancels {}", who, req.id);
          cancel_entry(self, *e);
          r.message = "cancelling " + e->view.kind + " " + req.id;
          return r;
        },
        [=](pause_atom, const credential& cred,
            pause_request& req) -> caf::typed_response_promise<admin_reply> {
          auto p = self->make_response_promise<admin_reply>();
          admin_reply r;
          std::string who = authenticate(self, cred, request_hash(self->system(), req), r.error);
          const char* verb = req.pause ? "pause" : "resume";
          auto* e = who.empty() ? nullptr : controlled_entry(self, who, req.id, verb, r.error);
          if (!e)
            return p.deliver(std::move(r)), p;
          if (!e->supervisor) {
            r.error = "`" + req.id + "` runs on another node, which `" + my_name(self) +
                      "` only relays to: " + verb + " it there";
            return p.deliver(std::move(r)), p;
          }
          spdlog::info("{}: {} {} {}", who, verb, req.id, req.task);
          self->request(e->supervisor, caf::infinite, pause_atom::value, req.task, req.pause)
              .then(
                  [=](std::string& error, std::string& done) mutable {
                    admin_reply a;
                    a.error = std::move(error);
                    a.message = std::move(done);
                    p.deliver(std::move(a));
                  },
                  [=](caf::error&) mutable {
                    admin_reply a;
                    a.error = "`" + req.id + "` ended before it could be " +
                              (req.pause ? "paused" : "resumed");
                    p.deliver(std::move(a));
                  });
          return p;
        },
        [=](admin_atom, const credential& cred,
            admin_request& req) -> caf::typed_response_promise<admin_reply> {
          auto p = self->make_response_promise<admin_reply>();
          admin_reply r;
          std::string who = authenticate(self, cred, request_hash(self->system(), req), r.error);
          if (who.empty())
            return p.deliver(std::move(r)), p;
          answer_admin(self, req, p);
          return p;
        },
    };
  };
  return sys.spawn(fn);
}

}  // namespace runner
