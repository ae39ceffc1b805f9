// `runnerctl`: asks a live runner node about itself — status, groups, one
// group's tasks, peers — or cancels a group, over the same mutually
// authenticated channel peers use. The answers come from the node's actors.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <thread>

#include "net/mesh_setup.hpp"
#include "net/transport.hpp"
#include "net/wire.hpp"
#include "tools/runnerctl/render.hpp"

namespace {

enum exit_code : int { ok = 0, refused = 1, usage = 2, unreachable = 3 };

struct options {
  std::string runner;
  std::string config, cert, key, ca;
  bool plain = false;
  std::string output = "text";
  std::string command, id;
  std::string task;  // pause/resume: which task of the group
};

std::optional<runner::mesh_setup> identity_for(const options& o, std::string& error) {
  if (!o.config.empty())
    return runner::load_mesh_setup(o.config, error);
  if (o.plain) {
    runner::mesh_setup m;
    m.config.name = "runnerctl";
    m.config.tls.off = true;
    return m;
  }
  if (o.cert.empty() || o.key.empty() || o.ca.empty()) {
    error = "runnerctl needs an identity: --config runner.yaml, or --cert, --key and --ca "
            "(or --plain for a node with `tls: off` on loopback)\n";
    return std::nullopt;
  }
  return runner::mesh_setup_from_files(o.cert, o.key, o.ca, error);
}

int run(const options& o) {
  using namespace runner;
  std::string error;
  auto mesh = identity_for(o, error);
  if (!mesh) {
    std::fputs(error.c_str(), stderr);
    return usage;
  }
  caf::actor_system_config cfg;
  add_wire_types(cfg);
  configure_transport(cfg);
  cfg.set("scheduler.max-threads", size_t{2});
  caf::actor_system sys{cfg};
  auto rt = start_mesh_runtime(sys, *mesh);
  int code = ok;
  {
    caf::scoped_actor self{sys};
    auto timeout = mesh->config.connect_timeout;
    node_actor node;
    self->request(rt.directory, caf::infinite, link_atom::value, o.runner)
        .receive([&](link_reply& l) { node = l.node, error = l.error; },
                 [&](caf::error& e) { error = sys.render(e); });
    hello_reply hello;
    auto challenge = hello_challenge();
    if (node)
      self->request(node, timeout, hello_atom::value, wire_version, challenge)
          .receive([&](hello_reply& h) { hello = std::move(h); },
                   [&](caf::error& e) {
                     error = "no answer from " + o.runner + ": " + sys.render(e);
                     node = node_actor{};
                   });
    if (node) {
      if (auto why = check_hello(*rt.calls, hello, challenge, o.runner); !why.empty()) {
        error = "refused the runner at " + o.runner + ": " + why;
        node = node_actor{};
      }
    }
    if (!node) {
      std::fprintf(stderr, "runnerctl: %s\n", error.c_str());
      code = unreachable;
    } else {
      auto sign = [&](const std::string& hash) {
        credential c;
        c.nonce = hello.nonce;
        if (mesh->identity) {
          c.cert_pem = identity_cert_pem(*mesh->identity);
          c.signature = sign_proof(*mesh->identity, hello.node, hello.nonce, hash);
        }
        return c;
      };
      admin_reply reply;
      auto on_reply = [&](admin_reply& r) { reply = std::move(r); };
      auto on_error = [&](caf::error& e) { reply.error = "no answer: " + sys.render(e); };
      if (o.command == "cancel") {
        cancel_request req{o.id};
        self->request(node, timeout, cancel_atom::value, sign(request_hash(sys, req)), req)
            .receive(on_reply, on_error);
      } else if (o.command == "pause" || o.command == "resume") {
        pause_request req{o.id, o.task, o.command == "pause"};
        self->request(node, timeout, pause_atom::value, sign(request_hash(sys, req)), req)
            .receive(on_reply, on_error);
      } else {
        admin_request req;
        req.query = o.command == "status"   ? admin_query::status
                    : o.command == "groups" ? admin_query::groups
                    : o.command == "peers"  ? admin_query::peers
                                            : admin_query::describe;
        req.id = o.id;
        self->request(node, timeout, admin_atom::value, sign(request_hash(sys, req)), req)
            .receive(on_reply, on_error);
      }
      if (!reply.error.empty()) {
        std::fprintf(stderr, "runnerctl: %s\n", reply.error.c_str());
        code = refused;
      } else {
        std::cout << (o.output == "json" ? render_json(o.command, reply, hello.node)
                                         : render_text(o.command, reply, hello.node));
        std::cout.flush();
      }
    }
  }
  leave_process(code);
}

}  // namespace

int main(int argc, char** argv) {
  runner::keep_openssl_until_exit();
  CLI::App app{"runnerctl — query and control a live runner node"};
  options o;
  app.add_option("--runner", o.runner, "the node: host:port, or a peer name from --config")
      ->required();
  app.add_option("--config", o.config, "a runner config whose identity (tls) to use");
  app.add_option("--cert", o.cert, "client certificate (PEM), signed by the mesh CA");
  app.add_option("--key", o.key, "its private key (PEM)");
  app.add_option("--ca", o.ca, "the mesh CA certificate (PEM)");
  app.add_flag("--plain", o.plain, "plain TCP, for a node with `tls: off` on loopback");
  app.add_option("--output", o.output, "text or json")->check(CLI::IsMember({"text", "json"}));
  app.require_subcommand(1);
  app.fallthrough();  // `runnerctl status --output json` as well as `--output json status`
  app.add_subcommand("status", "name, version, uptime, groups, peers");
  app.add_subcommand("groups", "running and recent groups");
  auto* describe = app.add_subcommand("describe", "one group (or forwarded task) and its tasks");
  describe->add_option("id", o.id, "group id or task run id")->required();
  auto* cancel = app.add_subcommand("cancel", "cancel a running group or forwarded task");
  cancel->add_option("id", o.id, "group id or task run id")->required();
  for (const char* verb : {"pause", "resume"}) {
    auto* sub = app.add_subcommand(
        verb, std::string(verb) + " a running task (its driver must offer pause: external "
                                  "drivers with `capabilities.pause`)");
    sub->add_option("id", o.id, "group id or task run id")->required();
    sub->add_option("task", o.task, "the task's name; may be left out when only one runs");
  }
  app.add_subcommand("peers", "the node's peers and their connection state");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : usage;
  }
  o.command = app.get_subcommands().front()->get_name();
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "runnerctl: internal error: %s\n", e.what());
    return unreachable;
  }
}
