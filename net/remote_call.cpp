#include "net/remote_call.hpp"

#include <openssl/rand.h>

#include <map>
#include <spdlog/spdlog.h>

#include "config/address.hpp"

namespace runner {

namespace {

using flush_atom = caf::atom_constant<caf::atom("flush")>;

// The endpoint a remote node sends progress to. A separate actor, not the
// call itself: a peer can address only what we hand it, and this one does
// nothing but pass progress to the sink. `flush` lets the call wait until
// every progress message that arrived before the outcome has been handled.
//
// A batch of log lines is answered once every line of it was shown or handed
// on (the tickets the lines carry are gone): the node then sends more.
using delivered_atom = caf::atom_constant<caf::atom("delivered")>;
using endpoint_actor =
    progress_actor::extend<caf::replies_to<flush_atom>::with<done_atom>,
                           caf::reacts_to<delivered_atom, uint64_t>>;

struct endpoint_state {
  uint64_t next_batch = 0;
  std::map<uint64_t, caf::typed_response_promise<done_atom>> unanswered;
};

// The ticket of one received batch: when its last line is done, the batch is answered.
struct batch_answer {
  batch_answer(endpoint_actor e, uint64_t n) : endpoint(std::move(e)), id(n) {}
  batch_answer(const batch_answer&) = delete;
  batch_answer& operator=(const batch_answer&) = delete;
  ~batch_answer() { caf::anon_send(endpoint, delivered_atom::value, id); }
  endpoint_actor endpoint;
  uint64_t id;
};

endpoint_actor spawn_endpoint(caf::actor_system& sys, progress_sink sink) {
  using self_t = endpoint_actor::stateful_pointer<endpoint_state>;
  return sys.spawn([sink = std::move(sink)](self_t self) -> endpoint_actor::behavior_type {
    ignore_system_messages(self);
    return {
        [=](started_atom, const std::string& task, int attempt) {
          if (sink.started)
            sink.started(task, attempt);
        },
        [=](log_batch_atom, std::vector<log_line>& lines) {
          auto& st = self->state;
          auto rp = self->make_response_promise<done_atom>();
          uint64_t id = st.next_batch++;
          st.unanswered.emplace(id, rp);
          {
            flow_ticket t{std::make_shared<batch_answer>(
                caf::actor_cast<endpoint_actor>(self), id)};
            for (auto& l : lines) {
              l.hold = t;
              if (sink.log)
                sink.log(l);
            }
          }  // lines the sink is done with release `t` here
          return rp;
        },
        [=](delivered_atom, uint64_t id) {
          auto& st = self->state;
          if (auto i = st.unanswered.find(id); i != st.unanswered.end()) {
            i->second.deliver(done_atom::value);
            st.unanswered.erase(i);
          }
        },
        [=](task_report& r) {
          if (sink.report)
            sink.report(r);
        },
        [](ping_atom) { return done_atom::value; },
        // The call is over: everything that arrived before is handled.
        [=](flush_atom) {
          auto rp = self->make_response_promise<done_atom>();
          rp.deliver(done_atom::value);
          self->quit();
          return rp;
        },
    };
  });
}

template <class Req>
struct kind;

template <>
struct kind<task_request> {
  using outcome = task_outcome;
  using atom = run_task_atom;
  static const std::string& id(const task_request& r) { return r.run_id; }
  static task_outcome failure(std::string error, bool no_route) {
    task_outcome o;
    o.error = std::move(error);
    o.infrastructure = true;
    o.no_route = no_route;
    return o;
  }
  static bool no_route(const task_outcome& o) { return o.no_route; }
};

template <>
struct kind<group_request> {
  using outcome = group_outcome;
  using atom = run_group_atom;
  static const std::string& id(const group_request& r) { return r.group_id; }
  static group_outcome failure(std::string error, bool no_route) {
    group_outcome o;
    o.error = std::move(error);
    o.no_route = no_route;
    return o;
  }
  static bool no_route(const group_outcome& o) { return o.no_route; }
};

template <class Req>
struct call_state {
  using outcome = typename kind<Req>::outcome;
  std::shared_ptr<const call_env> env;
  std::string target;
  Req req;
  std::function<void(outcome)> done;
  endpoint_actor endpoint;
  std::vector<std::string> candidates;
  size_t next = 0;
  bool routed = false;           // target reached through peers, not directly
  std::vector<std::string> failures;
  node_actor current;            // the node holding the request
  std::string current_candidate; // the target or peer it was sent to
  std::string current_name;      // what that node says its name is
  bool sent = false, cancelled = false, finished = false;
  // Bumped for each candidate tried: answers about an abandoned candidate
  // (a hello that times out after its node was given up) are ignored.
  uint32_t attempt = 0;
  static inline const char* name = "remote_call";
};

template <class Req>
using call_ptr = typename call_actor::template stateful_pointer<call_state<Req>>;

template <class Req>
void finish(call_ptr<Req> self, typename kind<Req>::outcome out) {
  auto& st = self->state;
  if (st.finished)
    return;
  st.finished = true;
  if (st.current)
    self->demonitor(st.current.address());
  // Progress that arrived before the outcome sits in the endpoint's mailbox;
  // let it drain so the caller sees every log line before the end.
  self->request(st.endpoint, caf::infinite, flush_atom::value)
      .then([=](done_atom) mutable {
        auto& s = self->state;
        s.done(std::move(out));
        self->quit();
      },
      [=](caf::error&) mutable {
        auto& s = self->state;
        s.done(std::move(out));
        self->quit();
      });
}

template <class Req>
credential sign(call_ptr<Req> self, const hello_reply& hello, const std::string& hash) {
  auto& st = self->state;
  credential c;
  c.nonce = hello.nonce;
  if (st.env->identity) {
    c.cert_pem = identity_cert_pem(*st.env->identity);
    c.signature = sign_proof(*st.env->identity, hello.node, hello.nonce, hash);
  }
  return c;
}

template <class Req>
void try_next(call_ptr<Req> self);

template <class Req>
void give_up_on(call_ptr<Req> self, const std::string& candidate, std::string why) {
  auto& st = self->state;
  if (st.current) {
    self->demonitor(st.current.address());
    st.current = node_actor{};
  }
  if (!st.routed) {
    finish(self, kind<Req>::failure(std::move(why), false));
    return;
  }
  st.failures.push_back(candidate + ": " + why);
  try_next(self);
}

template <class Req>
void send_request(call_ptr<Req> self, const std::string& candidate, uint32_t attempt) {
  auto& st = self->state;
  auto challenge = hello_challenge();
  self->request(st.current, st.env->connect_timeout, hello_atom::value, wire_version, challenge)
      .then(
          [=](hello_reply& hello) {
            auto& s = self->state;
            if (s.finished || s.attempt != attempt)
              return;
            if (auto why = check_hello(*s.env, hello, challenge, candidate); !why.empty()) {
              give_up_on(self, candidate, "refused the runner at `" + candidate + "`: " + why);
              return;
            }
            if (hello.version != wire_version) {
              give_up_on(self, candidate,
                         "runner `" + hello.node + "` speaks wire version " +
                             std::to_string(hello.version) + ", this runner " +
                             std::to_string(wire_version) + ": run the same runner version on both");
              return;
            }
            s.current_name = hello.node;
            if (s.cancelled) {
              finish(self, kind<Req>::failure("cancelled before it reached " + hello.node, false));
              return;
            }
            auto cred = sign(self, hello, request_hash(self->system(), s.req));
            s.sent = true;
            progress_actor endpoint = s.endpoint;
            self->request(s.current, caf::infinite, typename kind<Req>::atom{}, std::move(cred),
                          s.req, endpoint)
                .then(
                    [=](typename kind<Req>::outcome& out) {
                      auto& s2 = self->state;
                      if (s2.attempt != attempt)
                        return;
                      if (kind<Req>::no_route(out) && s2.routed && !s2.cancelled) {
                        s2.sent = false;
                        give_up_on(self, candidate, out.error);
                        return;
                      }
                      finish(self, std::move(out));
                    },
                    [=](caf::error& e) {
                      if (self->state.attempt != attempt)
                        return;
                      std::string why = "the request to " + self->state.current_name +
                                        " failed: " + self->system().render(e);
                      // It may have started there: never send it on a second way.
                      finish(self, kind<Req>::failure(why, false));
                    });
          },
          [=](caf::error& e) {
            if (self->state.attempt != attempt)
              return;
            std::string why = e == caf::sec::request_timeout
                                  ? "connected, but it did not answer within connect_timeout"
                                  : self->system().render(e);
            give_up_on(self, candidate, "no hello from `" + candidate + "`: " + why);
          });
}

template <class Req>
void try_next(call_ptr<Req> self) {
  auto& st = self->state;
  if (st.finished)
    return;
  if (st.next >= st.candidates.size()) {
    std::string why = "no route from " + st.env->self_name + " to `" + st.target + "`";
    if (st.candidates.empty())
      why += ": it is not a peer in the config, and there is no other peer to ask";
    for (auto& f : st.failures)
      why += "; " + f;
    finish(self, kind<Req>::failure(why, true));
    return;
  }
  std::string candidate = st.candidates[st.next++];
  uint32_t attempt = ++st.attempt;
  self->request(st.env->directory, caf::infinite, link_atom::value, candidate)
      .then(
          [=](link_reply& link) {
            auto& s = self->state;
            if (s.finished || s.attempt != attempt)
              return;
            if (!link.node) {
              give_up_on(self, candidate, link.error);
              return;
            }
            s.current = link.node;
            s.current_candidate = candidate;
            self->monitor(s.current);
            send_request(self, candidate, attempt);
          },
          [=](caf::error& e) {
            if (self->state.attempt == attempt)
              give_up_on(self, candidate, "no peer directory: " + self->system().render(e));
          });
}

template <class Req>
void start(call_ptr<Req> self) {
  auto& st = self->state;
  bool name = is_node_name(st.target);
  st.req.to.destination = name ? st.target : std::string{};
  if (st.req.to.path.empty() || st.req.to.path.back() != st.env->self_name)
    st.req.to.path.push_back(st.env->self_name);
  self->request(st.env->directory, caf::infinite, peers_atom::value)
      .then(
          [=](std::vector<peer_view>& peers) {
            auto& s = self->state;
            bool direct = !name;
            for (auto& p : peers)
              direct |= p.name == s.target;
            if (direct) {
              s.candidates.push_back(s.target);
            } else {
              // Depth first through the peers that have not seen it yet.
              s.routed = true;
              for (auto& p : peers)
                if (std::find(s.req.to.path.begin(), s.req.to.path.end(), p.name) ==
                    s.req.to.path.end())
                  s.candidates.push_back(p.name);
            }
            try_next(self);
          },
          [=](caf::error& e) {
            finish(self, kind<Req>::failure("no peer directory: " + self->system().render(e),
                                            false));
          });
}

template <class Req>
void cancel(call_ptr<Req> self) {
  auto& st = self->state;
  if (st.cancelled || st.finished)
    return;
  st.cancelled = true;
  if (!st.sent)
    return;  // stops before sending: see send_request
  cancel_request creq{kind<Req>::id(st.req)};
  auto node = st.current;
  auto challenge = hello_challenge();
  self->request(node, st.env->connect_timeout, hello_atom::value, wire_version, challenge)
      .then(
          [=](hello_reply& hello) {
            if (!check_hello(*self->state.env, hello, challenge, self->state.current_candidate)
                     .empty())
              return;  // not the node we sent the request to: the down handler ends it
            auto cred = sign(self, hello, request_hash(self->system(), creq));
            self->request(node, self->state.env->connect_timeout, cancel_atom::value,
                          std::move(cred), creq)
                .then([=](admin_reply& r) {
                        if (!r.error.empty())
                          spdlog::warn("cancel on {}: {}", hello.node, r.error);
                      },
                      [](caf::error&) {});
          },
          [](caf::error&) {
            // The connection is gone; the down handler ends the call.
          });
}

template <class Req>
call_handle spawn_call(caf::actor_system& sys, std::shared_ptr<const call_env> env,
                      std::string target, Req req, progress_sink sink,
                      std::function<void(typename kind<Req>::outcome)> done) {
  auto endpoint = spawn_endpoint(sys, std::move(sink));
  uint64_t key = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&key), sizeof key) != 1)
    throw std::runtime_error("no randomness for a call key");
  auto fn = [=](call_ptr<Req> self) -> call_actor::behavior_type {
    auto& st = self->state;
    st.env = env;
    st.target = target;
    st.req = req;
    st.done = done;
    st.endpoint = endpoint;
    ignore_system_messages(self);
    // A bug (or a hostile answer that makes signing throw) must still end
    // the call with an outcome: the caller waits for exactly one.
    self->set_exception_handler([=](caf::scheduled_actor*, std::exception_ptr& eptr) {
      std::string what = "unknown exception";
      try {
        std::rethrow_exception(eptr);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      auto& s = self->state;
      if (!s.finished) {
        s.finished = true;
        s.done(kind<Req>::failure("internal error in the call to `" + target + "`: " + what, false));
        caf::anon_send(s.endpoint, flush_atom::value);  // it quits after a flush
      }
      return caf::make_error(caf::exit_reason::normal);
    });
    self->set_down_handler([=](caf::down_msg& dm) {
      auto& s = self->state;
      if (s.finished || !s.current || dm.source != s.current.address())
        return;
      s.current = node_actor{};
      std::string who = s.current_name.empty() ? target : s.current_name;
      std::string why =
          "lost the connection to " + who +
          (dm.reason == caf::exit_reason::remote_link_unreachable
               ? " (it closed, or the node stopped answering heartbeats for 5 s)"
               : " (" + self->system().render(dm.reason) + ")");
      if (s.sent) {
        finish(self, kind<Req>::failure(why + " while it ran the request", false));
        return;
      }
      give_up_on(self, s.current_candidate, why);
    });
    start(self);
    return {[=](cancel_atom, uint64_t given) {
      if (given == key)
        cancel(self);
    }};
  };
  return call_handle{sys.spawn(fn), key};
}

}  // namespace

bool is_node_name(const std::string& target) {
  return target.find(':') == std::string::npos;
}

std::string hello_challenge() { return random_nonce(); }

std::string check_hello(const call_env& env, const hello_reply& hello,
                        const std::string& challenge, const std::string& dialled) {
  if (is_node_name(dialled) && hello.node != dialled)
    return "the runner at peer `" + dialled + "`'s address says it is `" + hello.node +
           "`: fix `peers` in the config";
  if (!env.trust)
    return {};  // `tls: off`: nobody proves anything
  auto check = env.trust->check_proof(hello.cert_pem, hello.node, hello.nonce,
                                      hello_subject(challenge), hello.signature);
  if (!check.ok)
    return "its hello is not signed by a node of this mesh: " + check.error;
  if (check.name != hello.node)
    return "it says it is `" + hello.node + "` but its certificate is for `" + check.name + "`";
  return {};
}

call_handle spawn_task_call(caf::actor_system& sys, std::shared_ptr<const call_env> env,
                           std::string target, task_request req, progress_sink sink,
                           std::function<void(task_outcome)> done) {
  return spawn_call(sys, std::move(env), std::move(target), std::move(req), std::move(sink),
                    std::move(done));
}

call_handle spawn_group_call(caf::actor_system& sys, std::shared_ptr<const call_env> env,
                            std::string target, group_request req, progress_sink sink,
                            std::function<void(group_outcome)> done) {
  return spawn_call(sys, std::move(env), std::move(target), std::move(req), std::move(sink),
                    std::move(done));
}

}  // namespace runner
