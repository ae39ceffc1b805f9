// `listen` and `peers`: the addresses of this node and of the nodes it knows.
#include "config/address.hpp"
#include "config/sections.hpp"

namespace runner::config_detail {

const char kNodeNameHint[] =
    "a node name starts with a letter and holds only letters, digits, `_`, `.` and `-`";

bool valid_node_name(const std::string& s) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (s.empty() || !letter(s[0])) return false;
  for (char c : s)
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '_' && c != '.' && c != '-') return false;
  return true;
}

namespace {

// `listen: [::1]:7700` is a YAML flow list, not text: say to quote it.
std::optional<std::string> address_text(const yaml_field& f, const std::string& what,
                                        const std::string& example, yaml_reader& r) {
  if (f.value.is_seq()) {
    r.error(f.mark, "`" + what + "` must be host:port, not a list",
            "quote an IPv6 address, since YAML reads `[` as a list: `\"[::1]:7700\"`");
    return std::nullopt;
  }
  return r.scalar(f, what, example);
}

}  // namespace

void read_listen(const yaml_field& f, node_config& c, yaml_reader& r) {
  const std::string hint =
      "write `listen: host:port`, e.g. `listen: 0.0.0.0:7700` or "
      "`listen: \"[::1]:7700\"`";
  auto text = address_text(f, "listen", hint, r);
  if (!text) return;
  address_check a = parse_address(*text, true);
  if (!a.ok) {
    r.error(f.mark, "`listen`: `" + *text + "` is not a valid address: " + a.problem, hint);
    return;
  }
  c.listen_host = a.host;
  c.listen_port = a.port;
  c.has_listen = true;
}

void read_peers(const yaml_field& f, node_config& c, section_marks& m, yaml_reader& r) {
  const std::string example = "write `peers: {node-b: 10.0.0.5:7700}`";
  if (f.value.is_null()) return;  // `peers:` with nothing: no peers
  if (!f.value.is_map()) {
    r.error(f.mark,
            "`peers` must be a mapping of peer names to addresses, not " +
                std::string(kind_name(f.value)),
            example);
    return;
  }
  // Names are the user's, so there is no list of known keys; fields() would
  // call every one unknown. Repeats are still worth a word.
  for (auto [key, value] : f.value.entries()) {
    source_mark key_mark = r.mark(key);
    if (!key.is_scalar()) {
      r.error(key_mark, "a peer name must be a single value, not " + std::string(kind_name(key)),
              example);
      continue;
    }
    std::string name = key.scalar();
    if (!valid_node_name(name)) {
      r.error(key_mark, "peer name `" + name + "` is not valid", kNodeNameHint);
      continue;
    }
    if (m.peers.count(name)) {
      r.error(key_mark, "peer `" + name + "` appears twice in `peers`",
              "the first is on line " + std::to_string(m.peers[name].line) + "; keep one of them");
      continue;
    }
    m.peers[name] = key_mark;
    yaml_field pf{name, value, key_mark, value.is_null() ? key_mark : r.mark(value)};
    auto text = address_text(pf, "peers." + name, example, r);
    if (!text) continue;
    address_check a = parse_address(*text, false);
    if (!a.ok) {
      r.error(pf.mark, "peer `" + name + "`: `" + *text + "` is not a valid address: " + a.problem,
              "write host:port with a port from 1 to 65535, e.g. `10.0.0.5:7700`");
      continue;
    }
    c.peers[name] = {a.host, a.port};
  }
}

}  // namespace runner::config_detail
