#include "net/tls_probe.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace runner {

namespace {

using clock = std::chrono::steady_clock;

struct fd_closer {
  int fd = -1;
  ~fd_closer() {
    if (fd >= 0)
      close(fd);
  }
};

int left_ms(clock::time_point until) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now()).count();
  return ms > 0 ? static_cast<int>(ms) : 0;
}

// Waits until `fd` is ready for `events` or the deadline passes.
bool wait_for(int fd, short events, clock::time_point until) {
  pollfd p{fd, events, 0};
  for (;;) {
    int n = poll(&p, 1, left_ms(until));
    if (n > 0)
      return true;
    if (n == 0 || errno != EINTR)
      return false;
  }
}

std::string ssl_error_text() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out;
}

std::string connect_tcp(const std::string& host, uint16_t port, clock::time_point until,
                        fd_closer& sock) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0)
    return "cannot resolve `" + host + "`: " + gai_strerror(rc);
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);
  std::string last = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    fd_closer s;
    s.fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (s.fd < 0) {
      last = std::strerror(errno);
      continue;
    }
    if (connect(s.fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = std::strerror(errno);
      continue;
    }
    if (!wait_for(s.fd, POLLOUT, until))
      return "no TCP connection within the connect timeout";
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      last = std::strerror(err);
      continue;
    }
    sock.fd = s.fd;
    s.fd = -1;
    return {};
  }
  return last;
}

}  // namespace

std::string probe_tls(const std::string& host, uint16_t port, const tls_files& files,
                      std::chrono::milliseconds deadline) {
  auto until = clock::now() + deadline;
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                       SSL_CTX_free);
  if (!ctx || SSL_CTX_use_certificate_chain_file(ctx.get(), files.cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx.get(), files.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(ctx.get(), files.ca.c_str(), nullptr) != 1) {
    std::string why = ssl_error_text();
    return "cannot load this node's TLS files: " + why;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  fd_closer sock;
  if (auto err = connect_tcp(host, port, until, sock); !err.empty())
    return err;
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), sock.fd);
  for (;;) {
    int rc = SSL_connect(ssl.get());
    if (rc == 1)
      break;
    int err = SSL_get_error(ssl.get(), rc);
    short events = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    if (events == 0) {
      std::string why = ssl_error_text();
      if (why.empty())
        why = rc == 0 || errno == 0 ? "the other side closed the connection"
                                    : std::string(std::strerror(errno));
      return "TLS handshake failed: " + why;
    }
    if (!wait_for(sock.fd, events, until))
      return "connected, but no TLS handshake within the connect timeout (the node may be frozen "
             "or overloaded)";
  }
  // TLS 1.3: the server checks our certificate after the client's side of the
  // handshake is done; a refusal arrives as an alert on the first read.
  char byte;
  int rc = SSL_peek(ssl.get(), &byte, 1);
  if (rc <= 0) {
    int err = SSL_get_error(ssl.get(), rc);
    if (err != SSL_ERROR_WANT_READ) {
      std::string why = ssl_error_text();
      if (!why.empty())
        return "the node refused this node's certificate: " + why;
    }
  }
  SSL_shutdown(ssl.get());
  return {};
}

}  // namespace runner
