#include "config/node_config.hpp"
#include "schema/document_file.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

#include "config/address.hpp"
#include "config/sections.hpp"
#include "schema/suggest.hpp"
#include "schema/yaml_source.hpp"

namespace runner {

using namespace config_detail;

namespace {

const std::vector<std::string> kNodeFields = {
    "name",      "listen",          "tls", "peers",  "accept", "max_parallel",
    "state_dir", "connect_timeout", "log", "drivers", "vault", "actions", "transport", "masking"};

void read_name(const yaml_field& f, node_config& c, yaml_reader& r) {
  auto v = r.scalar(f, "name", "write `name: node-a`; it must match the certificate's CN");
  if (!v) return;
  if (!valid_node_name(*v)) {
    r.error(f.mark, "node name `" + *v + "` is not valid",
            !v->empty() && v->back() == ',' ? std::string(kTrailingCommaHint)
                                            : std::string(kNodeNameHint));
    return;
  }
  c.name = *v;
}

void read_max_parallel(const yaml_field& f, node_config& c, yaml_reader& r) {
  const std::string hint =
      "write a whole number of tasks, 1 or more; leave it out for one per core";
  auto v = r.scalar(f, "max_parallel", hint);
  if (!v) return;
  bool digits = !v->empty() && v->find_first_not_of("0123456789") == std::string::npos;
  if (!digits || v->size() > 9) {
    bool negative = v->size() > 1 && (*v)[0] == '-' &&
                    v->find_first_not_of("0123456789", 1) == std::string::npos;
    r.error(f.mark,
            negative ? "`max_parallel` must be at least 1, not " + *v
            : digits ? "`max_parallel`: " + *v + " is too large"
                     : "`max_parallel`: `" + *v + "` is not a whole number",
            hint);
    return;
  }
  size_t n = std::stoul(*v);
  if (n < 1) {
    r.error(f.mark, "`max_parallel` must be at least 1, not " + *v, hint);
    return;
  }
  c.max_parallel = n;
}

void read_connect_timeout(const yaml_field& f, node_config& c, yaml_reader& r) {
  auto d = r.duration_value(f, "connect_timeout");
  if (!d) return;
  if (d->count() <= 0) {
    // A zero timeout would fail every connection before it starts.
    r.error(f.mark, "`connect_timeout` must be longer than 0", "write e.g. `connect_timeout: 10s`");
    return;
  }
  c.connect_timeout = *d;
}

void read_fields(yaml_node root, const std::string& base_dir, node_config& c, section_marks& m,
                 yaml_reader& r) {
  bool has_name = false, has_tls = false;
  for (const yaml_field& f : r.fields(root, kNodeFields, "the node config")) {
    if (f.key == "name") {
      has_name = true;
      read_name(f, c, r);
    } else if (f.key == "listen") {
      m.listen = f.mark;
      read_listen(f, c, r);
    } else if (f.key == "tls") {
      has_tls = true;
      m.tls = f.mark;
      read_tls(f, base_dir, c, r);
    } else if (f.key == "peers") {
      read_peers(f, c, m, r);
    } else if (f.key == "accept") {
      read_accept(f, c, m, r);
    } else if (f.key == "max_parallel") {
      read_max_parallel(f, c, r);
    } else if (f.key == "state_dir") {
      auto v = r.scalar(f, "state_dir", "write a directory path, or leave it out for the default");
      if (v) c.state_dir = *v;
    } else if (f.key == "connect_timeout") {
      read_connect_timeout(f, c, r);
    } else if (f.key == "log") {
      read_log(f, c, r);
    } else if (f.key == "drivers") {
      read_drivers(f, c, r);
    } else if (f.key == "vault") {
      read_vault(f, base_dir, c, r);
    } else if (f.key == "actions") {
      read_actions(f, base_dir, c, r);
    } else if (f.key == "transport") {
      read_transport(f, c, r);
    } else if (f.key == "masking") {
      read_masking(f, c, r);
    }
  }
  if (!has_name)
    r.error(r.mark(root), "`name` is missing",
            "add `name: <node name>`; it must match the CN of the node's certificate");
  if (!has_tls)
    r.error(r.mark(root), "`tls` is missing",
            "add `tls: {cert, key, ca}` with the paths of PEM files, or `tls: off` for a node "
            "on loopback only");
}

// Checks that need more than one section.
void cross_check(const node_config& c, const section_marks& m, yaml_reader& r) {
  if (c.tls.off) {
    if (c.has_listen && !is_loopback_host(c.listen_host))
      r.error(m.listen,
              "`tls: off` allows only a loopback `listen` address, not `" + c.listen_host + "`",
              "listen on 127.0.0.1, ::1 or localhost, or configure `tls: {cert, key, ca}`");
    // Plain TCP to another machine would be as open as listening on one.
    for (const auto& [name, addr] : c.peers)
      if (!is_loopback_host(addr.first))
        r.error(
            m.peers.at(name),
            "`tls: off` allows only loopback peers, but `" + name + "` is at `" + addr.first + "`",
            "configure `tls: {cert, key, ca}` to reach other machines");
  }
  // `from` is a submitter's certificate CN. A submitter need not be a peer
  // (this node never connects to it), so any well-formed node name will do.
  for (size_t i = 0; i < c.accept.size(); ++i) {
    const std::string& from = c.accept[i].from;
    if (from.empty() || from == "*" || config_detail::valid_node_name(from)) continue;
    r.error(m.accept_from[i], "`accept` names `" + from + "`, which is not a node name",
            "write the submitter's certificate CN (e.g. `node-a`), or `\"*\"` for any peer");
  }
}

// `listen: [::1]:7700` is a broken flow list to YAML, so the loader's hint
// speaks of brackets in general; name the likely cause.
void explain_unquoted_ipv6(const std::string& text, diagnostics& problems) {
  static const std::regex unquoted(R"(:\s*\[[0-9A-Fa-f:.]*\]:[0-9])");
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  for (diagnostic& d : problems) {
    if (d.mark.line < 1 || static_cast<size_t>(d.mark.line) > lines.size() ||
        d.message.rfind("YAML syntax error", 0) != 0)
      continue;
    if (std::regex_search(lines[d.mark.line - 1], unquoted))
      d.hint = "quote an IPv6 address, since YAML reads `[` as a list: `\"[::1]:7700\"`";
  }
}

std::string directory_of(const std::string& file) {
  std::filesystem::path dir = std::filesystem::path(file).parent_path();
  return dir.empty() ? "." : dir.string();
}

}  // namespace

std::string default_state_dir() {
  const char* xdg = std::getenv("XDG_STATE_HOME");
  if (xdg && *xdg) return (std::filesystem::path(xdg) / "runner").string();
  const char* home = std::getenv("HOME");
  return (std::filesystem::path(home && *home ? home : ".") / ".local/state/runner").string();
}

config_result parse_node_config(const std::string& text, const std::string& file) {
  config_result result;
  yaml_document doc = load_yaml(text, file, result.problems);
  explain_unquoted_ipv6(text, result.problems);
  if (!doc.tree) {
    sort_diagnostics(result.problems);
    return result;
  }
  yaml_reader r(file, doc.text, result.problems);
  yaml_node root = doc.tree->root();
  const std::string example = "a node config is a mapping: `name: node-a`, `tls: ...`, ...";
  node_config c;
  c.file = file;
  c.state_dir = default_state_dir();
  if (root.is_null()) {
    r.error({1, 1}, "the document is empty", example);
  } else if (!root.is_map()) {
    r.error(r.mark(root), "a node config must be a mapping, not " + std::string(kind_name(root)),
            example);
  } else {
    section_marks m;
    read_fields(root, directory_of(file), c, m, r);
    cross_check(c, m, r);
  }
  sort_diagnostics(result.problems);
  if (result.problems.empty()) result.config = std::move(c);
  return result;
}

config_result load_node_config(const std::string& path) {
  std::string text;
  if (auto problem = read_document_file(path, text)) {
    config_result result;
    result.problems.push_back(std::move(*problem));
    return result;
  }
  return parse_node_config(text, path);
}

}  // namespace runner
