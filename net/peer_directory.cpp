#include "net/peer_directory.hpp"

#include "actors/run_context.hpp"
#include "config/address.hpp"
#include "net/dial.hpp"

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
  runner::gate* gate = nullptr;
  caf::actor basp;
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

// One attempt through the gate (dial.hpp), bounded by connect_timeout.
void connect(self_ptr self, const std::string& target) {
  auto& l = self->state.links[target];
  l.state = "connecting";
  l.since_ms = now_ms();
  auto& st = self->state;
  auto me = caf::actor_cast<peer_directory>(self);
  dial(self->system(), *st.gate, st.basp, l.host, l.port, st.node.connect_timeout,
       [me, target](dial_result r) {
         // On the dialer's thread: the answer comes back as a message.
         caf::anon_send(me, dialled_atom::value, target, std::move(r.node), std::move(r.error));
       });
}

}  // namespace

peer_directory spawn_peer_directory(caf::actor_system& sys, const node_config& node, gate& g,
                                    caf::actor basp) {
  return sys.spawn([node, &g, basp](self_ptr self) -> peer_directory::behavior_type {
    auto& st = self->state;
    st.node = node;
    st.gate = &g;
    st.basp = basp;
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
        [=](dialled_atom, const std::string& target, caf::strong_actor_ptr& ptr,
            const std::string& error) {
          auto& l = self->state.links[target];
          if (!ptr) {
            settle(l, "failed", "cannot connect to " + describe(l) + ": " + error);
            return;
          }
          l.node = caf::actor_cast<node_actor>(std::move(ptr));
          self->monitor(l.node);
          settle(l, "connected", {});
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
