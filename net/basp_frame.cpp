#include "net/basp_frame.hpp"

namespace runner {

namespace {

uint64_t get_be(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i)
    v = (v << 8) | p[i];
  return v;
}

void put_be(uint64_t v, uint8_t* p, int n) {
  for (int i = n - 1; i >= 0; --i, v >>= 8)
    p[i] = static_cast<uint8_t>(v & 0xff);
}

const char* op_name(uint8_t op) {
  static const char* names[] = {"server handshake", "client handshake", "direct message",
                                "routed message",   "monitor message",  "down message",
                                "heartbeat"};
  return op <= 6 ? names[op] : "unknown operation";
}

// The per-operation rules of caf/io/basp/header.cpp's valid().
bool fields_valid(const basp_header& h) {
  switch (static_cast<basp_op>(h.operation)) {
    case basp_op::server_handshake:
      return h.operation_data != 0;
    case basp_op::client_handshake:
      return h.source_actor == 0 && h.dest_actor == 0;
    case basp_op::direct_message:
    case basp_op::routed_message:
      return h.dest_actor != 0 && h.payload_len != 0;
    case basp_op::monitor_message:
      return h.payload_len != 0 && h.operation_data == 0;
    case basp_op::down_message:
      return h.source_actor != 0 && h.dest_actor == 0 && h.payload_len != 0 &&
             h.operation_data == 0;
    case basp_op::heartbeat:
      return h.source_actor == 0 && h.dest_actor == 0 && h.payload_len == 0 &&
             h.operation_data == 0;
  }
  return false;
}

}  // namespace

basp_header decode_basp_header(const uint8_t* p) {
  basp_header h;
  h.operation = p[0];
  h.flags = p[3];
  h.payload_len = static_cast<uint32_t>(get_be(p + 4, 4));
  h.operation_data = get_be(p + 8, 8);
  h.source_actor = get_be(p + 16, 8);
  h.dest_actor = get_be(p + 24, 8);
  return h;
}

void encode_basp_header(const basp_header& h, uint8_t* out) {
  out[0] = h.operation;
  out[1] = out[2] = 0;
  out[3] = h.flags;
  put_be(h.payload_len, out + 4, 4);
  put_be(h.operation_data, out + 8, 8);
  put_be(h.source_actor, out + 16, 8);
  put_be(h.dest_actor, out + 24, 8);
}

std::string check_basp_header(const basp_header& h, basp_role role, bool first,
                              uint32_t max_payload) {
  if (h.operation > static_cast<uint8_t>(basp_op::heartbeat))
    return "unknown BASP operation " + std::to_string(h.operation);
  auto op = static_cast<basp_op>(h.operation);
  const char* name = op_name(h.operation);
  // A node accepts connections, so only a dialling side may send a server
  // handshake, and only as its first frame; a client handshake comes first
  // from a dialler, and again once with the "select this connection" flag.
  basp_op expected = role == basp_role::accepted ? basp_op::client_handshake
                                                 : basp_op::server_handshake;
  if (first && op != expected)
    return std::string("a ") + name + " before the " + op_name(static_cast<uint8_t>(expected));
  if (op == basp_op::server_handshake && (role == basp_role::accepted || !first))
    return "an unexpected server handshake";
  if (op == basp_op::client_handshake && role == basp_role::dialled)
    return "a client handshake from the node we dialled";
  if (op == basp_op::server_handshake && h.operation_data != kBaspVersion)
    return "BASP version " + std::to_string(h.operation_data) + ", not " +
           std::to_string(kBaspVersion) + " (another CAF version)";
  if (!fields_valid(h))
    return std::string("a malformed ") + name + " header";
  bool handshake = op == basp_op::server_handshake || op == basp_op::client_handshake;
  bool handshake_bound = handshake && max_payload > kMaxBaspHandshake;
  uint32_t limit = handshake_bound ? kMaxBaspHandshake : max_payload;
  if (h.payload_len > limit)
    return std::string("a ") + name + " of " + std::to_string(h.payload_len) + " bytes, over " +
           (handshake_bound ? "the " + std::to_string(limit) + " bytes a handshake may have"
                            : "transport.max_message (" + std::to_string(limit) + " bytes)");
  return {};
}

}  // namespace runner
