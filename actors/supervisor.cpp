#include "actors/supervisor.hpp"

#include <deque>

#include "actors/task_actor.hpp"
#include "schema/dag.hpp"

namespace runner {

namespace {

struct supervisor_state {
  std::shared_ptr<const run_context> ctx;
  std::vector<task_actor> tasks;
  std::map<std::string, size_t> index_of;
  std::vector<task_report> reports;  // by task index
  std::vector<bool> reported;
  size_t outstanding = 0;
  size_t free_slots = 0;
  std::deque<caf::typed_response_promise<granted_atom>> waiting;
  caf::typed_response_promise<group_report> result;
  bool started = false;
  bool cancelled = false;
  static inline const char* name = "supervisor";
};

using self_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

group_report build_report(supervisor_state& st) {
  group_report g;
  g.id = st.ctx->group->id;
  g.results = st.reports;
  bool failed = false, cancelled = false;
  for (auto& r : g.results) {
    failed |= r.status == task_status::failed;
    cancelled |= r.status == task_status::cancelled;
  }
  g.status = cancelled || st.cancelled ? task_status::cancelled
             : failed                 ? task_status::failed
                                      : task_status::success;
  return g;
}

void spawn_tasks(self_ptr self) {
  auto& st = self->state;
  const auto& group = *st.ctx->group;
  auto deps = dependency_indices(group);
  std::vector<std::vector<size_t>> dependents(group.tasks.size());
  for (size_t i = 0; i < deps.size(); ++i)
    for (size_t d : deps[i])
      dependents[d].push_back(i);
  // Dependents first, so each task actor is born knowing whom to tell.
  auto order = topological_order(group);
  st.tasks.resize(group.tasks.size());
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    size_t i = *it;
    task_actor_args args;
    args.ctx = st.ctx;
    args.index = i;
    args.waits_for = deps[i].size();
    args.supervisor = self;
    for (size_t d : dependents[i])
      args.dependents.push_back(st.tasks[d]);
    st.tasks[i] = spawn_task_actor(self->system(), std::move(args));
  }
}

}  // namespace

supervisor_actor::behavior_type supervisor_behavior(self_ptr self,
                                                    std::shared_ptr<const run_context> ctx) {
  auto& st = self->state;
  st.ctx = ctx;
  st.free_slots = std::max<size_t>(1, ctx->max_parallel);
  const auto& tasks = ctx->group->tasks;
  st.reports.resize(tasks.size());
  st.reported.assign(tasks.size(), false);
  st.outstanding = tasks.size();
  for (size_t i = 0; i < tasks.size(); ++i)
    st.index_of.emplace(tasks[i].name, i);
  return {
      [=](run_atom) -> caf::typed_response_promise<group_report> {
        auto& s = self->state;
        s.result = self->make_response_promise<group_report>();
        if (!s.started) {
          s.started = true;
          if (s.outstanding == 0)
            s.result.deliver(build_report(s));
          else
            spawn_tasks(self);
        }
        return s.result;
      },
      [=](acquire_atom) -> caf::typed_response_promise<granted_atom> {
        auto& s = self->state;
        auto p = self->make_response_promise<granted_atom>();
        if (s.cancelled)
          return p;  // never granted: nothing new starts after cancel
        if (s.free_slots > 0) {
          --s.free_slots;
          p.deliver(granted_atom::value);
        } else {
          s.waiting.push_back(p);
        }
        return p;
      },
      [=](release_atom) {
        auto& s = self->state;
        if (!s.waiting.empty() && !s.cancelled) {
          auto p = std::move(s.waiting.front());
          s.waiting.pop_front();
          p.deliver(granted_atom::value);
        } else {
          ++s.free_slots;
        }
      },
      [=](task_report& r) {
        auto& s = self->state;
        auto i = s.index_of.find(r.name);
        if (i == s.index_of.end() || s.reported[i->second])
          return;
        s.reported[i->second] = true;
        s.reports[i->second] = r;
        self->send(s.ctx->observer, std::move(r));
        if (--s.outstanding == 0) {
          s.result.deliver(build_report(s));
          self->quit();
        }
      },
      [=](cancel_atom) {
        auto& s = self->state;
        if (s.cancelled)
          return;
        s.cancelled = true;
        s.waiting.clear();
        for (size_t i = 0; i < s.tasks.size(); ++i)
          if (!s.reported[i] && s.tasks[i])
            self->send(s.tasks[i], cancel_atom::value);
      },
  };
}

supervisor_actor spawn_supervisor(caf::actor_system& sys, std::shared_ptr<const run_context> ctx) {
  return sys.spawn(supervisor_behavior, std::move(ctx));
}

int exit_code_of(const group_report& report) {
  switch (report.status) {
    case task_status::success: return 0;
    case task_status::cancelled: return 130;
    default: break;
  }
  for (auto& r : report.results)
    if (r.status == task_status::failed && r.infrastructure)
      return 3;
  return 1;
}

}  // namespace runner
