#include "net/gate_link.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "net/gate_tls.hpp"

namespace runner {

gate_link::~gate_link() {
  if (ssl)
    SSL_free(ssl);
  if (net >= 0)
    ::close(net);
  if (caf >= 0)
    ::close(caf);
}

namespace {

bool would_block(int e) { return e == EAGAIN || e == EWOULDBLOCK || e == EINTR; }

// Why a TLS call failed, for a person: OpenSSL's own words if it has any.
std::string tls_failure(int ssl_error, int rc) {
  std::string why = take_ssl_errors();
  if (ssl_error == SSL_ERROR_ZERO_RETURN)
    return "the peer closed the connection";
  if (why.find("unexpected eof") != std::string::npos || (why.empty() && rc == 0))
    return "the peer closed the connection";
  if (why.empty())
    why = errno ? std::strerror(errno) : "the connection failed";
  return explain_tls_failure(why);
}

}  // namespace

long link_read(gate_link& l, uint8_t* p, size_t n) {
  if (!l.ssl) {
    ssize_t r = ::recv(l.net, p, n, 0);
    if (r > 0)
      return r;
    if (r < 0 && would_block(errno))
      return 0;
    l.close_reason = r == 0 ? "the peer closed the connection" : std::strerror(errno);
    return -1;
  }
  l.read_wants_write = false;
  ERR_clear_error();
  int r = SSL_read(l.ssl, p, static_cast<int>(std::min<size_t>(n, 1 << 30)));
  if (r > 0)
    return r;
  int e = SSL_get_error(l.ssl, r);
  if (e == SSL_ERROR_WANT_READ)
    return 0;
  if (e == SSL_ERROR_WANT_WRITE) {
    l.read_wants_write = true;
    return 0;
  }
  l.close_reason = tls_failure(e, r);
  return -1;
}

long link_write(gate_link& l, const uint8_t* p, size_t n) {
  if (!l.ssl) {
    ssize_t w = ::send(l.net, p, n, MSG_NOSIGNAL);
    if (w > 0)
      return w;
    if (w < 0 && would_block(errno))
      return 0;
    l.close_reason = w == 0 ? "the peer closed the connection" : std::strerror(errno);
    return -1;
  }
  l.write_wants_read = false;
  ERR_clear_error();
  int w = SSL_write(l.ssl, p, static_cast<int>(std::min<size_t>(n, 1 << 30)));
  if (w > 0)
    return w;
  int e = SSL_get_error(l.ssl, w);
  if (e == SSL_ERROR_WANT_WRITE)
    return 0;
  if (e == SSL_ERROR_WANT_READ) {
    l.write_wants_read = true;
    return 0;
  }
  l.close_reason = tls_failure(e, w);
  return -1;
}

bool step_tls_handshake(gate_link& l) {
  l.tls_want_write = false;
  ERR_clear_error();
  int r = l.role == basp_role::accepted ? SSL_accept(l.ssl) : SSL_connect(l.ssl);
  if (r == 1) {
    l.proven = true;  // OpenSSL checked the peer's chain against the mesh CA
    return true;
  }
  int e = SSL_get_error(l.ssl, r);
  if (e == SSL_ERROR_WANT_READ)
    return false;
  if (e == SSL_ERROR_WANT_WRITE) {
    l.tls_want_write = true;
    return false;
  }
  l.close_reason = "TLS handshake failed: " + tls_failure(e, r);
  return false;
}

bool accept_peer_bytes(gate_link& l, const uint8_t* p, size_t n, uint32_t max_payload,
                       unproven_budget& budget) {
  while (n > 0) {
    if (l.payload_left > 0) {
      size_t take = static_cast<size_t>(std::min<uint64_t>(l.payload_left, n));
      l.to_caf.insert(l.to_caf.end(), p, p + take);
      l.payload_left -= take;
      p += take;
      n -= take;
      continue;
    }
    size_t take = std::min(kBaspHeaderSize - l.header_have, n);
    std::memcpy(l.header + l.header_have, p, take);
    l.header_have += take;
    p += take;
    n -= take;
    if (l.header_have < kBaspHeaderSize)
      break;
    basp_header h = decode_basp_header(l.header);
    std::string why = check_basp_header(h, l.role, l.first_frame, max_payload);
    if (!why.empty()) {
      l.close_reason = "it sent " + why;
      l.bad_frame = true;
      return false;
    }
    if (!l.proven) {
      // CAF keeps a buffer as large as the largest frame a connection brought.
      size_t need = kBaspHeaderSize + h.payload_len;
      if (need > l.held) {
        size_t extra = need - l.held;
        if (budget.held + extra > budget.limit) {
          l.close_reason = "a frame of " + std::to_string(h.payload_len) +
                           " bytes would pass the bound on what unauthenticated connections may "
                           "hold together (" + std::to_string(budget.limit) + " bytes)";
          l.bad_frame = true;
          return false;
        }
        budget.held += extra;
        l.held = need;
      }
    }
    l.first_frame = false;
    l.to_caf.insert(l.to_caf.end(), l.header, l.header + kBaspHeaderSize);
    l.header_have = 0;
    l.payload_left = h.payload_len;
  }
  return true;
}

namespace {

// Bytes the peer may still send before CAF has an end to read them (a
// dialled link, until its server handshake is complete).
constexpr size_t kBeforeHandover = 2 * kMaxBaspHandshake + 2 * kBaspHeaderSize;

bool may_read_peer(const gate_link& l) {
  if (l.caf_eof)
    return false;
  if (l.caf >= 0)
    return l.to_caf.empty();
  return l.to_caf.size() < kBeforeHandover && (l.first_frame || l.payload_left > 0);
}

}  // namespace

bool link_wants_peer_bytes(const gate_link& l) { return may_read_peer(l); }

pump_result pump_link(gate_link& l, uint32_t max_payload, unproven_budget& budget) {
  static thread_local uint8_t chunk[kGateChunk];
  for (int round = 0; round < 16; ++round) {
    bool moved = false;
    if (l.caf >= 0 && l.to_caf_sent < l.to_caf.size()) {
      ssize_t w = ::send(l.caf, l.to_caf.data() + l.to_caf_sent, l.to_caf.size() - l.to_caf_sent,
                         MSG_NOSIGNAL);
      if (w > 0) {
        l.to_caf_sent += static_cast<size_t>(w);
        moved = true;
      } else if (w < 0 && !would_block(errno)) {
        l.close_reason = "this runner closed the connection";
        return {};
      }
      if (l.to_caf_sent == l.to_caf.size()) {
        l.to_caf.clear();
        l.to_caf_sent = 0;
      }
    }
    if (may_read_peer(l)) {
      long r = link_read(l, chunk, sizeof chunk);
      if (r < 0)
        return {};
      if (r > 0) {
        l.last_rx = gate_clock::now();
        moved = true;
        if (!accept_peer_bytes(l, chunk, static_cast<size_t>(r), max_payload, budget))
          return {};
      }
    }
    if (l.to_net_sent < l.to_net.size()) {
      long w = link_write(l, l.to_net.data() + l.to_net_sent, l.to_net.size() - l.to_net_sent);
      if (w < 0)
        return {};
      if (w > 0) {
        l.to_net_sent += static_cast<size_t>(w);
        l.last_tx_progress = gate_clock::now();
        moved = true;
      }
      if (l.to_net_sent == l.to_net.size()) {
        l.to_net.clear();
        l.to_net_sent = 0;
      }
    } else if (l.caf >= 0 && !l.caf_eof) {
      l.to_net.resize(kGateChunk);
      ssize_t r = ::recv(l.caf, l.to_net.data(), kGateChunk, 0);
      if (r > 0) {
        l.to_net.resize(static_cast<size_t>(r));
        l.last_tx_progress = gate_clock::now();
        moved = true;
      } else {
        l.to_net.clear();
        if (r == 0 || !would_block(errno))
          l.caf_eof = true;
      }
    }
    if (l.caf_eof && l.to_net.empty()) {
      l.close_reason = "this runner closed the connection";
      return {};
    }
    if (!moved)
      return {};
  }
  return {true};
}

}  // namespace runner
