#include "net/gate.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "net/gate_link.hpp"
#include "net/peer_address.hpp"

namespace runner {

namespace {

enum : uint64_t { kNet = 0, kCaf = 1, kListener = 2, kWake = 3 };

uint64_t tag(uint64_t id, uint64_t kind) { return id << 2 | kind; }

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", d.count() / 1000.0);
  return buf;
}

void no_delay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Numeric addresses and localhost need no resolver; anything else does,
// which may block, so it is resolved on a thread of its own.
bool numeric_address(const std::string& host, uint16_t port, sockaddr_storage& out,
                     socklen_t& len) {
  std::string h = host == "localhost" ? "127.0.0.1" : host;
  if (h.size() > 2 && h.front() == '[' && h.back() == ']')
    h = h.substr(1, h.size() - 2);
  std::memset(&out, 0, sizeof out);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  if (inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

}  // namespace

struct gate::impl : std::enable_shared_from_this<gate::impl> {
  gate_limits limits;
  ssl_ctx_ptr ctx;  // null: plain TCP
  int ep = -1, wake = -1;
  std::thread thread;

  std::mutex mu;  // guards posted, stopping
  std::vector<std::function<void()>> posted;
  bool stopping = false;

  mutable std::mutex counters_mu;
  gate_counters counts;

  // The gate thread's own.
  struct listener {
    int fd = -1;
    uint16_t port = 0;
    accepted_fn on_accepted;
    // Out of file descriptors: the listener rests until then (a level-
    // triggered listener would report the waiting connection at once again).
    gate_clock::time_point resting_until{};
  };
  std::map<uint64_t, listener> listeners;
  std::map<uint64_t, std::unique_ptr<gate_link>> links;
  std::map<uint64_t, connected_fn> dialling;  // dialled links not yet handed over
  std::map<uint64_t, uint64_t> accepted_by;   // accepted link -> listener
  std::map<std::string, size_t> per_address;
  size_t accepted_open = 0;
  unproven_budget budget;
  std::set<uint64_t> ready;  // pump again without waiting
  uint64_t next_id = 1;
  std::map<std::string, std::pair<gate_clock::time_point, size_t>> logged;  // rate limit

  ~impl() {
    for (auto& [id, l] : listeners)
      ::close(l.fd);
    if (ep >= 0)
      ::close(ep);
    if (wake >= 0)
      ::close(wake);
  }

  // -- any thread --------------------------------------------------------------

  void post(std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> g(mu);
      posted.push_back(std::move(fn));
    }
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake, &one, sizeof one);
  }

  void count(size_t gate_counters::*field) {
    std::lock_guard<std::mutex> g(counters_mu);
    ++(counts.*field);
  }

  // -- gate thread -------------------------------------------------------------

  // One warning per address per 10 s, with how many were held back.
  void warn(const std::string& address, const std::string& text) {
    auto now = gate_clock::now();
    if (logged.size() > 4096)
      logged.clear();
    auto& [last, held_back] = logged[host_of(address)];
    if (last != gate_clock::time_point{} && now - last < std::chrono::seconds(10)) {
      ++held_back;
      return;
    }
    if (held_back)
      spdlog::warn("connection from {}: {} (and {} more from that address since)", address, text,
                   held_back);
    else
      spdlog::warn("connection from {}: {}", address, text);
    last = now;
    held_back = 0;
  }

  void set_events(int fd, uint64_t t, uint32_t want, uint32_t& have, bool& registered) {
    if (registered && want == have)
      return;
    epoll_event ev{};
    ev.events = want;
    ev.data.u64 = t;
    // An fd without interest leaves epoll: EPOLLHUP and EPOLLERR cannot be
    // masked, so a hung-up socket we do not want to read would wake the
    // loop again and again.
    if (want == 0) {
      if (registered)
        epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
      registered = false;
    } else if (!registered) {
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      registered = true;
    } else {
      epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
    }
    have = want;
  }

  struct masks {
    uint32_t net = 0, caf = 0;
    bool net_on = false, caf_on = false;
  };
  std::map<uint64_t, masks> registered;

  void update_interest(gate_link& l) {
    auto& m = registered[l.id];
    uint32_t net = 0;
    using st = gate_link::stage;
    if (l.at == st::connecting)
      net = EPOLLOUT;
    else if (l.at == st::tls)
      net = l.tls_want_write ? EPOLLOUT : EPOLLIN;
    else if (l.at == st::open) {
      // A read that OpenSSL said must first write waits for EPOLLOUT, a
      // write that must first read for EPOLLIN; asking for the usual event
      // instead would wake the loop to get the same answer again.
      if (link_wants_peer_bytes(l))
        net |= l.read_wants_write ? EPOLLOUT : EPOLLIN;
      if (l.to_net_sent < l.to_net.size())
        net |= l.write_wants_read ? EPOLLIN : EPOLLOUT;
    }
    set_events(l.net, tag(l.id, kNet), net, m.net, m.net_on);
    if (l.caf >= 0) {
      uint32_t caf = 0;
      if (!l.caf_eof && l.to_net.empty())
        caf |= EPOLLIN;
      if (l.to_caf_sent < l.to_caf.size())
        caf |= EPOLLOUT;
      set_events(l.caf, tag(l.id, kCaf), caf, m.caf, m.caf_on);
    }
  }

  // The gate's end of a fresh socketpair in l.caf; returns CAF's end, or -1.
  int open_caf_side(gate_link& l) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) {
      l.close_reason = std::string("no socketpair for CAF: ") + std::strerror(errno);
      return -1;
    }
    l.caf = sv[0];
    return sv[1];
  }

  void close_link(uint64_t id) {
    auto i = links.find(id);
    if (i == links.end())
      return;
    std::unique_ptr<gate_link> l = std::move(i->second);
    links.erase(i);
    registered.erase(id);
    ready.erase(id);
    budget.held -= l->held;
    if (auto d = dialling.find(id); d != dialling.end()) {
      connected_fn done = std::move(d->second);
      dialling.erase(d);
      std::string why = l->close_reason.empty() ? "the peer closed the connection" : l->close_reason;
      // A node that refuses a runner (too many connections, a bad frame)
      // just closes; say where in the exchange that happened.
      if (l->at == gate_link::stage::open && l->first_frame &&
          why == "the peer closed the connection")
        why = "the node closed the connection before its BASP handshake (it may have refused "
              "this runner: its log says why)";
      done(-1, why);
    }
    if (accepted_by.erase(id)) {
      --accepted_open;
      if (--per_address[l->address_key] == 0)
        per_address.erase(l->address_key);
      if (l->bad_frame)
        warn(l->peer, "closed: " + l->close_reason);
      else if (l->at != gate_link::stage::open && !l->close_reason.empty())
        spdlog::debug("connection from {} closed during its handshake: {}", l->peer,
                      l->close_reason);
    } else if (l->bad_frame) {
      warn(l->peer, "closed: " + l->close_reason);
    }
    if (l->bad_frame)
      count(&gate_counters::bad_frames);
    {
      std::lock_guard<std::mutex> g(counters_mu);
      --counts.open;
      counts.unproven_held = budget.held;
    }
    // ~gate_link closes both sockets (which takes them out of epoll).
  }

  // The link is open: hand an accepted link's CAF end over; a dialled one
  // waits for its node's handshake frame (see gate::connect).
  void opened(gate_link& l) {
    l.at = gate_link::stage::open;
    l.last_rx = gate_clock::now();
    if (l.role != basp_role::accepted)
      return;
    int fd = open_caf_side(l);
    if (fd < 0)
      return;
    auto& lst = listeners.at(accepted_by.at(l.id));
    lst.on_accepted(fd, lst.port);
  }

  void maybe_hand_over(gate_link& l) {
    // The first frame's header passed; its payload and what follows need
    // not be complete: the gate keeps framing them once CAF has its end.
    if (l.role != basp_role::dialled || l.caf >= 0 || l.first_frame || !l.close_reason.empty())
      return;
    auto d = dialling.find(l.id);
    if (d == dialling.end())
      return;
    int fd = open_caf_side(l);
    if (fd < 0)
      return;
    connected_fn done = std::move(d->second);
    dialling.erase(d);
    done(fd, {});
  }

  void service(uint64_t id) {
    auto i = links.find(id);
    if (i == links.end())
      return;
    gate_link& l = *i->second;
    using st = gate_link::stage;
    if (l.at == st::connecting) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(l.net, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == EINPROGRESS || err == EALREADY) {
        update_interest(l);
        return;
      }
      if (err != 0) {
        l.close_reason = std::string("cannot connect: ") + std::strerror(err);
        close_link(id);
        return;
      }
      no_delay(l.net);
      if (ctx) {
        l.at = st::tls;
      } else {
        opened(l);
      }
    }
    if (l.at == st::tls && step_tls_handshake(l))
      opened(l);
    bool more = false;
    if (l.at == st::open && l.close_reason.empty()) {
      auto max = static_cast<uint32_t>(limits.max_message);
      more = pump_link(l, max, budget).more;
      if (l.caf < 0) {
        maybe_hand_over(l);
        if (l.caf >= 0 && l.close_reason.empty())
          more = pump_link(l, max, budget).more;  // what the peer sent after its handshake
      }
    }
    if (!l.close_reason.empty()) {
      close_link(id);
      return;
    }
    // TLS may hold decrypted bytes the socket no longer signals.
    if (more || (l.ssl && l.at == st::open && SSL_pending(l.ssl) > 0 && link_wants_peer_bytes(l)))
      ready.insert(id);
    update_interest(l);
    std::lock_guard<std::mutex> g(counters_mu);
    counts.unproven_held = budget.held;
  }

  // `key`: what the per-address bound counts the link under (accepted links).
  gate_link& add_link(int fd, basp_role role, std::string peer, std::string key = {}) {
    auto l = std::make_unique<gate_link>();
    l->id = next_id++;
    l->role = role;
    l->net = fd;
    l->peer = std::move(peer);
    l->address_key = std::move(key);
    if (ctx) {
      l->ssl = SSL_new(ctx.get());
      SSL_set_fd(l->ssl, fd);
    }
    gate_link& ref = *l;
    links.emplace(ref.id, std::move(l));
    std::lock_guard<std::mutex> g(counters_mu);
    ++counts.open;
    return ref;
  }

  void accept_from(uint64_t listener_id) {
    auto& lst = listeners.at(listener_id);
    for (int n = 0; n < 64; ++n) {
      sockaddr_storage from{};
      socklen_t len = sizeof from;
      int fd = ::accept4(lst.fd, reinterpret_cast<sockaddr*>(&from), &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        int e = errno;
        if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
          epoll_ctl(ep, EPOLL_CTL_DEL, lst.fd, nullptr);
          lst.resting_until = gate_clock::now() + std::chrono::milliseconds(100);
          warn("*", std::string("cannot accept connections: ") + std::strerror(e) +
                        " (raise the open-file limit, or lower transport.max_connections)");
        }
        return;  // EAGAIN, or a connection that went away meanwhile
      }
      std::string peer = address_text(from);
      std::string key = address_key(from);
      if (accepted_open >= limits.max_connections || per_address[key] >= limits.max_per_address) {
        bool total = accepted_open >= limits.max_connections;
        if (per_address[key] == 0)
          per_address.erase(key);
        ::close(fd);
        count(&gate_counters::refused);
        warn(peer, total ? "refused: " + std::to_string(limits.max_connections) +
                               " connections are open (max_connections)"
                         : "refused: " + std::to_string(limits.max_per_address) +
                               " connections from this address are open "
                               "(max_connections_per_address)");
        continue;
      }
      no_delay(fd);
      gate_link& l = add_link(fd, basp_role::accepted, std::move(peer), key);
      ++accepted_open;
      ++per_address[key];
      accepted_by[l.id] = listener_id;
      l.deadline = gate_clock::now() + limits.handshake_timeout;
      if (ctx)
        l.at = gate_link::stage::tls;
      else
        opened(l);
      service(l.id);
    }
  }

  void start_connect(const sockaddr_storage& addr, socklen_t len, std::string peer,
                     std::chrono::milliseconds deadline, connected_fn done) {
    int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      done(-1, std::string("no socket: ") + std::strerror(errno));
      return;
    }
    int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), len);
    if (rc != 0 && errno != EINPROGRESS) {
      int e = errno;
      ::close(fd);
      done(-1, std::string("cannot connect: ") + std::strerror(e));
      return;
    }
    gate_link& l = add_link(fd, basp_role::dialled, std::move(peer));
    l.deadline = gate_clock::now() + deadline;
    l.at = gate_link::stage::connecting;
    if (l.ssl)
      SSL_set_connect_state(l.ssl);
    dialling[l.id] = std::move(done);
    service(l.id);
  }

  // Dialled links wait for the caller's connect timeout, accepted ones for
  // handshake_timeout; the words name the setting that ran out.
  std::string handshake_timeout_reason(const gate_link& l) const {
    bool dialled = l.role == basp_role::dialled;
    std::string within = dialled ? "within the connect timeout"
                                 : "within " + seconds_text(limits.handshake_timeout) +
                                       " (transport.handshake_timeout)";
    if (l.at == gate_link::stage::connecting)
      return "no TCP connection " + within;
    if (l.at == gate_link::stage::tls)
      return "no TLS handshake " + within + " (the peer may be frozen or overloaded)";
    // A TLS node waits for a ClientHello and a plain one for nothing: a
    // plain-TCP runner dialling a TLS node hears silence, not an error.
    if (dialled && !l.ssl)
      return "no BASP handshake " + within +
             " (this runner uses plain TCP, `tls: off`: a node that uses TLS stays silent "
             "to it; give this runner a tls: section)";
    return "no BASP handshake " + within + " (the peer may be frozen or overloaded)";
  }

  void check_deadlines() {
    auto now = gate_clock::now();
    for (auto& [lid, lst] : listeners)
      if (lst.resting_until != gate_clock::time_point{} && now >= lst.resting_until) {
        lst.resting_until = {};
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = tag(lid, kListener);
        epoll_ctl(ep, EPOLL_CTL_ADD, lst.fd, &ev);
      }
    std::vector<uint64_t> expired;
    for (auto& [id, lp] : links) {
      gate_link& l = *lp;
      bool handshaking = l.at != gate_link::stage::open || l.first_frame ||
                         (l.role == basp_role::dialled && l.caf < 0);
      if (handshaking) {
        if (now >= l.deadline) {
          l.close_reason = handshake_timeout_reason(l);
          count(&gate_counters::handshake_timeouts);
          expired.push_back(id);
        }
        continue;
      }
      // A peer that takes none of what we send for the idle timeout is gone
      // or hostile: CAF would buffer for it without end.
      if (!l.to_net.empty() && now - l.last_tx_progress > limits.idle_timeout) {
        l.close_reason = "took no byte for " + seconds_text(limits.idle_timeout) +
                         " (the peer is frozen, or does not read)";
        count(&gate_counters::idle_timeouts);
        expired.push_back(id);
        continue;
      }
      // A peer we are not reading (CAF is slow to take its bytes) is not idle.
      if (!link_wants_peer_bytes(l))
        l.last_rx = now;
      if (now - l.last_rx > limits.idle_timeout) {
        l.close_reason = "no byte for " + seconds_text(limits.idle_timeout) +
                         " (the peer is frozen, or the network is gone)";
        count(&gate_counters::idle_timeouts);
        expired.push_back(id);
      }
    }
    for (uint64_t id : expired) {
      if (auto i = links.find(id); i != links.end() && accepted_by.count(id))
        spdlog::info("connection from {} closed: {}", i->second->peer, i->second->close_reason);
      close_link(id);
    }
  }

  void run() {
    // SIGPIPE from a write to a closed socket inside OpenSSL stays pending on
    // this thread instead of ending the process.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    std::vector<epoll_event> events(128);
    auto next_check = gate_clock::now();
    for (;;) {
      int timeout = ready.empty() ? 100 : 0;
      int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), timeout);
      for (int k = 0; k < n; ++k) {
        uint64_t t = events[k].data.u64;
        uint64_t id = t >> 2;
        switch (t & 3) {
          case kWake: {
            uint64_t v;
            [[maybe_unused]] auto r = ::read(wake, &v, sizeof v);
            break;
          }
          case kListener:
            accept_from(id);
            break;
          default:
            service(id);
        }
      }
      if (!ready.empty()) {
        std::set<uint64_t> again;
        again.swap(ready);
        for (uint64_t id : again)
          service(id);
      }
      auto now = gate_clock::now();
      if (now >= next_check) {
        check_deadlines();
        next_check = now + std::chrono::milliseconds(100);
      }
      std::vector<std::function<void()>> jobs;
      {
        std::lock_guard<std::mutex> g(mu);
        jobs.swap(posted);
        if (stopping && jobs.empty())
          break;
      }
      for (auto& job : jobs)
        job();
    }
    for (auto& [id, fn] : dialling)
      fn(-1, "the runner is shutting down");
    dialling.clear();
    links.clear();
  }
};

gate::gate(const gate_tls_files* tls, gate_limits limits) : impl_(std::make_shared<impl>()) {
  // A connection costs three descriptors (the socket and a socketpair), so
  // the default max_connections alone needs 768: raise the soft limit
  // towards the hard one. Not past 65536: task processes inherit it, and
  // some close every descriptor up to the limit.
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    rlim_t want = std::min<rlim_t>(nofile.rlim_max, 65536);
    if (nofile.rlim_cur < want) {
      nofile.rlim_cur = want;
      setrlimit(RLIMIT_NOFILE, &nofile);
    }
  }
  impl_->limits = limits;
  impl_->budget.limit = limits.max_unproven;
  if (tls)
    impl_->ctx = make_gate_ssl_ctx(*tls);
  impl_->ep = epoll_create1(EPOLL_CLOEXEC);
  impl_->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (impl_->ep < 0 || impl_->wake < 0)
    throw std::runtime_error(std::string("cannot start the network gate: ") +
                             std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = tag(0, kWake);
  epoll_ctl(impl_->ep, EPOLL_CTL_ADD, impl_->wake, &ev);
  impl_->thread = std::thread([self = impl_] { self->run(); });
}

gate::~gate() {
  {
    std::lock_guard<std::mutex> g(impl_->mu);
    impl_->stopping = true;
  }
  impl_->post([] {});
  if (impl_->thread.joinable())
    impl_->thread.join();
}

gate::listen_result gate::listen(const std::string& host, uint16_t port, accepted_fn on_accepted) {
  listen_result out;
  std::string where = host + ":" + std::to_string(port);
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (!numeric_address(host, port, addr, len)) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
    if (rc != 0 || !found) {
      out.error = "cannot listen on " + where + ": " + gai_strerror(rc);
      return out;
    }
    std::memcpy(&addr, found->ai_addr, found->ai_addrlen);
    len = found->ai_addrlen;
    freeaddrinfo(found);
  }
  int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0)
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(fd, 512) != 0) {
    out.error = "cannot listen on " + where + ": " + std::strerror(errno);
    if (fd >= 0)
      ::close(fd);
    return out;
  }
  sockaddr_storage bound{};
  socklen_t blen = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen);
  out.port = bound.ss_family == AF_INET6
                 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                 : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  auto self = impl_;
  self->post([self, fd, port = out.port, fn = std::move(on_accepted)]() mutable {
    uint64_t id = self->next_id++;
    self->listeners[id] = impl::listener{fd, port, std::move(fn)};
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag(id, kListener);
    epoll_ctl(self->ep, EPOLL_CTL_ADD, fd, &ev);
  });
  return out;
}

void gate::connect(const std::string& host, uint16_t port, std::chrono::milliseconds deadline,
                   connected_fn done) {
  bool v6 = host.find(':') != std::string::npos && host.front() != '[';
  std::string peer = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  auto self = impl_;
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (numeric_address(host, port, addr, len)) {
    self->post([self, addr, len, peer, deadline, done = std::move(done)]() mutable {
      self->start_connect(addr, len, peer, deadline, std::move(done));
    });
    return;
  }
  auto start = gate_clock::now();
  std::thread([self, host, port, peer, deadline, start, done = std::move(done)]() mutable {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
    if (rc != 0 || !found) {
      std::string why = "cannot resolve `" + host + "`: " + gai_strerror(rc);
      self->post([done = std::move(done), why]() mutable { done(-1, why); });
      return;
    }
    sockaddr_storage a{};
    std::memcpy(&a, found->ai_addr, found->ai_addrlen);
    socklen_t l = found->ai_addrlen;
    freeaddrinfo(found);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - (gate_clock::now() - start));
    if (left.count() <= 0)
      left = std::chrono::milliseconds(1);
    self->post([self, a, l, peer, left, done = std::move(done)]() mutable {
      self->start_connect(a, l, peer, left, std::move(done));
    });
  }).detach();
}

gate_counters gate::counters() const {
  std::lock_guard<std::mutex> g(impl_->counters_mu);
  return impl_->counts;
}

const gate_limits& gate::limits() const { return impl_->limits; }

}  // namespace runner
