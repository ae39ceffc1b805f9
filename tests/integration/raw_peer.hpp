#pragma once
// A hostile or careless peer of a node, for tests: a TCP connection that
// sends exactly the bytes a test gives it, with or without a TLS session
// (OpenSSL, a certificate of the test PKI), and a one-connection TLS or TCP
// server playing a node for a submitter. BASP headers are written here byte
// by byte from CAF 0.17.6's layout (caf/io/basp/header.hpp), not with the
// runner's own encoder, so a bug there cannot hide in the test.
#include <openssl/ssl.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace runner::test {

// Connects to 127.0.0.1:port; -1 on failure.
int connect_raw(uint16_t port);

// Sends as much of `bytes` as the peer takes; the peer may close early
// (no SIGPIPE: MSG_NOSIGNAL). Returns how many bytes went out.
size_t send_all(int fd, const std::string& bytes);

// Whether the peer closes `fd` (EOF or reset) within `limit`; bytes it sends
// before closing are read and dropped.
bool closed_within(int fd, std::chrono::milliseconds limit);

// The next `n` bytes `fd` receives within `limit`; fewer if the peer
// closes or the time runs out.
std::string receive_exactly(int fd, size_t n, std::chrono::milliseconds limit);

// 32 bytes: a BASP header (version 3 framing) with `operation`,
// `payload_len`, `operation_data` and the actor ids given; flags 0.
std::string basp_header_bytes(uint8_t operation, uint32_t payload_len, uint64_t operation_data = 0,
                              uint64_t source_actor = 0, uint64_t dest_actor = 0);
inline constexpr uint8_t kServerHandshake = 0, kClientHandshake = 1, kDirectMessage = 2;

// One TLS session over a connected `fd` (taken over), as client or server,
// with a certificate of the test PKI: handshake within `limit`. ok() once
// it is done.
class tls_session {
 public:
  enum class side { client, server };
  tls_session(int fd, side as, const std::string& cert, const std::string& key,
              const std::string& ca, std::chrono::milliseconds limit);
  ~tls_session();  // closes without a TLS shutdown, as a killed peer would
  tls_session(const tls_session&) = delete;
  tls_session& operator=(const tls_session&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  bool send(const std::string& bytes);
  // Whether the other side ends the session (close_notify, EOF or reset) within `limit`.
  bool closed_within(std::chrono::milliseconds limit);

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool ok_ = false;
  std::string error_;
};

// A TLS client of 127.0.0.1:port.
class tls_peer : public tls_session {
 public:
  tls_peer(uint16_t port, const std::string& cert, const std::string& key, const std::string& ca)
      : tls_session(connect_raw(port), side::client, cert, key, ca, std::chrono::seconds(10)) {}
};

// A listening socket on 127.0.0.1, port 0.
class raw_listener {
 public:
  raw_listener();
  ~raw_listener();
  uint16_t port() const { return port_; }
  // The next connection within `limit`, or -1.
  int accept_within(std::chrono::milliseconds limit);

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// The server side of TLS on an accepted `fd`, as a node with `cert`.
class tls_server_session : public tls_session {
 public:
  tls_server_session(int fd, const std::string& cert, const std::string& key,
                     const std::string& ca, std::chrono::milliseconds limit)
      : tls_session(fd, side::server, cert, key, ca, limit) {}
};

// Resident and peak resident memory of a process (/proc/PID/status VmRSS,
// VmHWM), in bytes; 0 if it is gone.
size_t rss_bytes(pid_t pid);
size_t peak_rss_bytes(pid_t pid);

// CPU time (user + system) a process has used so far, in seconds.
double cpu_seconds(pid_t pid);

}  // namespace runner::test
