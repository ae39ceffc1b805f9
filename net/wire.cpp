#include "net/wire.hpp"

#include <caf/binary_serializer.hpp>

#include "net/identity.hpp"

namespace runner {

void add_wire_types(caf::actor_system_config& cfg) {
  add_message_types(cfg);
  cfg.add_message_type<credential>("runner::credential");
  cfg.add_message_type<route>("runner::route");
  cfg.add_message_type<std::vector<log_line>>("std::vector<runner::log_line>");
  cfg.add_message_type<wire_export>("runner::wire_export");
  cfg.add_message_type<std::vector<wire_export>>("std::vector<runner::wire_export>");
  cfg.add_message_type<std::vector<std::string>>("std::vector<std::string>");
  cfg.add_message_type<task_request>("runner::task_request");
  cfg.add_message_type<task_outcome>("runner::task_outcome");
  cfg.add_message_type<group_request>("runner::group_request");
  cfg.add_message_type<group_outcome>("runner::group_outcome");
  cfg.add_message_type<cancel_request>("runner::cancel_request");
  cfg.add_message_type<pause_request>("runner::pause_request");
  cfg.add_message_type<group_view>("runner::group_view");
  cfg.add_message_type<std::vector<group_view>>("std::vector<runner::group_view>");
  cfg.add_message_type<peer_view>("runner::peer_view");
  cfg.add_message_type<std::vector<peer_view>>("std::vector<runner::peer_view>");
  cfg.add_message_type<node_status>("runner::node_status");
  cfg.add_message_type<admin_reply>("runner::admin_reply");
  cfg.add_message_type<admin_query>("runner::admin_query");
  cfg.add_message_type<admin_request>("runner::admin_request");
  cfg.add_message_type<hello_reply>("runner::hello_reply");
  cfg.add_message_type<progress_actor>("runner::progress_actor");
  cfg.add_message_type<node_actor>("runner::node_actor");
}

std::string hello_subject(const std::string& challenge) { return "hello:" + challenge; }

void ignore_system_messages(caf::scheduled_actor* self) {
  self->set_exit_handler([](caf::exit_msg&) {});
  self->set_error_handler([](caf::error&) {});
}

namespace {

// Both sides serialize their own copy of the request; CAF's binary format is
// canonical for these types (no pointers, ordered maps), so the bytes agree.
template <class T>
std::string hash_of(caf::actor_system& sys, const char* kind, const T& request) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  auto copy = request;
  if (auto err = sink(copy))
    throw std::runtime_error("cannot serialize a " + std::string(kind) + ": " + sys.render(err));
  std::string bytes = kind;
  bytes += '\n';
  bytes.append(buf.data(), buf.size());
  return sha256_hex(bytes);
}

}  // namespace

std::string request_hash(caf::actor_system& sys, const task_request& r) {
  return hash_of(sys, "task_request", r);
}
std::string request_hash(caf::actor_system& sys, const group_request& r) {
  return hash_of(sys, "group_request", r);
}
std::string request_hash(caf::actor_system& sys, const cancel_request& r) {
  return hash_of(sys, "cancel_request", r);
}

std::string request_hash(caf::actor_system& sys, const pause_request& r) {
  return hash_of(sys, "pause_request", r);
}
std::string request_hash(caf::actor_system& sys, const admin_request& r) {
  return hash_of(sys, "admin_request", r);
}

}  // namespace runner
