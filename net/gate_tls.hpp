#pragma once
// The OpenSSL context of the gate (gate.hpp): this node's certificate and
// key, the mesh CA, and a peer certificate required on both sides. One
// context per process, shared by every connection (CAF's OpenSSL module made
// one per connection: about 1 ms of key decoding each time).
#include <memory>
#include <string>

#include <openssl/ssl.h>

namespace runner {

struct ssl_ctx_deleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, ssl_ctx_deleter>;

struct gate_tls_files {
  std::string cert, key, ca;
};

// Throws std::runtime_error saying which file is wrong.
ssl_ctx_ptr make_gate_ssl_ctx(const gate_tls_files& files);

// Takes (and so clears) this thread's OpenSSL error queue as text. The queue
// is per thread and shared by every connection on it: an error left there
// makes SSL_get_error report a failure on the next healthy connection (the
// bug of CAF 0.17.6's OpenSSL module that dropped live forwards).
std::string take_ssl_errors();

// OpenSSL's words for a failed handshake, with what they mean in a mesh
// and what to check ("tlsv1 alert unknown ca" says the peer does not trust
// our certificate; "wrong version number" says the peer speaks no TLS).
std::string explain_tls_failure(const std::string& openssl_text);

// The CN of the certificate the peer presented ("" if none).
std::string peer_common_name(SSL* ssl);

}  // namespace runner
