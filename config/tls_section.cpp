// `tls`: the node's certificate, key and the CA that vouches for its peers.
#include <filesystem>
#include <fstream>

#include "config/sections.hpp"

namespace runner::config_detail {

namespace {

const std::vector<std::string> kTlsFields = {"cert", "key", "ca"};
const char kTlsHint[] =
    "write `tls: {cert: node.crt, key: node.key, ca: ca.crt}`, or `tls: off` "
    "for a node that only listens on loopback";

// Checked now rather than at startup so that a wrong path shows up with
// every other mistake, at the line that names it.
void check_readable(const std::string& path, const std::string& written, const std::string& key,
                    source_mark at, yaml_reader& r) {
  std::error_code ec;
  const std::string hint = "relative paths start at the config file's directory";
  if (!std::filesystem::exists(path, ec)) {
    r.error(at,
            "`tls." + key + "`: `" + written + "` does not exist" +
                (written == path ? "" : " (looked for `" + path + "`)"),
            hint);
    return;
  }
  if (std::filesystem::is_directory(path, ec)) {
    r.error(at, "`tls." + key + "`: `" + path + "` is a directory", "name the file itself");
    return;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    r.error(at, "`tls." + key + "`: cannot read `" + path + "`",
            "check the file's permissions for the user the runner runs as");
}

}  // namespace

std::string config_path(const std::string& base_dir, const std::string& path) {
  std::filesystem::path p(path);
  return p.is_absolute() || base_dir.empty()
             ? path
             : (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

void read_tls(const yaml_field& f, const std::string& base_dir, node_config& c, yaml_reader& r) {
  if (f.value.is_scalar()) {
    std::string v = f.value.scalar();
    if (v == "off")
      c.tls.off = true;
    else
      r.error(f.mark, "`tls` must be `off` or a mapping, not `" + v + "`", kTlsHint);
    return;
  }
  if (!f.value.is_map()) {
    r.error(f.mark, "`tls` must be `off` or a mapping, not " + std::string(kind_name(f.value)),
            kTlsHint);
    return;
  }
  bool seen[3] = {false, false, false};
  for (const yaml_field& t : r.fields(f.value, kTlsFields, "`tls`")) {
    size_t i = t.key == "cert" ? 0 : t.key == "key" ? 1 : 2;
    seen[i] = true;
    auto v = r.scalar(t, "tls." + t.key, "write the path of a PEM file");
    if (!v) continue;
    std::string resolved = config_path(base_dir, *v);
    check_readable(resolved, *v, t.key, t.mark, r);
    (i == 0 ? c.tls.cert : i == 1 ? c.tls.key : c.tls.ca) = resolved;
  }
  for (size_t i = 0; i < 3; ++i)
    if (!seen[i])
      r.error(f.mark, "`tls` has no `" + kTlsFields[i] + "`",
              "TLS needs all of `cert`, `key` and `ca`; or write `tls: off` for loopback");
}

}  // namespace runner::config_detail
