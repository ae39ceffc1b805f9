#pragma once
// The frames of CAF 0.17's BASP as they arrive on a connection, checked before
// CAF sees a byte of them. CAF sizes its read buffer from the length a header
// announces, so an unchecked 32-byte header could make a node allocate and
// fill 4 GiB; here a header is judged on its own: a known operation, the
// fields CAF's own `valid()` requires, a handshake first, and a length within
// the limit. Layout: caf/io/basp/header.hpp (0.17.6), integers big-endian.
// Pure functions, no CAF, so they can be fuzzed and unit-tested.
#include <cstddef>
#include <cstdint>
#include <string>

namespace runner {

inline constexpr size_t kBaspHeaderSize = 32;
inline constexpr uint64_t kBaspVersion = 3;  // caf/io/basp/version.hpp
// A handshake carries a node id, application ids and the published actor's
// interface (its message type names: a few KiB); more is not a runner.
inline constexpr uint32_t kMaxBaspHandshake = 256 * 1024;

enum class basp_op : uint8_t {
  server_handshake = 0,
  client_handshake = 1,
  direct_message = 2,
  routed_message = 3,
  monitor_message = 4,
  down_message = 5,
  heartbeat = 6,
};

struct basp_header {
  uint8_t operation = 0;
  uint8_t flags = 0;
  uint32_t payload_len = 0;
  uint64_t operation_data = 0;
  uint64_t source_actor = 0;
  uint64_t dest_actor = 0;
};

// `p` holds kBaspHeaderSize bytes.
basp_header decode_basp_header(const uint8_t* p);
void encode_basp_header(const basp_header& h, uint8_t* out);

// Which side of the connection we are: a node that accepted it expects the
// other side's client handshake first; a submitter that dialled it expects
// the server handshake.
enum class basp_role { accepted, dialled };

// "" when the header may pass; else why not, for a log line (no peer bytes
// quoted beyond numbers). `first`: no frame has passed on this connection yet.
std::string check_basp_header(const basp_header& h, basp_role role, bool first,
                              uint32_t max_payload);

}  // namespace runner
