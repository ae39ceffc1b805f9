// vault_api_server --seed SEED.json [--tls-cert CERT.pem --tls-key KEY.pem] [--host 127.0.0.1]
//
// A stand-in for HashiCorp Vault's HTTP API, for tests (README.md here). Listens
// on kernel-chosen ports, announces them on stdout, and lives until SIGTERM,
// SIGINT or end of stdin, so it never outlives a test harness that forgets it.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "tests/vault_server/vault_api.hpp"
#include "tests/vault_server/vault_seed.hpp"

namespace {

struct options {
  std::string seed, tls_cert, tls_key, host = "127.0.0.1";
};

[[noreturn]] void usage_error(const std::string& what) {
  std::fprintf(stderr,
               "vault_api_server: %s\n"
               "usage: vault_api_server --seed SEED.json [--tls-cert CERT.pem --tls-key KEY.pem] [--host ADDR]\n",
               what.c_str());
  std::exit(2);
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string* target = arg == "--seed"       ? &o.seed
                          : arg == "--tls-cert" ? &o.tls_cert
                          : arg == "--tls-key"  ? &o.tls_key
                          : arg == "--host"     ? &o.host
                                                : nullptr;
    if (!target) usage_error("unknown argument " + arg);
    if (i + 1 >= argc) usage_error(arg + " needs a value");
    *target = argv[++i];
  }
  if (o.seed.empty()) usage_error("--seed is required");
  if (o.tls_cert.empty() != o.tls_key.empty()) usage_error("--tls-cert and --tls-key go together");
  for (const auto* f : {&o.tls_cert, &o.tls_key})
    if (!f->empty() && !std::ifstream(*f)) usage_error(*f + ": cannot read the file");
  return o;
}

// Blocks until SIGTERM, SIGINT or end of stdin. The signals are blocked in every
// thread (the mask is inherited), so only this signalfd ever sees them.
void wait_for_stop(int sigfd) {
  pollfd fds[2] = {{sigfd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents) return;
    if (fds[1].revents & POLLNVAL) return;  // no stdin at all
    if (fds[1].revents) {
      char buf[256];
      ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  options opts = parse(argc, argv);

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  int sigfd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up mid-response must not kill us

  std::unique_ptr<vault_stub::vault_state> state;
  try {
    state = vault_stub::load_seed(opts.seed);
  } catch (const vault_stub::seed_error& e) {
    std::fprintf(stderr, "vault_api_server: %s\n", e.what());
    return 2;
  }

  vault_stub::stop_signal stop;
  struct listener {
    std::unique_ptr<httplib::Server> server;
    std::string scheme;
    int port = -1;
  };
  std::vector<listener> listeners;
  listeners.push_back({std::make_unique<httplib::Server>(), "http"});
  if (!opts.tls_cert.empty()) {
    auto tls = std::make_unique<httplib::SSLServer>(opts.tls_cert.c_str(), opts.tls_key.c_str());
    if (!tls->is_valid())
      usage_error("--tls-cert " + opts.tls_cert + " / --tls-key " + opts.tls_key +
                  ": not a usable PEM certificate and matching private key");
    listeners.push_back({std::move(tls), "https"});
  }
  for (auto& l : listeners) {
    // Enough workers that slow (delayed) requests and idle keep-alive
    // connections never starve the others.
    l.server->new_task_queue = [] { return new httplib::ThreadPool(32); };
    vault_stub::install_routes(*l.server, *state, stop);
    l.port = l.server->bind_to_any_port(opts.host);
    if (l.port < 0) {
      std::fprintf(stderr, "vault_api_server: cannot listen on %s\n", opts.host.c_str());
      return 1;
    }
  }
  std::vector<std::thread> threads;
  for (auto& l : listeners) threads.emplace_back([&l] { l.server->listen_after_bind(); });

  // The sockets already listen, so a client may connect as soon as it reads these.
  std::string host = opts.host.find(':') != std::string::npos ? "[" + opts.host + "]" : opts.host;
  for (auto& l : listeners)
    std::printf("vault_api_server listening %s://%s:%d\n", l.scheme.c_str(), host.c_str(), l.port);
  std::printf("vault_api_server ready\n");
  std::fflush(stdout);

  wait_for_stop(sigfd);
  stop.trigger();
  for (auto& l : listeners) l.server->stop();
  // httplib joins its workers only after idle keep-alive connections time out
  // (seconds); nothing here needs an orderly teardown, so leave at once.
  std::fflush(nullptr);
  _exit(0);
}
