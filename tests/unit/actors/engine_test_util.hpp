#pragma once
// What the engine tests share: an actor system with a driver registry that
// runs groups through a real supervisor, and a look-up of one task's report.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/console_observer.hpp"
#include "actors/supervisor.hpp"

namespace runner::test {

struct engine_base {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  driver_registry reg;
  std::vector<observer_actor> observers;

  engine_base() {
    add_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
  }
  ~engine_base() {
    // The observer lives until told to go (or asked for its summary).
    for (auto& o : observers)
      caf::anon_send_exit(o, caf::exit_reason::user_shutdown);
  }
  engine_base(const engine_base&) = delete;
  engine_base& operator=(const engine_base&) = delete;

  // A run of `g` with a quiet console observer; the caller adds what its test needs.
  std::shared_ptr<run_context> context(task_group g, size_t max_parallel) {
    auto ctx = std::make_shared<run_context>();
    g.id = "test";
    ctx->group = std::make_shared<const task_group>(std::move(g));
    ctx->drivers = &reg;
    ctx->node_name = "unit";
    ctx->max_parallel = max_parallel;
    console_options opts;
    opts.summary = false;
    opts.out = tmpfile();
    ctx->observer = spawn_console_observer(*sys, opts);
    observers.push_back(ctx->observer);
    return ctx;
  }

  // Asks `sup` to run and waits for its report.
  group_report finish(supervisor_actor sup) {
    group_report out;
    caf::scoped_actor self{*sys};
    self->request(sup, caf::infinite, run_atom::value)
        .receive([&](group_report& r) { out = std::move(r); },
                 [&](caf::error& e) { ADD_FAILURE() << sys->render(e); });
    return out;
  }
};

inline const task_report& result(const group_report& g, const std::string& name) {
  for (auto& r : g.results)
    if (r.name == name)
      return r;
  throw std::runtime_error("no result for " + name);
}

}  // namespace runner::test
