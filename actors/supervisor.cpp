#include "actors/supervisor.hpp"

#include <algorithm>
#include <deque>
#include <variant>

#include "actors/task_actor.hpp"
#include "schema/dag.hpp"
#include "schema/when.hpp"

namespace runner {

namespace {

// Who waits for a run slot: a ready task not spawned yet, or a running task
// actor that wants its slot back for another attempt.
using slot_waiter = std::variant<size_t, caf::typed_response_promise<granted_atom>>;

// Adjacency lists packed into two arrays: a 10,000-task group would otherwise
// spend a heap block per task and direction.
class packed_edges {
 public:
  explicit packed_edges(const std::vector<std::vector<size_t>>& lists) {
    offsets_.reserve(lists.size() + 1);
    offsets_.push_back(0);
    for (auto& l : lists) {
      targets_.insert(targets_.end(), l.begin(), l.end());
      offsets_.push_back(static_cast<uint32_t>(targets_.size()));
    }
  }
  packed_edges() = default;
  const uint32_t* begin(size_t i) const { return targets_.data() + offsets_[i]; }
  const uint32_t* end(size_t i) const { return targets_.data() + offsets_[i + 1]; }
  size_t count(size_t i) const { return offsets_[i + 1] - offsets_[i]; }

  struct range {
    const uint32_t *b, *e;
    const uint32_t* begin() const { return b; }
    const uint32_t* end() const { return e; }
  };
  range of(size_t i) const { return {begin(i), end(i)}; }

 private:
  std::vector<uint32_t> offsets_;
  std::vector<uint32_t> targets_;
};

struct supervisor_state {
  std::shared_ptr<const run_context> ctx;
  packed_edges deps;        // task -> tasks it waits for
  packed_edges dependents;  // task -> tasks waiting for it
  std::vector<uint32_t> unfinished_deps;
  std::vector<task_actor> live;                 // set while a task's actor runs
  std::vector<task_report> reports;             // by task index
  std::vector<bool> reported;
  size_t outstanding = 0;
  size_t free_slots = 0;
  std::deque<slot_waiter> waiting;
  std::vector<bool> waits_for_pool;  // ready, but the node has no slot free yet
  enum class window : uint8_t { out, held, live };
  std::vector<window> at_once;  // held: in at_once_held; live: counted in at_once_live
  size_t at_once_live = 0;
  std::deque<uint32_t> at_once_held;  // ready, waiting for room in the window
  caf::typed_response_promise<group_report> result;
  bool started = false;
  bool cancelled = false;
  static inline const char* name = "supervisor";
};

using self_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

group_report build_report(supervisor_state& st) {
  group_report g;
  g.id = st.ctx->group->id;
  g.results = std::move(st.reports);
  bool failed = false, cancelled = st.cancelled;
  for (auto& r : g.results) {
    failed |= r.status == task_status::failed;
    cancelled |= r.status == task_status::cancelled;
  }
  g.status = cancelled ? task_status::cancelled
             : failed  ? task_status::failed
                       : task_status::success;
  return g;
}

void on_report(self_ptr self, size_t i, task_report r);

void spawn_task(self_ptr self, size_t i, bool has_slot) {
  auto& st = self->state;
  task_actor_args args;
  args.ctx = st.ctx;
  args.index = i;
  args.waits_for = st.deps.count(i);
  args.has_slot = has_slot;
  args.supervisor = self;
  auto actor = spawn_task_actor(self, std::move(args));
  st.live[i] = actor;
  for (size_t d : st.deps.of(i)) {
    auto& dep = st.reports[d];
    self->send(actor, dep_done{dep.name, dep.status, dep.exports});
  }
}

// The driver that runs task i here; null when it is forwarded elsewhere (or
// its type is unknown: its actor reports that).
const driver* local_driver(const supervisor_state& st, size_t i) {
  const auto& task = st.ctx->group->tasks[i];
  if (task.forward && task.forward->to != st.ctx->node_name)
    return nullptr;  // it runs elsewhere; that node bounds its own parallelism
  return st.ctx->drivers->find(task.type);
}

bool needs_slot(const supervisor_state& st, size_t i, const driver* drv) {
  const auto& task = st.ctx->group->tasks[i];
  // Its actor decides `when` and asks the cache first, and asks for a slot
  // only to run: a skipped task or a cache hit never waits for one.
  if (task.when || (task.cache && st.ctx->cache))
    return false;
  return drv && drv->process_backed();
}

void spawn_held(self_ptr self) {
  auto& st = self->state;
  while (st.at_once_live < at_once_window && !st.at_once_held.empty() && !st.cancelled) {
    size_t i = st.at_once_held.front();
    st.at_once_held.pop_front();
    if (st.reported[i])
      continue;
    st.at_once[i] = supervisor_state::window::live;
    ++st.at_once_live;
    spawn_task(self, i, false);
  }
}

void hand_out_slot(self_ptr self) {
  auto& st = self->state;
  while (!st.waiting.empty()) {
    auto next = std::move(st.waiting.front());
    st.waiting.pop_front();
    if (auto* index = std::get_if<size_t>(&next)) {
      if (st.reported[*index])
        continue;  // cancelled while it waited
      spawn_task(self, *index, true);
    } else {
      std::get<1>(next).deliver(granted_atom::value);
    }
    return;
  }
  ++st.free_slots;
}

// With a node-wide pool, slots come from there; a grant that arrives after
// the task was settled (cancel) goes straight back.
void acquire_from_pool(self_ptr self, size_t i) {
  auto pool = self->state.ctx->slots;
  self->state.waits_for_pool[i] = true;
  self->request(pool, caf::infinite, acquire_atom::value)
      .then([=](granted_atom) {
              auto& s = self->state;
              s.waits_for_pool[i] = false;
              if (s.cancelled || s.reported[i])
                self->send(pool, release_atom::value);
              else
                spawn_task(self, i, true);
            },
            [](caf::error&) {});
}

void return_slot(self_ptr self) {
  auto& st = self->state;
  if (st.ctx->slots)
    self->send(st.ctx->slots, release_atom::value);
  else if (!st.cancelled)
    hand_out_slot(self);
}

void become_ready(self_ptr self, size_t i) {
  auto& st = self->state;
  const driver* drv = local_driver(st, i);
  if (drv && drv->finishes_in_start()) {
    st.at_once[i] = supervisor_state::window::held;
    st.at_once_held.push_back(static_cast<uint32_t>(i));
    spawn_held(self);
  } else if (!needs_slot(st, i, drv)) {
    spawn_task(self, i, false);
  } else if (st.ctx->slots) {
    acquire_from_pool(self, i);
  } else if (st.free_slots > 0) {
    --st.free_slots;
    spawn_task(self, i, true);
  } else {
    st.waiting.emplace_back(i);
  }
}

// A task that never ran gets its result here, directly.
void settle_unrun(self_ptr self, size_t i, task_status status, std::string error) {
  auto& st = self->state;
  task_report r;
  r.name = st.ctx->group->tasks[i].name;
  r.index = static_cast<uint32_t>(i);
  r.run_id = make_uuid();
  r.status = status;
  r.error = std::move(error);
  r.runner = st.ctx->node_name;
  on_report(self, i, std::move(r));
}

void on_report(self_ptr self, size_t i, task_report r) {
  auto& st = self->state;
  if (st.reported[i])
    return;
  st.reported[i] = true;
  st.live[i] = task_actor{};
  if (st.at_once[i] == supervisor_state::window::live) {
    --st.at_once_live;
    spawn_held(self);
  }
  st.at_once[i] = supervisor_state::window::out;
  self->send(st.ctx->observer, r);
  st.reports[i] = std::move(r);
  const auto& done = st.reports[i];
  for (size_t d : st.dependents.of(i)) {
    if (st.reported[d])
      continue;
    // A task whose `when` reads this one's status runs whatever it was.
    bool skip = done.status != task_status::success &&
                (done.status == task_status::cancelled ||
                 !runs_after_any_outcome(st.ctx->group->tasks[d], done.name));
    if (skip) {
      auto status = done.status == task_status::cancelled ? task_status::cancelled
                                                          : task_status::skipped;
      settle_unrun(self, d, status, "dependency `" + done.name + "` " + to_string(done.status));
    } else if (--st.unfinished_deps[d] == 0 && !st.cancelled) {
      become_ready(self, d);
    }
  }
  if (--st.outstanding == 0) {
    st.result.deliver(build_report(st));
    self->quit();
  }
}

// What a task looks like from here when its actor is not asked.
task_view view_of(const supervisor_state& st, size_t i) {
  const auto& decl = st.ctx->group->tasks[i];
  task_view v;
  v.name = decl.name;
  v.type = decl.type;
  if (st.reported[i]) {
    const auto& r = st.reports[i];
    v.state = to_string(r.status);
    v.runner = r.runner;
    v.attempts = r.attempts;
    v.started_at_ms = r.started_at_ms;
    v.duration_ms = r.duration_ms;
    v.error = r.error;
  } else {
    v.state = st.waits_for_pool[i] || st.at_once[i] == supervisor_state::window::held
                  ? "queued"
                  : "waiting";
    for (auto& w : st.waiting)
      if (auto* index = std::get_if<size_t>(&w); index && *index == i)
        v.state = "queued";
  }
  return v;
}

}  // namespace

supervisor_actor::behavior_type supervisor_behavior(self_ptr self,
                                                    std::shared_ptr<const run_context> ctx) {
  auto& st = self->state;
  st.ctx = ctx;
  st.free_slots = std::max<size_t>(1, ctx->max_parallel);
  const auto& tasks = ctx->group->tasks;
  {
    auto deps = dependency_indices(*ctx->group);
    std::vector<std::vector<size_t>> dependents(tasks.size());
    st.unfinished_deps.resize(tasks.size());
    for (size_t i = 0; i < tasks.size(); ++i) {
      st.unfinished_deps[i] = static_cast<uint32_t>(deps[i].size());
      for (size_t d : deps[i])
        dependents[d].push_back(i);
    }
    st.deps = packed_edges(deps);
    st.dependents = packed_edges(dependents);
  }
  st.live.resize(tasks.size());
  st.reports.resize(tasks.size());
  st.reported.assign(tasks.size(), false);
  st.waits_for_pool.assign(tasks.size(), false);
  st.at_once.assign(tasks.size(), supervisor_state::window::out);
  st.outstanding = tasks.size();
  return {
      [=](run_atom) -> caf::typed_response_promise<group_report> {
        auto& s = self->state;
        s.result = self->make_response_promise<group_report>();
        if (s.started)
          return s.result;
        s.started = true;
        if (s.outstanding == 0) {
          s.result.deliver(build_report(s));
          self->quit();
          return s.result;
        }
        if (s.cancelled) {  // cancelled before it began: nothing runs
          for (size_t i = 0; i < s.reported.size(); ++i)
            if (!s.reported[i])
              settle_unrun(self, i, task_status::cancelled, "cancelled");
          return s.result;
        }
        for (size_t i = 0; i < s.unfinished_deps.size(); ++i)
          if (s.deps.count(i) == 0)
            become_ready(self, i);
        return s.result;
      },
      [=](acquire_atom) -> caf::typed_response_promise<granted_atom> {
        auto& s = self->state;
        auto p = self->make_response_promise<granted_atom>();
        if (s.cancelled)
          return p;  // never granted: nothing new starts after cancel
        if (s.ctx->slots) {
          auto pool = s.ctx->slots;
          self->request(pool, caf::infinite, acquire_atom::value)
              .then([=](granted_atom) mutable {
                      if (self->state.cancelled)
                        self->send(pool, release_atom::value);
                      else
                        p.deliver(granted_atom::value);
                    },
                    [](caf::error&) {});
          return p;
        }
        if (s.free_slots > 0) {
          --s.free_slots;
          p.deliver(granted_atom::value);
        } else {
          s.waiting.emplace_back(p);
        }
        return p;
      },
      [=](release_atom) { return_slot(self); },
      [=](task_report& r) {
        auto& s = self->state;
        if (r.returns_slot)
          return_slot(self);
        if (r.index < s.reported.size() && s.ctx->group->tasks[r.index].name == r.name)
          on_report(self, r.index, std::move(r));
      },
      [=](describe_atom) -> caf::typed_response_promise<std::vector<task_view>> {
        // Finished and waiting tasks are known here; running ones answer
        // for themselves (attempt, phase, how long so far).
        auto& s = self->state;
        auto p = self->make_response_promise<std::vector<task_view>>();
        auto views = std::make_shared<std::vector<task_view>>();
        auto asked = std::make_shared<size_t>(0);
        views->reserve(s.live.size());
        for (size_t i = 0; i < s.live.size(); ++i)
          views->push_back(view_of(s, i));
        for (size_t i = 0; i < s.live.size(); ++i) {
          if (!s.live[i])
            continue;
          (*views)[i].state = "running";
          ++*asked;
          self->request(s.live[i], std::chrono::seconds(2), describe_atom::value)
              .then(
                  [=](task_view& v) mutable {
                    (*views)[i] = std::move(v);
                    if (--*asked == 0)
                      p.deliver(std::move(*views));
                  },
                  [=](caf::error&) mutable {
                    if (--*asked == 0)  // it just finished; "running" is what it was
                      p.deliver(std::move(*views));
                  });
        }
        if (*asked == 0)
          p.deliver(std::move(*views));
        return p;
      },
      [=](pause_atom, std::string& task, bool pause) -> caf::result<std::string, std::string> {
        auto& s = self->state;
        const auto& tasks = s.ctx->group->tasks;
        std::vector<size_t> running;
        for (size_t i = 0; i < s.live.size(); ++i)
          if (s.live[i] && (task.empty() || tasks[i].name == task))
            running.push_back(i);
        if (running.size() == 1)
          return self->delegate(s.live[running.front()], pause_atom::value, pause);
        if (!task.empty()) {
          bool exists = std::any_of(tasks.begin(), tasks.end(),
                                    [&](const task_decl& t) { return t.name == task; });
          return {exists ? "task `" + task + "` is not running"
                         : "group `" + s.ctx->group->id + "` has no task `" + task + "`",
                  ""};
        }
        std::string names;
        for (size_t i : running)
          names += (names.empty() ? "`" : ", `") + tasks[i].name + "`";
        return {running.empty() ? "group `" + s.ctx->group->id + "` has no running task"
                                : "name the task: " + names + " are running",
                ""};
      },
      [=](cancel_atom) {
        auto& s = self->state;
        if (s.cancelled)
          return;
        s.cancelled = true;
        if (!s.started)
          return;  // `run` will settle every task as cancelled
        s.waiting.clear();
        s.at_once_held.clear();
        // Running tasks stop and report; the rest never start.
        for (size_t i = 0; i < s.live.size(); ++i)
          if (s.live[i])
            self->send(s.live[i], cancel_atom::value);
        for (size_t i = 0; i < s.live.size(); ++i)
          if (!s.reported[i] && !s.live[i])
            settle_unrun(self, i, task_status::cancelled, "cancelled");
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
