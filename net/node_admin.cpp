#include "net/node_state.hpp"

#include "actors/run_context.hpp"

#ifndef RUNNER_VERSION
#define RUNNER_VERSION "dev"
#endif

namespace runner::node_detail {

// runnerctl's questions. Running groups describe themselves: the supervisor
// answers for waiting and finished tasks, the running task actors for their own.
void answer_admin(self_ptr self, const admin_request& req,
                  caf::typed_response_promise<admin_reply> p) {
  admin_reply r;
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
    default:  // a value no runnerctl sends
      r.error = "node `" + my_name(self) + "` does not know that question";
      p.deliver(std::move(r));
      break;
  }
}

}  // namespace runner::node_detail
