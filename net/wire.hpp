#pragma once
// Every message that crosses the network between runners, in one place: the
// data types with their CAF inspect() overloads, the atoms, and the typed
// interfaces of the two actors a peer may talk to — a node's dispatcher
// (published on its listening port) and a submitter's progress endpoint (whose
// handle travels inside a request).
//
// Each request that runs, cancels or reads work carries a `credential`: the
// submitter's certificate and its signature over the node's name, a nonce the
// node issued (`hello`) and the SHA-256 of the request's serialized bytes.
// CAF's transport cannot tell who sent a message (see docs/security.md), so
// this proof, checked by the node, is the only identity a node believes.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/messages.hpp"

namespace runner {

// Bumped whenever a wire type below changes shape; `hello` exchanges it so
// that two runners of different versions fail with a clear message.
constexpr uint32_t wire_version = 6;

struct credential {
  std::string cert_pem;   // the submitter's leaf certificate
  std::string nonce;      // issued by the receiving node, redeemable once
  std::string signature;  // over proof_statement(node, nonce, request hash)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credential& x) {
  return f(caf::meta::type_name("credential"), x.cert_pem, x.nonce, x.signature);
}

// Where a request is headed and where it has been. `destination` is a node
// name ("" = whichever node receives it, used for host:port targets); a node
// that is not the destination relays the request to one of its peers. `path`
// lists the nodes it passed, origin first, so relays never loop.
struct route {
  std::string destination;
  std::vector<std::string> path;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, route& x) {
  return f(caf::meta::type_name("route"), x.destination, x.path);
}

struct wire_export {
  std::string name;
  bool confidential = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wire_export& x) {
  return f(caf::meta::type_name("wire_export"), x.name, x.confidential);
}

// One task to run on another node. Its `{{ }}` templates are already
// resolved on the submitting node; its imports travel too (task types such as
// expression_evaluation read them directly), with `statuses`, how the tasks
// it waited for ended. `secrets` are the confidential values, for masking there.
struct task_request {
  route to;
  std::string group_id;
  std::string task_name;
  std::string run_id;
  int attempt = 1;
  std::string type;
  std::string spec_json;
  std::vector<wire_export> exports;
  std::vector<std::string> secrets;
  std::map<std::string, std::string> imports;  // "task.variable" -> value
  std::map<std::string, std::string> statuses;  // waited-for task -> status
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_request& x) {
  return f(caf::meta::type_name("task_request"), x.to, x.group_id, x.task_name, x.run_id,
           x.attempt, x.type, x.spec_json, x.exports, x.secrets, x.imports, x.statuses);
}

// How a forwarded task ended. `outputs` holds only its exports, with real
// values: the importing tasks on the submitting node need them.
struct task_outcome {
  bool success = false;
  bool has_exit_code = false;
  int exit_code = 0;
  std::map<std::string, std::string> outputs;
  std::string error;          // masked
  bool infrastructure = false;
  bool no_route = false;      // the receiver cannot reach the destination
  bool stopped = false;       // a cancel reached it while it ran
  std::string runner;         // the node that ran it
  std::vector<std::string> secret_outputs;  // outputs that are confidential there
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_outcome& x) {
  return f(caf::meta::type_name("task_outcome"), x.success, x.has_exit_code, x.exit_code,
           x.outputs, x.error, x.infrastructure, x.no_route, x.stopped, x.runner,
           x.secret_outputs);
}

// A whole task group to run on another node, as the document's text: the node
// validates it against its own task types.
struct group_request {
  route to;
  std::string document;
  std::string file;  // the submitter's file name, for messages
  std::string group_id;  // chosen by the submitter so it can cancel before the reply
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_request& x) {
  return f(caf::meta::type_name("group_request"), x.to, x.document, x.file, x.group_id);
}

// The reply to a group request. Confidential values are already masked: a
// forwarded group's secrets stay on the node that ran it.
struct group_outcome {
  std::string error;        // refused or not run; empty when `report` is real
  bool invalid = false;     // the document failed validation (exit code 2)
  bool no_route = false;
  group_report report;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_outcome& x) {
  return f(caf::meta::type_name("group_outcome"), x.error, x.invalid, x.no_route, x.report);
}

// Cancels what this submitter asked the node to run. A relaying node passes
// it on to the next hop under the same id.
struct cancel_request {
  std::string id;  // a group id or a forwarded task's run id
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cancel_request& x) {
  return f(caf::meta::type_name("cancel_request"), x.id);
}

// Suspends or resumes a running task of what this submitter asked the node to
// run (runnerctl pause/resume); the task's driver must be able to.
struct pause_request {
  std::string id;    // a group id or a forwarded task's run id
  std::string task;  // empty: the only running task
  bool pause = true; // false: resume
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pause_request& x) {
  return f(caf::meta::type_name("pause_request"), x.id, x.task, x.pause);
}

// --- what runnerctl reads -------------------------------------------------

struct group_view {
  std::string id;
  std::string kind;        // group | task (a single forwarded task)
  std::string submitter;   // proven identity, or "local"
  std::string state;       // running, success, failed, cancelled
  int64_t started_at_ms = 0;
  int64_t duration_ms = 0;
  uint32_t task_count = 0;
  std::vector<task_view> tasks;  // filled by `describe` only
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_view& x) {
  return f(caf::meta::type_name("group_view"), x.id, x.kind, x.submitter, x.state,
           x.started_at_ms, x.duration_ms, x.task_count, x.tasks);
}

struct peer_view {
  std::string name;
  std::string address;
  std::string state;       // idle, connecting, connected, failed
  std::string error;       // last failure
  int64_t since_ms = 0;    // when it entered `state`
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, peer_view& x) {
  return f(caf::meta::type_name("peer_view"), x.name, x.address, x.state, x.error, x.since_ms);
}

struct node_status {
  std::string name;
  std::string version;
  int64_t started_at_ms = 0;
  int64_t uptime_ms = 0;
  uint32_t running_groups = 0;
  uint32_t recent_groups = 0;
  uint32_t max_parallel = 0;
  std::vector<std::string> peers;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_status& x) {
  return f(caf::meta::type_name("node_status"), x.name, x.version, x.started_at_ms, x.uptime_ms,
           x.running_groups, x.recent_groups, x.max_parallel, x.peers);
}

// Every admin reply: `error` set when the request was refused.
struct admin_reply {
  std::string error;
  node_status status;
  std::vector<group_view> groups;
  std::vector<peer_view> peers;
  std::string message;  // e.g. what `cancel` did
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, admin_reply& x) {
  return f(caf::meta::type_name("admin_reply"), x.error, x.status, x.groups, x.peers, x.message);
}

enum class admin_query : uint8_t { status, groups, describe, peers };

struct admin_request {
  admin_query query = admin_query::status;
  std::string id;  // for describe
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, admin_request& x) {
  return f(caf::meta::type_name("admin_request"), x.query, x.id);
}

using hello_atom = caf::atom_constant<caf::atom("hello")>;
using run_task_atom = caf::atom_constant<caf::atom("runtask")>;
using run_group_atom = caf::atom_constant<caf::atom("rungroup")>;
using admin_atom = caf::atom_constant<caf::atom("admin")>;

// What `hello` answers: who the node is and a fresh nonce for one request,
// proven: the node signs its name, the nonce and the submitter's challenge
// with its certificate key. Without that, whoever answers a hello could hand
// out another node's name and nonce and replay the signed request there.
struct hello_reply {
  uint32_t version = wire_version;
  std::string node;
  std::string nonce;
  std::string cert_pem;   // empty with `tls: off`
  std::string signature;  // over proof_statement(node, nonce, hello_subject(challenge))
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, hello_reply& x) {
  return f(caf::meta::type_name("hello_reply"), x.version, x.node, x.nonce, x.cert_pem,
           x.signature);
}

// What a node signs in its hello: never a request hash (those are hex), so a
// hello signature cannot stand in for a request's.
std::string hello_subject(const std::string& challenge);

// A submitter's endpoint: it receives the progress of its remote work. Its
// handle rides along with each run request (outside the signed bytes).
// `ping` lets a node check that an endpoint is really gone before it
// cancels that submitter's work: CAF's down messages can be forged by peers.
// Log lines travel in batches, each answered once its lines were shown or
// handed on: a node sends no more than a few unanswered batches, so a task's
// output crosses the mesh at the pace of the submitter's console instead of
// piling up in a connection's buffers (drivers/output_flow.hpp).
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using log_batch_atom = caf::atom_constant<caf::atom("logbatch")>;
using progress_actor = caf::typed_actor<
    caf::reacts_to<started_atom, std::string, int>,  // task, attempt
    caf::replies_to<log_batch_atom, std::vector<log_line>>::with<done_atom>,  // already masked
    caf::reacts_to<task_report>,                     // confidential values masked
    caf::replies_to<ping_atom>::with<done_atom>>;

// A node's dispatcher: the only actor a node publishes.
using node_actor = caf::typed_actor<
    // The submitter's wire version and a random challenge.
    caf::replies_to<hello_atom, uint32_t, std::string>::with<hello_reply>,
    caf::replies_to<run_task_atom, credential, task_request, progress_actor>::with<task_outcome>,
    caf::replies_to<run_group_atom, credential, group_request, progress_actor>::with<group_outcome>,
    caf::replies_to<cancel_atom, credential, cancel_request>::with<admin_reply>,
    caf::replies_to<pause_atom, credential, pause_request>::with<admin_reply>,
    caf::replies_to<admin_atom, credential, admin_request>::with<admin_reply>>;

// Every actor whose handle crosses the wire can be sent anything by any peer
// of the mesh, claiming any sender (docs/security.md), including CAF's own
// exit and error messages, which would end it by default. Such actors call
// this first: they end only by their own decision.
void ignore_system_messages(caf::scheduled_actor* self);

// Registers the types above (and the engine's) with an actor system config.
void add_wire_types(caf::actor_system_config& cfg);

// The bytes a credential's signature covers for each request: a hash of the
// request's serialized form, prefixed with what kind of request it is.
std::string request_hash(caf::actor_system& sys, const task_request& r);
std::string request_hash(caf::actor_system& sys, const group_request& r);
std::string request_hash(caf::actor_system& sys, const cancel_request& r);
std::string request_hash(caf::actor_system& sys, const pause_request& r);
std::string request_hash(caf::actor_system& sys, const admin_request& r);

}  // namespace runner
