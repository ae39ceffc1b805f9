// `vault`: this node's own access to a Vault server, used by vault tasks that
// bring no credentials of their own. Secrets are named by file, never written
// into the config, so the config can be shown and versioned.
#include "config/sections.hpp"

namespace runner::config_detail {

namespace {

const std::vector<std::string> kVaultFields = {"url",      "namespace",      "ca_cert",
                                               "token_file", "role_id",      "secret_id_file",
                                               "role",     "jwt_file",       "auth_mount"};
const char kVaultExample[] =
    "write `vault: {url: https://vault.internal:8200, token_file: /run/secrets/vault-token}`";

}  // namespace

void read_vault(const yaml_field& f, const std::string& base_dir, node_config& c, yaml_reader& r) {
  if (!f.value.is_map()) {
    r.error(f.mark, "`vault` must be a mapping, not " + std::string(kind_name(f.value)), kVaultExample);
    return;
  }
  vault_access_config& v = c.vault;
  v.mark = f.mark;
  for (const yaml_field& vf : r.fields(f.value, kVaultFields, "`vault`")) {
    auto value = r.scalar(vf, "vault." + vf.key, "write a single value");
    if (!value) continue;
    const std::string& k = vf.key;
    if (k == "url") v.url = *value;
    else if (k == "namespace") v.namespace_ = *value;
    else if (k == "ca_cert") v.ca_cert = config_path(base_dir, *value);
    else if (k == "token_file") v.token_file = config_path(base_dir, *value);
    else if (k == "role_id") v.role_id = *value;
    else if (k == "secret_id_file") v.secret_id_file = config_path(base_dir, *value);
    else if (k == "role") v.role = *value;
    else if (k == "jwt_file") v.jwt_file = config_path(base_dir, *value);
    else if (k == "auth_mount") v.auth_mount = *value;
  }
  while (!v.url.empty() && v.url.back() == '/') v.url.pop_back();
  if (v.url.empty())
    r.error(f.mark, "`vault` has no `url`", kVaultExample);
  else if (v.url.rfind("https://", 0) != 0 && v.url.rfind("http://", 0) != 0)
    r.error(f.mark, "`vault.url` must start with https:// (or http:// for a local dev server)",
            kVaultExample);
  int ways = !v.token_file.empty() + (!v.role_id.empty() || !v.secret_id_file.empty()) +
             (!v.role.empty() || !v.jwt_file.empty());
  if (ways != 1)
    r.error(f.mark,
            ways == 0 ? "`vault` has no way to log in" : "`vault` gives more than one way to log in",
            "give one of: `token_file`; `role_id` + `secret_id_file` (AppRole); `role` [+ `jwt_file`] "
            "(Kubernetes)");
  else if (!v.role_id.empty() != !v.secret_id_file.empty())
    r.error(f.mark, "AppRole auth needs both `role_id` and `secret_id_file`", kVaultExample);
  else if (!v.jwt_file.empty() && v.role.empty())
    r.error(f.mark, "Kubernetes auth needs `role`", "write `role: <vault role>`");
}

}  // namespace runner::config_detail
