#pragma once
// What the node's dispatcher keeps, and the pieces of its behavior that live
// in their own files: running and relaying work (node_work.cpp), answering
// runnerctl (node_admin.cpp). Private to net/.
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "net/node_actor.hpp"

namespace runner::node_detail {

inline constexpr size_t recent_limit = 100;

struct run_entry {
  group_view view;               // tasks filled once it ends
  supervisor_actor supervisor;   // while it runs here
  call_handle relay;             // while a next hop runs it
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

const std::string& my_name(self_ptr self);

// Registers a run (watching its submitter's endpoint) / files it under recent.
run_entry& enter(self_ptr self, const std::string& id, const std::string& kind,
                 const std::string& who, progress_actor endpoint, uint32_t tasks);
void remember(self_ptr self, const std::string& id, task_status status,
              std::vector<task_view> tasks);
void cancel_entry(self_ptr self, run_entry& e);

// `types_learned`: the external drivers have been asked for their task types
// (which happens, once, the first time work names a type this node lacks).
void run_task_here(self_ptr self, const std::string& who, task_request req,
                   progress_actor endpoint, caf::typed_response_promise<task_outcome> p,
                   bool types_learned = false);
void run_group_here(self_ptr self, const std::string& who, group_request req,
                    progress_actor endpoint, caf::typed_response_promise<group_outcome> p,
                    bool types_learned = false);
// Passes a request on towards its destination with a call of this node's own.
void relay_task(self_ptr self, const std::string& who, task_request req, progress_actor endpoint,
                caf::typed_response_promise<task_outcome> p);
void relay_group(self_ptr self, const std::string& who, group_request req,
                 progress_actor endpoint, caf::typed_response_promise<group_outcome> p);
// Why node `me` must not pass `to` on, "" if it may: `me` is already on its
// path (a loop), or the path has kMaxRouteHops nodes already.
inline constexpr size_t kMaxRouteHops = 8;
std::string route_refusal(const std::string& me, const route& to);
// A relay passes work on only towards a node name (through its peers), never
// to an address a remote submitter picked.
bool relayable(const route& to);
bool for_me(self_ptr self, const route& to);

void answer_admin(self_ptr self, const admin_request& req,
                  caf::typed_response_promise<admin_reply> p);

}  // namespace runner::node_detail
