#include "net/peer_directory.hpp"

#include "actors/run_context.hpp"
#include "config/address.hpp"
#include "net/tls_probe.hpp"
#include "net/transport.hpp"

namespace runner {

namespace {

struct link_state {
  std::string host;
  uint16_t port = 0;
  std::string name;   // the peer's config name, "" for a bare host:port
  std::string state = "idle";
  std::string error;
  int64_t since_ms = 0;
  node_actor node;
  std::vector<caf::typed_response_promise<link_reply>> waiting;
};

struct directory_state {
  node_config node;
  caf::io::middleman_actor mm;
  bool probe = true;
  std::map<std::string, link_state> links;  // by target text
  static inline const char* name = "peer_directory";
};

using self_ptr = peer_directory::stateful_pointer<directory_state>;

std::string address_of(const link_state& l) {
  bool v6 = l.host.find(':') != std::string::npos;
  return (v6 ? "[" + l.host + "]" : l.host) + ":" + std::to_string(l.port);
}

// "peer `node-b` at 10.0.0.5:7700", or just the address of a bare host:port.
std::string describe(const link_state& l) {
  return l.name.empty() ? address_of(l) : "peer `" + l.name + "` at " + address_of(l);
}

void settle(link_state& l, const std::string& state, std::string error) {
  l.state = state;
  l.error = std::move(error);
  l.since_ms = now_ms();
  link_reply r{l.node, address_of(l), l.state == "connected" ? std::string{} : l.error};
  for (auto& p : l.waiting)
    p.deliver(r);
  l.waiting.clear();
}

// CAF's connect errors, in words that say what to check.
std::string explain(self_ptr self, const caf::error& e) {
  if (e == caf::sec::request_timeout)
    return "no answer within connect_timeout (" +
           std::to_string(self->state.node.connect_timeout.count()) + " ms)";
  if (e == caf::sec::cannot_connect_to_node)
    return "connection refused or host unreachable (is `runner serve` running there?)";
  if (e == caf::sec::disconnect_during_handshake)
    return "the connection closed during the handshake (a certificate the other side does not "
           "trust, a plain-TCP/TLS mismatch, or not a runner)";
  if (e == caf::sec::connection_timeout)
    return "the handshake did not finish in time (the node may be frozen or overloaded)";
  return self->system().render(e);
}

using probe_atom = caf::atom_constant<caf::atom("probe")>;

void caf_connect(self_ptr self, const std::string& target);

// See tls_probe.hpp: CAF is asked to connect only to a peer that has just
// finished a TLS handshake with us. The probe blocks, so it runs detached.
void connect(self_ptr self, const std::string& target) {
  auto& l = self->state.links[target];
  l.state = "connecting";
  l.since_ms = now_ms();
  const auto& node = self->state.node;
  if (node.tls.off || !self->state.probe) {
    caf_connect(self, target);
    return;
  }
  tls_files files{node.tls.cert, node.tls.key, node.tls.ca};
  auto prober = self->system().spawn<caf::detached>(
      [files, host = l.host, port = l.port,
       deadline = node.connect_timeout](caf::event_based_actor* p) -> caf::behavior {
        return {[=](probe_atom) {
          p->quit();
          return probe_tls(host, port, files, deadline);
        }};
      });
  self->request(prober, caf::infinite, probe_atom::value)
      .then(
          [=](std::string& error) {
            if (error.empty()) {
              caf_connect(self, target);
              return;
            }
            auto& l = self->state.links[target];
            settle(l, "failed", "cannot connect to " + describe(l) + ": " + error);
          },
          [=](caf::error& e) {
            auto& l = self->state.links[target];
            settle(l, "failed", "cannot connect to " + describe(l) + ": " + explain(self, e));
          });
}

void caf_connect(self_ptr self, const std::string& target) {
  auto& l = self->state.links[target];
  auto timeout = self->state.node.connect_timeout;
  self->request(self->state.mm, timeout, caf::connect_atom::value, l.host, l.port)
      .then(
          [=](caf::node_id&, caf::strong_actor_ptr& ptr, std::set<std::string>&) {
            auto& l = self->state.links[target];
            if (!ptr) {
              settle(l, "failed", "the runner at " + address_of(l) + " publishes no dispatcher");
              return;
            }
            l.node = caf::actor_cast<node_actor>(std::move(ptr));
            self->monitor(l.node);
            settle(l, "connected", {});
          },
          [=](caf::error& e) {
            auto& l = self->state.links[target];
            settle(l, "failed", "cannot connect to " + describe(l) + ": " + explain(self, e));
          });
}

}  // namespace

peer_directory spawn_peer_directory(caf::actor_system& sys, const node_config& node, bool probe) {
  auto mm = transport_actor(sys, node);
  return sys.spawn([node, mm, probe](self_ptr self) -> peer_directory::behavior_type {
    auto& st = self->state;
    st.node = node;
    st.mm = mm;
    st.probe = probe;
    for (auto& [name, hp] : node.peers) {
      auto& l = st.links[name];
      l.host = hp.first;
      l.port = hp.second;
      l.name = name;
      l.since_ms = now_ms();
    }
    self->set_down_handler([=](caf::down_msg& dm) {
      for (auto& [target, l] : self->state.links)
        if (l.node && l.node.address() == dm.source) {
          l.node = node_actor{};
          settle(l, "failed", "connection lost: " + self->system().render(dm.reason));
        }
    });
    return {
        [=](link_atom, const std::string& target) -> caf::typed_response_promise<link_reply> {
          auto p = self->make_response_promise<link_reply>();
          auto& links = self->state.links;
          auto i = links.find(target);
          if (i == links.end()) {
            auto a = parse_address(target, false);
            if (!a.ok) {
              p.deliver(link_reply{{}, {}, "`" + target + "` is neither a peer of " +
                                               self->state.node.name + " nor host:port"});
              return p;
            }
            if (self->state.node.tls.off && !is_loopback_host(a.host)) {
              p.deliver(link_reply{{}, {}, "`tls: off` allows loopback addresses only, not " +
                                               target});
              return p;
            }
            auto& l = links[target];
            l.host = a.host;
            l.port = a.port;
            i = links.find(target);
          }
          auto& l = i->second;
          if (l.node) {
            p.deliver(link_reply{l.node, address_of(l), {}});
            return p;
          }
          l.waiting.push_back(p);
          if (l.state != "connecting")
            connect(self, target);
          return p;
        },
        [=](peers_atom) {
          std::vector<peer_view> out;
          for (auto& [target, l] : self->state.links) {
            if (l.name.empty())
              continue;
            out.push_back(peer_view{l.name, address_of(l), l.state, l.error, l.since_ms});
          }
          return out;
        },
    };
  });
}

}  // namespace runner
