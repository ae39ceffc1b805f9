// tls_pingpong: a raw OpenSSL mutual-TLS ping-pong between two processes.
//
// It is the reference for the benchmark of the latency the runner adds when it
// forwards a one-task group to another node over CAF's openssl module: the same
// transport (TCP on loopback, TLS 1.3, both sides present a certificate that
// the other side verifies against a CA), with nothing on top of it.
//
//   tls_pingpong serve --cert C --key K --ca CA [--port 0]
//       Listens on 127.0.0.1 (port 0: any free port), prints "port <N>" on
//       stdout once listening, then accepts connections one after another and
//       echoes every frame (4-byte big-endian length, then that many bytes)
//       until the client closes. Runs until SIGTERM / SIGINT.
//
//   tls_pingpong ping --port N --cert C --key K --ca CA
//                     [--rounds 2000] [--size 64] [--connects 200] [--json]
//       (a) one connection, `rounds` timed round trips of `size`-byte frames
//           (after a few untimed warm-up rounds);
//       (b) `connects` times: TCP connect + full mTLS handshake + one round
//           trip + close, timed as a whole. No session resumption.
//       Prints median / p90 / p99 / mean in microseconds (a table, or one JSON
//       object with --json).
//
// Blocking sockets, TCP_NODELAY, plain POSIX + OpenSSL 3, std::chrono::steady_clock.
// Errors name the step and the file and exit non-zero (2 for usage errors).

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr uint32_t max_frame = 16u << 20;  // 16 MiB: anything larger is a protocol error
constexpr int warmup_rounds = 10;          // untimed rounds before (a)

struct failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* usage_text =
    "usage:\n"
    "  tls_pingpong serve --cert C --key K --ca CA [--port 0]\n"
    "  tls_pingpong ping --port N --cert C --key K --ca CA [--rounds 2000] [--size 64]\n"
    "                    [--connects 200] [--json]\n";

// ---------------------------------------------------------------- errors

// Drains OpenSSL's error queue into one line ("" if it is empty).
std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty())
      out += "; ";
    out += buf;
  }
  return out;
}

std::string errno_text(int err) { return std::string(std::strerror(err)); }

// Describes why SSL_* call `ret` on `ssl` failed, for the message of `step`.
std::string ssl_failure(SSL* ssl, int ret, const std::string& step) {
  int saved_errno = errno;
  int code = SSL_get_error(ssl, ret);
  std::string msg = step + " failed: ";
  std::string queue = openssl_errors();
  switch (code) {
    case SSL_ERROR_ZERO_RETURN:
      msg += "the peer closed the TLS connection (close_notify)";
      break;
    case SSL_ERROR_SYSCALL:
      if (!queue.empty())
        msg += queue;
      else if (saved_errno != 0)
        msg += "system error: " + errno_text(saved_errno);
      else
        msg += "the peer closed the TCP connection without a TLS close_notify";
      break;
    case SSL_ERROR_SSL:
      msg += queue.empty() ? std::string("TLS protocol error") : queue;
      break;
    default:
      msg += "SSL_get_error() = " + std::to_string(code);
      if (!queue.empty())
        msg += " (" + queue + ")";
  }
  long vr = SSL_get_verify_result(ssl);
  if (vr != X509_V_OK)
    msg += std::string(" [peer certificate verification: ") +
           X509_verify_cert_error_string(vr) + "]";
  return msg;
}

// ---------------------------------------------------------------- options

struct options {
  std::string mode;
  std::string cert, key, ca;
  long port = -1;
  long rounds = 2000;
  long size = 64;
  long connects = 200;
  bool json = false;
};

long parse_number(const std::string& flag, const std::string& value, long lo, long hi) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0 || v < lo || v > hi)
    throw usage_error(flag + ": expected an integer in [" + std::to_string(lo) + ", " +
                      std::to_string(hi) + "], got '" + value + "'");
  return v;
}

options parse_options(int argc, char** argv) {
  if (argc < 2)
    throw usage_error("missing mode (serve or ping)");
  options o;
  o.mode = argv[1];
  if (o.mode == "-h" || o.mode == "--help" || o.mode == "help") {
    std::fputs(usage_text, stdout);
    std::exit(0);
  }
  if (o.mode != "serve" && o.mode != "ping")
    throw usage_error("unknown mode '" + o.mode + "' (expected serve or ping)");
  bool ping = o.mode == "ping";
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_inline = false;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
      has_inline = true;
    }
    auto take = [&]() -> std::string {
      if (has_inline)
        return value;
      if (i + 1 >= argc)
        throw usage_error(arg + ": missing value");
      return argv[++i];
    };
    if (arg == "--cert")
      o.cert = take();
    else if (arg == "--key")
      o.key = take();
    else if (arg == "--ca")
      o.ca = take();
    else if (arg == "--port")
      o.port = parse_number(arg, take(), ping ? 1 : 0, 65535);
    else if (ping && arg == "--rounds")
      o.rounds = parse_number(arg, take(), 0, 100000000);
    else if (ping && arg == "--size")
      o.size = parse_number(arg, take(), 0, max_frame);
    else if (ping && arg == "--connects")
      o.connects = parse_number(arg, take(), 0, 100000000);
    else if (ping && arg == "--json" && !has_inline)
      o.json = true;
    else
      throw usage_error("unknown option '" + std::string(argv[i]) + "' for mode " + o.mode);
  }
  if (o.cert.empty())
    throw usage_error("--cert is required");
  if (o.key.empty())
    throw usage_error("--key is required");
  if (o.ca.empty())
    throw usage_error("--ca is required");
  if (o.port < 0) {
    if (ping)
      throw usage_error("--port is required for ping");
    o.port = 0;
  }
  return o;
}

// ---------------------------------------------------------------- TLS context

void check_readable(const std::string& flag, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f)
    throw failure("cannot open " + flag + " file '" + path + "': " + errno_text(errno));
  std::fclose(f);
}

// Both sides: TLS 1.3 only, our certificate chain and key, the peer must present a
// certificate that verifies against --ca.
SSL_CTX* make_context(const options& o, bool server) {
  check_readable("--cert", o.cert);
  check_readable("--key", o.key);
  check_readable("--ca", o.ca);
  SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  if (!ctx)
    throw failure("SSL_CTX_new failed: " + openssl_errors());
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1)
    throw failure("cannot require TLS 1.3: " + openssl_errors());
  if (SSL_CTX_use_certificate_chain_file(ctx, o.cert.c_str()) != 1)
    throw failure("loading --cert '" + o.cert + "' (PEM certificate chain) failed: " +
                  openssl_errors());
  if (SSL_CTX_use_PrivateKey_file(ctx, o.key.c_str(), SSL_FILETYPE_PEM) != 1)
    throw failure("loading --key '" + o.key + "' (PEM private key) failed: " +
                  openssl_errors());
  if (SSL_CTX_check_private_key(ctx) != 1)
    throw failure("--key '" + o.key + "' does not match the certificate in --cert '" +
                  o.cert + "': " + openssl_errors());
  if (SSL_CTX_load_verify_locations(ctx, o.ca.c_str(), nullptr) != 1)
    throw failure("loading CA certificates from --ca '" + o.ca + "' failed: " +
                  openssl_errors());
  if (server) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    // Tell clients which CA we accept (CertificateRequest certificate_authorities).
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.ca.c_str()))
      SSL_CTX_set_client_CA_list(ctx, names);
    else
      ERR_clear_error();
    // A client that just closes its socket ends its connection; not an error.
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  } else {
    // The server's chain must verify against --ca. There is deliberately no host
    // name check (SSL_set1_host): both ends are on 127.0.0.1 and the benchmark
    // only needs the CA check that CAF's openssl module does. A real client would
    // also check the name.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  // Session tickets are left at OpenSSL's defaults (the server sends them after
  // the handshake); the client never resumes, so every handshake is a full one.
  return ctx;
}

// ---------------------------------------------------------------- I/O

void set_nodelay(int fd) {
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
    throw failure("setsockopt(TCP_NODELAY) failed: " + errno_text(errno));
}

// Reads exactly n bytes. Returns false on a clean close before the first byte
// (only if eof_ok); throws otherwise.
bool read_full(SSL* ssl, void* buf, size_t n, const char* step, bool eof_ok = false) {
  auto* p = static_cast<unsigned char*>(buf);
  size_t got = 0;
  while (got < n) {
    size_t r = 0;
    errno = 0;
    int ret = SSL_read_ex(ssl, p + got, n - got, &r);
    if (ret != 1) {
      int code = SSL_get_error(ssl, ret);
      if (eof_ok && got == 0 &&
          (code == SSL_ERROR_ZERO_RETURN || (code == SSL_ERROR_SYSCALL && errno == 0 &&
                                             ERR_peek_error() == 0))) {
        return false;
      }
      throw failure(ssl_failure(ssl, ret, step));
    }
    got += r;
  }
  return true;
}

void write_full(SSL* ssl, const void* buf, size_t n, const char* step) {
  // Blocking socket without SSL_MODE_ENABLE_PARTIAL_WRITE: SSL_write_ex writes all.
  size_t done = 0;
  errno = 0;
  int ret = SSL_write_ex(ssl, buf, n, &done);
  if (ret != 1 || done != n)
    throw failure(ssl_failure(ssl, ret, step));
}

uint32_t get_be32(const unsigned char* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) |
         uint32_t(p[3]);
}

void put_be32(unsigned char* p, uint32_t v) {
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

std::string peer_name(const sockaddr_in& a) {
  char ip[INET_ADDRSTRLEN] = "?";
  inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
  return std::string(ip) + ":" + std::to_string(ntohs(a.sin_port));
}

// ---------------------------------------------------------------- serve

void serve_connection(SSL_CTX* ctx, int fd, const std::string& peer) {
  SSL* ssl = SSL_new(ctx);
  if (!ssl) {
    std::fprintf(stderr, "tls_pingpong serve: SSL_new failed: %s\n", openssl_errors().c_str());
    return;
  }
  SSL_set_fd(ssl, fd);
  bool clean = false;
  try {
    errno = 0;
    int ret = SSL_accept(ssl);
    if (ret != 1)
      throw failure(ssl_failure(ssl, ret, "TLS handshake (SSL_accept)"));
    std::vector<unsigned char> buf(4 + 4096);
    for (;;) {
      unsigned char head[4];
      if (!read_full(ssl, head, 4, "reading a frame header", true))
        break;
      uint32_t len = get_be32(head);
      if (len > max_frame)
        throw failure("frame of " + std::to_string(len) + " bytes is larger than the limit of " +
                      std::to_string(max_frame));
      if (buf.size() < 4 + size_t(len))
        buf.resize(4 + size_t(len));
      std::memcpy(buf.data(), head, 4);
      read_full(ssl, buf.data() + 4, len, "reading a frame body");
      // Header and body in one SSL_write: one TLS record, one TCP segment.
      write_full(ssl, buf.data(), 4 + size_t(len), "echoing a frame");
    }
    clean = true;
  } catch (const failure& e) {
    std::fprintf(stderr, "tls_pingpong serve: connection from %s: %s\n", peer.c_str(), e.what());
  }
  if (clean)
    SSL_shutdown(ssl);  // our close_notify; the client may already be gone
  ERR_clear_error();
  SSL_free(ssl);
  close(fd);
}

int serve(const options& o) {
  SSL_CTX* ctx = make_context(o, true);
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  if (lfd < 0)
    throw failure("socket() failed: " + errno_text(errno));
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(uint16_t(o.port));
  if (bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw failure("bind(127.0.0.1:" + std::to_string(o.port) + ") failed: " + errno_text(errno));
  if (listen(lfd, 64) != 0)
    throw failure("listen() failed: " + errno_text(errno));
  socklen_t alen = sizeof addr;
  if (getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0)
    throw failure("getsockname() failed: " + errno_text(errno));
  std::printf("port %u\n", unsigned(ntohs(addr.sin_port)));
  std::fflush(stdout);
  for (;;) {
    sockaddr_in peer{};
    socklen_t plen = sizeof peer;
    int fd = accept(lfd, reinterpret_cast<sockaddr*>(&peer), &plen);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      throw failure("accept() failed: " + errno_text(errno));
    }
    try {
      set_nodelay(fd);
    } catch (const failure& e) {
      std::fprintf(stderr, "tls_pingpong serve: %s\n", e.what());
      close(fd);
      continue;
    }
    serve_connection(ctx, fd, peer_name(peer));
  }
}

// ---------------------------------------------------------------- ping

using steady = std::chrono::steady_clock;

double micros(steady::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

struct connection {
  int fd = -1;
  SSL* ssl = nullptr;
  ~connection() {
    if (ssl)
      SSL_free(ssl);
    if (fd >= 0)
      close(fd);
  }
};

// TCP connect to 127.0.0.1:port and a full mutual-TLS handshake.
void open_connection(connection& c, SSL_CTX* ctx, long port) {
  c.fd = socket(AF_INET, SOCK_STREAM, 0);
  if (c.fd < 0)
    throw failure("socket() failed: " + errno_text(errno));
  set_nodelay(c.fd);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(uint16_t(port));
  if (connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw failure("TCP connect to 127.0.0.1:" + std::to_string(port) +
                  " failed: " + errno_text(errno));
  c.ssl = SSL_new(ctx);
  if (!c.ssl)
    throw failure("SSL_new failed: " + openssl_errors());
  SSL_set_fd(c.ssl, c.fd);
  errno = 0;
  int ret = SSL_connect(c.ssl);
  if (ret != 1)
    throw failure(ssl_failure(c.ssl, ret, "TLS handshake with 127.0.0.1:" +
                                              std::to_string(port) + " (SSL_connect)"));
  if (SSL_get_verify_result(c.ssl) != X509_V_OK)  // redundant with SSL_VERIFY_PEER; cheap
    throw failure("server certificate did not verify against --ca");
}

void close_connection(connection& c) {
  SSL_shutdown(c.ssl);  // sends our close_notify; does not wait for the server's
  SSL_free(c.ssl);
  c.ssl = nullptr;
  close(c.fd);
  c.fd = -1;
}

// One frame out, the echo back, checked against what was sent.
void round_trip(SSL* ssl, std::vector<unsigned char>& out, std::vector<unsigned char>& in,
                bool first) {
  // In TLS 1.3 the client's handshake ends before the server has checked the
  // client certificate, so a server that refuses our certificate shows up as an
  // alert on the first read after the handshake.
  const char* rstep = first ? "reading the first reply (the server checks our certificate "
                              "only now, in TLS 1.3)"
                            : "reading a reply";
  write_full(ssl, out.data(), out.size(), "sending a frame");
  unsigned char head[4];
  read_full(ssl, head, 4, rstep);
  uint32_t len = get_be32(head);
  if (len != out.size() - 4)
    throw failure("reply has " + std::to_string(len) + " bytes, expected " +
                  std::to_string(out.size() - 4));
  read_full(ssl, in.data(), len, rstep);
}

void check_echo(const std::vector<unsigned char>& out, const std::vector<unsigned char>& in) {
  if (!std::equal(out.begin() + 4, out.end(), in.begin()))
    throw failure("reply differs from the frame sent");
}

void fill(std::vector<unsigned char>& out, long round) {
  // Vary the payload each round so a stale reply cannot pass the check.
  for (size_t i = 4; i < out.size(); ++i)
    out[i] = static_cast<unsigned char>((round * 131 + i) & 0xff);
}

struct stats {
  size_t n = 0;
  double median = 0, p90 = 0, p99 = 0, mean = 0;
};

// Percentiles by linear interpolation between closest ranks (numpy's default;
// the median of an even count is the mean of the two middle values).
stats summarize(std::vector<double> v) {
  stats s;
  s.n = v.size();
  if (v.empty())
    return s;
  std::sort(v.begin(), v.end());
  auto pct = [&](double p) {
    double pos = p * double(v.size() - 1);
    size_t lo = size_t(pos);
    size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - double(lo));
  };
  s.median = pct(0.5);
  s.p90 = pct(0.9);
  s.p99 = pct(0.99);
  double sum = 0;
  for (double x : v)
    sum += x;
  s.mean = sum / double(v.size());
  return s;
}

std::string json_stats(const stats& s) {
  if (s.n == 0)
    return "null";
  char buf[256];
  std::snprintf(buf, sizeof buf, "{\"median\": %.2f, \"p90\": %.2f, \"p99\": %.2f, \"mean\": %.2f}",
                s.median, s.p90, s.p99, s.mean);
  return buf;
}

void print_row(const char* name, const stats& s) {
  if (s.n == 0)
    std::printf("%-32s %8s\n", name, "skipped");
  else
    std::printf("%-32s %8zu %9.1f %9.1f %9.1f %9.1f\n", name, s.n, s.median, s.p90, s.p99, s.mean);
}

int ping(const options& o) {
  SSL_CTX* ctx = make_context(o, false);
  std::vector<unsigned char> out(4 + size_t(o.size)), in(size_t(o.size) + 1);
  put_be32(out.data(), uint32_t(o.size));
  std::string version = "?", cipher = "?";

  // (a) round trips on one connection.
  std::vector<double> rtt;
  rtt.reserve(size_t(o.rounds));
  if (o.rounds > 0) {
    connection c;
    open_connection(c, ctx, o.port);
    version = SSL_get_version(c.ssl);
    cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(c.ssl));
    for (long i = 0; i < warmup_rounds + o.rounds; ++i) {
      fill(out, i);
      auto t0 = steady::now();
      round_trip(c.ssl, out, in, i == 0);
      auto t1 = steady::now();
      check_echo(out, in);
      if (i >= warmup_rounds)
        rtt.push_back(micros(t1 - t0));
    }
    close_connection(c);
  }

  // (b) connect + handshake + one round trip + close, each time from scratch.
  std::vector<double> conn_rtt;
  conn_rtt.reserve(size_t(o.connects));
  for (long i = 0; i < o.connects; ++i) {
    fill(out, i);
    connection c;
    auto t0 = steady::now();
    open_connection(c, ctx, o.port);
    round_trip(c.ssl, out, in, true);
    if (i == 0 && version == "?") {  // (a) skipped: a string copy once, off the hot path
      version = SSL_get_version(c.ssl);
      cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(c.ssl));
    }
    close_connection(c);
    auto t1 = steady::now();
    check_echo(out, in);
    conn_rtt.push_back(micros(t1 - t0));
  }

  stats a = summarize(rtt), b = summarize(conn_rtt);
  if (o.json) {
    std::printf("{\"rtt_us\": %s, \"connect_rtt_us\": %s, \"rounds\": %ld, \"connects\": %ld, "
                "\"size\": %ld, \"warmup\": %d, \"tls\": {\"version\": \"%s\", \"cipher\": \"%s\"}}\n",
                json_stats(a).c_str(), json_stats(b).c_str(), o.rounds, o.connects, o.size,
                o.rounds > 0 ? warmup_rounds : 0, version.c_str(), cipher.c_str());
  } else {
    std::printf("%s %s, %ld-byte messages, 127.0.0.1:%ld (microseconds)\n", version.c_str(),
                cipher.c_str(), o.size, o.port);
    std::printf("%-32s %8s %9s %9s %9s %9s\n", "", "n", "median", "p90", "p99", "mean");
    print_row("round trip (one connection)", a);
    print_row("connect+handshake+rtt+close", b);
  }
  std::fflush(stdout);
  SSL_CTX_free(ctx);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a peer that went away is an EPIPE, not a signal
  options o;
  try {
    o = parse_options(argc, argv);
  } catch (const usage_error& e) {
    std::fprintf(stderr, "tls_pingpong: %s\n%s", e.what(), usage_text);
    return 2;
  }
  try {
    return o.mode == "serve" ? serve(o) : ping(o);
  } catch (const failure& e) {
    std::fprintf(stderr, "tls_pingpong %s: error: %s\n", o.mode.c_str(), e.what());
    return 1;
  }
}
