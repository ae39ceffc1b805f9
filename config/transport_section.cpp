// `transport`: the bounds on what peers can make this node hold and wait for
// (net/gate.hpp enforces them; docs/security.md lists them).
#include <cctype>

#include "config/sections.hpp"
#include "schema/suggest.hpp"

namespace runner::config_detail {

namespace {

const std::vector<std::string> kTransportFields = {
    "max_message", "max_unproven", "max_connections", "max_connections_per_address",
    "handshake_timeout"};

// "64MiB", "512KiB", "1GiB", "65536": a byte count.
std::optional<uint64_t> parse_bytes(const std::string& text) {
  size_t i = 0;
  uint64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (n > (uint64_t{1} << 40))
      return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(text[i++] - '0');
  }
  if (i == 0)
    return std::nullopt;
  while (i < text.size() && text[i] == ' ')
    ++i;
  std::string unit = text.substr(i);
  uint64_t scale = unit.empty() || unit == "B" ? 1
                   : unit == "KiB"            ? uint64_t{1} << 10
                   : unit == "MiB"            ? uint64_t{1} << 20
                   : unit == "GiB"            ? uint64_t{1} << 30
                                              : 0;
  if (scale == 0)
    return std::nullopt;
  return n * scale;
}

void read_size(const yaml_field& f, uint64_t lowest, uint64_t highest, size_t& out,
               yaml_reader& r) {
  const std::string hint = "write a size such as `64MiB`, `512KiB` or a number of bytes";
  auto v = r.scalar(f, "transport." + f.key, hint);
  if (!v) return;
  auto n = parse_bytes(*v);
  if (!n) {
    r.error(f.mark, "`transport." + f.key + "`: `" + *v + "` is not a size", hint);
    return;
  }
  if (*n < lowest || *n > highest) {
    r.error(f.mark,
            "`transport." + f.key + "` must be between " + std::to_string(lowest) + " and " +
                std::to_string(highest) + " bytes, not " + std::to_string(*n),
            hint);
    return;
  }
  out = static_cast<size_t>(*n);
}

void read_count(const yaml_field& f, size_t& out, yaml_reader& r) {
  const std::string hint = "write a whole number from 1 to 100000";
  auto v = r.scalar(f, "transport." + f.key, hint);
  if (!v) return;
  bool digits = !v->empty() && v->size() <= 6 &&
                v->find_first_not_of("0123456789") == std::string::npos;
  size_t n = digits ? std::stoul(*v) : 0;
  if (n < 1 || n > 100000) {
    r.error(f.mark, "`transport." + f.key + "`: `" + *v + "` is not a whole number from 1 to 100000",
            hint);
    return;
  }
  out = n;
}

}  // namespace

void read_transport(const yaml_field& f, node_config& c, yaml_reader& r) {
  if (!f.value.is_map()) {
    r.error(f.mark, "`transport` must be a mapping, not " + std::string(kind_name(f.value)),
            "write e.g. `transport: {max_message: 64MiB, max_connections: 256}`");
    return;
  }
  auto& t = c.transport;
  for (const yaml_field& tf : r.fields(f.value, kTransportFields, "`transport`")) {
    if (tf.key == "max_message") {
      // A BASP frame's length is 32 bits; a group document must still fit.
      read_size(tf, 64 * 1024, uint64_t{1} << 31, t.max_message, r);
    } else if (tf.key == "max_unproven") {
      read_size(tf, 64 * 1024, uint64_t{1} << 40, t.max_unproven, r);
    } else if (tf.key == "max_connections") {
      read_count(tf, t.max_connections, r);
    } else if (tf.key == "max_connections_per_address") {
      read_count(tf, t.max_connections_per_address, r);
    } else if (tf.key == "handshake_timeout") {
      auto d = r.duration_value(tf, "transport.handshake_timeout");
      if (!d) continue;
      if (d->count() <= 0) {
        r.error(tf.mark, "`transport.handshake_timeout` must be longer than 0",
                "write e.g. `handshake_timeout: 10s`");
        continue;
      }
      t.handshake_timeout = *d;
    }
  }
}

}  // namespace runner::config_detail
