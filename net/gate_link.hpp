#pragma once
// One connection through the gate (gate.hpp): the peer's socket (with its TLS
// session), the gate's end of the socketpair CAF reads, and the bytes on
// their way between them. Owned and driven by the gate thread only.
//
// Peer -> CAF: read at most one 64 KiB chunk while nothing read earlier is
// still waiting for CAF (so a fast peer is slowed, not buffered); each frame
// header is checked before it is passed on; a header split across reads waits
// in `header` until complete. CAF -> peer: one 64 KiB chunk at a time.
#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "net/basp_frame.hpp"

namespace runner {

using gate_clock = std::chrono::steady_clock;

// What the gate lends a link to keep the bound on bytes held for peers that
// proved no identity (`tls: off`).
struct unproven_budget {
  size_t limit = 0;
  size_t held = 0;
};

struct gate_link {
  enum class stage { connecting, tls, open, closed };

  uint64_t id = 0;
  basp_role role = basp_role::accepted;
  std::string peer;  // host:port, for log lines
  std::string address_key;  // the peer's address, for the per-address bound
  int net = -1;
  int caf = -1;           // the gate's end of the socketpair; -1 until handed over
  SSL* ssl = nullptr;     // null with `tls: off`
  stage at = stage::connecting;
  bool proven = false;    // a TLS peer whose certificate of the mesh CA checked out
  bool first_frame = true;  // no frame from the peer has passed yet
  gate_clock::time_point deadline;   // of the handshake, while first_frame
  gate_clock::time_point last_rx;    // last byte from the peer
  gate_clock::time_point last_tx_progress;  // to_net last filled from empty, or written to
  size_t held = 0;  // bytes counted against the unproven budget (the largest frame so far)

  // Peer -> CAF.
  uint8_t header[kBaspHeaderSize];
  size_t header_have = 0;
  uint64_t payload_left = 0;
  std::vector<uint8_t> to_caf;
  size_t to_caf_sent = 0;
  // CAF -> peer.
  std::vector<uint8_t> to_net;
  size_t to_net_sent = 0;
  bool caf_eof = false;  // CAF closed its end: flush to_net, then close

  // SSL_read wanted to write or SSL_write wanted to read (TLS internals).
  bool read_wants_write = false, write_wants_read = false;
  bool tls_want_write = false;  // the TLS handshake waits to write

  std::string close_reason;  // set once it must close
  bool bad_frame = false;    // closed for breaking the frame rules

  ~gate_link();
};

inline constexpr size_t kGateChunk = 64 * 1024;

struct pump_result {
  bool more = false;  // stopped with work left (the caller pumps it again soon)
};

// Moves bytes both ways until nothing more can move without waiting, or a
// round budget is spent. Sets `close_reason` when the link must close.
pump_result pump_link(gate_link& l, uint32_t max_payload, unproven_budget& budget);

// Frames bytes read from the peer: checks each header, appends what may pass
// to `l.to_caf`. False (and close_reason set) on a bad frame. Exposed for tests.
bool accept_peer_bytes(gate_link& l, const uint8_t* p, size_t n, uint32_t max_payload,
                       unproven_budget& budget);

// Whether the link would read from the peer now (nothing waits for CAF).
bool link_wants_peer_bytes(const gate_link& l);

// Steps the TLS handshake; true once done. Sets close_reason on failure.
bool step_tls_handshake(gate_link& l);

// Reads and writes without blocking, TLS or plain. >0 bytes, 0 would block, -1 closed/failed
// (close_reason set).
long link_read(gate_link& l, uint8_t* p, size_t n);
long link_write(gate_link& l, const uint8_t* p, size_t n);

}  // namespace runner
