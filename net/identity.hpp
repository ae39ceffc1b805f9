#pragma once
// Application-level peer identity for the mesh (SPEC.md §8).
//
// CAF 0.17's TLS transport verifies the peer's chain but exposes no peer
// certificate, and takes sender ids from the peer's own bytes. So a submitter
// proves who it is per request: the node hands out a fresh nonce, the submitter
// signs proof_statement(node, nonce, request_hash) with its certificate's key and
// sends its certificate PEM along; the node verifies the certificate against its
// CA, takes the CN as the identity, checks the signature, and redeems the nonce
// once only. Pure OpenSSL 3, no CAF, so it can be tested on its own.
#include <chrono>
#include <cstddef>
#include <ctime>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace runner {

// Limits on what a peer may send: anything larger is refused before parsing.
inline constexpr size_t kMaxPeerCertPem = 64 * 1024;
inline constexpr size_t kMaxProofSignature = 1024;

// This node's certificate and private key; immutable after load, so one
// instance can be shared by every actor that signs.
struct tls_identity;

struct identity_load {
  std::shared_ptr<const tls_identity> identity;  // null on error
  std::string error;                             // what is wrong and what to do
};

// Loads and checks a node's TLS material at startup: files readable and PEM,
// an unencrypted key that matches the certificate, a certificate that verifies
// against the CA file (chain and validity dates) and has exactly one CN.
identity_load load_tls_identity(const std::string& cert_file, const std::string& key_file,
                                const std::string& ca_file);

const std::string& identity_name(const tls_identity& id);  // the certificate's CN
// The leaf certificate as PEM, followed by any intermediate certificates the
// cert file holds after it; sent with each request.
const std::string& identity_cert_pem(const tls_identity& id);

// The exact bytes signed. Domain-separated ("runner-request-v1") so that a
// signature made for a request cannot be replayed for another purpose.
std::string proof_statement(const std::string& node, const std::string& nonce,
                            const std::string& request_hash);

// Signs proof_statement(node, nonce, request_hash) with the identity's key
// (RSA, EC, Ed25519 or Ed448) and returns the raw signature bytes. Throws
// std::invalid_argument if node or nonce contain a newline (it would make the
// statement ambiguous) and std::runtime_error if OpenSSL fails.
std::string sign_proof(const tls_identity& id, const std::string& node, const std::string& nonce,
                       const std::string& request_hash);

struct peer_check {
  bool ok = false;
  std::string name;   // the certificate's CN, when ok
  std::string error;  // why the proof was refused, when !ok
};

// The CA a node trusts. Thread-safe: check_proof may run on several threads.
class trust_store {
 public:
  static std::pair<std::shared_ptr<trust_store>, std::string> load(const std::string& ca_file);

  // Verifies the PEM leaf (optionally followed by intermediates) against the CA
  // (chain, dates, usable for TLS client authentication), takes its CN, and
  // checks `signature` over proof_statement(node, nonce, request_hash) with its
  // public key. cert_pem and signature come from the network: any bytes give
  // ok=false with a reason, never a crash.
  peer_check check_proof(const std::string& cert_pem, const std::string& node,
                         const std::string& nonce, const std::string& request_hash,
                         const std::string& signature) const;
  // The same at a given wall-clock time (tests: expiry of a cached certificate).
  peer_check check_proof_at(std::time_t now, const std::string& cert_pem, const std::string& node,
                            const std::string& nonce, const std::string& request_hash,
                            const std::string& signature) const;

  size_t cached_certificates() const;  // for tests and status

  struct impl;  // OpenSSL objects; defined in identity.cpp
  explicit trust_store(std::unique_ptr<impl> p);
  ~trust_store();
  trust_store(const trust_store&) = delete;
  trust_store& operator=(const trust_store&) = delete;

 private:
  std::unique_ptr<impl> impl_;
};

std::string random_nonce();  // 32 bytes from RAND_bytes, hex-encoded (64 chars)
std::string sha256_hex(std::string_view bytes);

// Nonces issued by a node: each redeemable once, within `ttl`, bounded in number
// (the oldest is dropped when full). Not thread-safe: owned by one actor.
class nonce_book {
 public:
  using clock = std::chrono::steady_clock;

  explicit nonce_book(std::chrono::milliseconds ttl = std::chrono::seconds(60),
                      size_t capacity = 4096);

  std::string issue() { return issue(clock::now()); }
  std::string issue(clock::time_point now);
  // True exactly once for a nonce this book issued that has not expired.
  bool redeem(const std::string& nonce) { return redeem(nonce, clock::now()); }
  bool redeem(const std::string& nonce, clock::time_point now);

  size_t outstanding() const { return issued_.size(); }

 private:
  void drop_expired(clock::time_point now);

  struct entry {
    clock::time_point issued;
    std::list<std::string>::iterator order;
  };
  std::chrono::milliseconds ttl_;
  size_t capacity_;
  std::list<std::string> order_;  // oldest first
  std::unordered_map<std::string, entry> issued_;
};

}  // namespace runner
