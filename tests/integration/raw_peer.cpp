#include "raw_peer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "harness.hpp"

namespace runner::test {

using clock_type = std::chrono::steady_clock;

namespace {
// OpenSSL writes with write(2): a node that closed first must give the test
// EPIPE, not SIGPIPE.
const bool kNoSigpipe = [] {
  signal(SIGPIPE, SIG_IGN);
  return true;
}();
}  // namespace

int connect_raw(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

size_t send_all(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      break;
    sent += static_cast<size_t>(n);
  }
  return sent;
}

namespace {

int ms_left(clock_type::time_point end) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - clock_type::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Blocking reads and writes give up after `limit` instead of hanging a test.
void set_io_timeout(int fd, std::chrono::milliseconds limit) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(limit.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((limit.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string ssl_errors() {
  std::string out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    out += out.empty() ? "" : "; ";
    out += buf;
  }
  return out.empty() ? "TLS failed" : out;
}

SSL_CTX* make_ctx(bool server, const std::string& cert, const std::string& key,
                  const std::string& ca, std::string& error) {
  SSL_CTX* ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) {
    error = ssl_errors();
    if (ctx)
      SSL_CTX_free(ctx);
    return nullptr;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return ctx;
}

// Reads until the session ends or `limit` passes; true if it ended.
bool ssl_closed_within(SSL* ssl, int fd, std::chrono::milliseconds limit) {
  auto end = clock_type::now() + limit;
  char buf[16 * 1024];
  while (true) {
    if (SSL_pending(ssl) == 0) {
      pollfd p{fd, POLLIN, 0};
      int r = poll(&p, 1, ms_left(end));
      if (r == 0)
        return false;
      if (r < 0 && errno != EINTR)
        return true;
    }
    ERR_clear_error();
    int n = SSL_read(ssl, buf, sizeof buf);
    if (n > 0)
      continue;
    int e = SSL_get_error(ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      if (ms_left(end) == 0)
        return false;
      continue;
    }
    return true;  // close_notify, EOF, reset or a TLS alert: the node is gone
  }
}

bool ssl_send(SSL* ssl, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ERR_clear_error();
    int n = SSL_write(ssl, bytes.data() + sent, static_cast<int>(bytes.size() - sent));
    if (n <= 0)
      return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

size_t status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream s(line.substr(field.size() + 1));
      size_t kib = 0;
      s >> kib;
      return kib;
    }
  return 0;
}

}  // namespace

bool closed_within(int fd, std::chrono::milliseconds limit) {
  auto end = clock_type::now() + limit;
  char buf[16 * 1024];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, ms_left(end));
    if (r == 0)
      return false;
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return true;
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0 && !(n < 0 && errno == EINTR))
      return true;
  }
}

std::string receive_exactly(int fd, size_t n, std::chrono::milliseconds limit) {
  auto end = clock_type::now() + limit;
  std::string out;
  char buf[16 * 1024];
  while (out.size() < n) {
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, ms_left(end));
    if (r == 0)
      return out;
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return out;
    }
    ssize_t got = recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return out;
    out.append(buf, static_cast<size_t>(got));
  }
  return out;
}

std::string basp_header_bytes(uint8_t operation, uint32_t payload_len, uint64_t operation_data,
                              uint64_t source_actor, uint64_t dest_actor) {
  std::string h(32, '\0');
  auto put = [&](size_t at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
      h[at + static_cast<size_t>(i)] = static_cast<char>((v >> (8 * (bytes - 1 - i))) & 0xff);
  };
  h[0] = static_cast<char>(operation);  // then two padding bytes and the flags byte
  put(4, payload_len, 4);
  put(8, operation_data, 8);
  put(16, source_actor, 8);
  put(24, dest_actor, 8);
  return h;
}

tls_session::tls_session(int fd, side as, const std::string& cert, const std::string& key,
                         const std::string& ca, std::chrono::milliseconds limit)
    : fd_(fd) {
  if (fd_ < 0) {
    error_ = "no connection";
    return;
  }
  set_io_timeout(fd_, limit);
  ctx_ = make_ctx(as == side::server, cert, key, ca, error_);
  if (!ctx_)
    return;
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  ERR_clear_error();
  if ((as == side::server ? SSL_accept(ssl_) : SSL_connect(ssl_)) != 1) {
    error_ = ssl_errors();
    return;
  }
  ok_ = true;
}

tls_session::~tls_session() {
  if (ssl_)
    SSL_free(ssl_);
  if (ctx_)
    SSL_CTX_free(ctx_);
  if (fd_ >= 0)
    close(fd_);
}

bool tls_session::send(const std::string& bytes) { return ok_ && ssl_send(ssl_, bytes); }

bool tls_session::closed_within(std::chrono::milliseconds limit) {
  return !ok_ || ssl_closed_within(ssl_, fd_, limit);
}

raw_listener::raw_listener() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      listen(fd_, 16) != 0)
    return;
  socklen_t len = sizeof a;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
}

raw_listener::~raw_listener() {
  if (fd_ >= 0)
    close(fd_);
}

int raw_listener::accept_within(std::chrono::milliseconds limit) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(limit.count())) != 1)
    return -1;
  return accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
}

size_t rss_bytes(pid_t pid) { return status_kib(pid, "VmRSS") * 1024; }
size_t peak_rss_bytes(pid_t pid) { return status_kib(pid, "VmHWM") * 1024; }

double cpu_seconds(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos)
    return 0;
  std::istringstream in(stat.substr(close_paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i < 14; ++i)  // fields 3..13 come before utime (14) and stime (15)
    in >> field;
  in >> utime >> stime;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace runner::test
