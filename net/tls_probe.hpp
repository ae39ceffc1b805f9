#pragma once
// A TLS handshake with a deadline, made before CAF is asked to connect.
//
// Why: CAF 0.17's OpenSSL transport busy-polls a connection whose handshake
// waits for the other side (its write path reports "try again" on every
// poll). A peer that is frozen (SIGSTOP, a hung host behind a live kernel)
// accepts the TCP connection but never answers, so CAF would spin a core on
// its multiplexer thread until the peer wakes, and never give the connection
// up. Probing first, with our own deadline, keeps such peers away from CAF.
// Blocking: run it on a detached actor or a thread of its own.
#include <chrono>
#include <string>

namespace runner {

struct tls_files {
  std::string cert, key, ca;
};

// "" when a full mutually authenticated handshake with host:port finished
// within `deadline`; otherwise what went wrong, for the user.
std::string probe_tls(const std::string& host, uint16_t port, const tls_files& files,
                      std::chrono::milliseconds deadline);

}  // namespace runner
