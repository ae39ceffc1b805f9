#pragma once
// The gate: every byte between runners passes through it. CAF never touches
// a network socket; it speaks BASP over one end of a socketpair per
// connection, and the gate, on a thread of its own, moves the bytes between
// that socketpair and the peer, with TLS (OpenSSL, one context per process)
// unless `tls: off`.
//
// Why not CAF's own TCP and OpenSSL transport (CAF 0.17.6):
// - it leaves OpenSSL errors in its thread's error queue, so one failed
//   handshake (a port scanner, a client that just closes) made the next read
//   of a healthy connection fail: live forwards dropped on the next 1 s
//   heartbeat (issue 13, item 0);
// - it sizes its read buffer from the length a BASP header announces, so one
//   32-byte header could make a node allocate and fill 4 GiB;
// - it bounds neither connections nor handshakes, and polls a stalled TLS
//   handshake in a loop.
// Here each frame header from a peer is checked (basp_frame.hpp) before CAF
// sees it, connections are bounded per address and in total, a handshake
// has a deadline, a connection silent for longer than the idle timeout
// (CAF sends a heartbeat every second) is closed, and a peer is read only
// as fast as CAF takes the bytes: memory per connection is two 64 KiB
// buffers plus the frame CAF is reading (at most max_message; what CAF
// allocates while decoding a frame is not bounded: docs/security.md).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/gate_tls.hpp"

namespace runner {

struct gate_limits {
  size_t max_message = size_t{64} << 20;    // one BASP frame's payload
  size_t max_unproven = size_t{256} << 20;  // held for peers that proved no identity
  size_t max_connections = 256;             // accepted connections at once
  size_t max_per_address = 32;              // accepted connections from one address
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(5)};
};

struct gate_counters {
  size_t open = 0;             // connections now
  size_t refused = 0;          // accepted and closed at once: over a connection bound
  size_t bad_frames = 0;       // closed for a frame header that broke the rules
  size_t handshake_timeouts = 0;
  size_t idle_timeouts = 0;
  size_t unproven_held = 0;    // bytes now counted against max_unproven
};

class gate {
 public:
  // Called on the gate thread with the CAF end of a new connection's
  // socketpair (the caller owns it from then on) and the port it came to.
  using accepted_fn = std::function<void(int caf_fd, uint16_t port)>;
  // Called on the gate thread once: the CAF end, or -1 and why not.
  using connected_fn = std::function<void(int caf_fd, std::string error)>;

  // `tls` null: plain TCP (`tls: off`). Throws std::runtime_error if the TLS
  // files cannot be loaded or the thread cannot start.
  gate(const gate_tls_files* tls, gate_limits limits);
  ~gate();
  gate(const gate&) = delete;
  gate& operator=(const gate&) = delete;

  struct listen_result {
    uint16_t port = 0;
    std::string error;
  };
  // Binds and listens at once (any thread); connections are served from then on.
  listen_result listen(const std::string& host, uint16_t port, accepted_fn on_accepted);

  // Any thread. TCP connect, TLS handshake and the node's first BASP frame
  // (its server handshake) within `deadline`; then `done` gets the CAF end,
  // which already holds that frame.
  void connect(const std::string& host, uint16_t port, std::chrono::milliseconds deadline,
               connected_fn done);

  gate_counters counters() const;
  const gate_limits& limits() const;

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace runner
