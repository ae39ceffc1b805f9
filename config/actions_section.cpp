// `actions`: where this node gets GitHub Actions from and what runs them.
// `base_url` is the git server `owner/repo@ref` actions are cloned from (a
// mirror, GitHub Enterprise, or a directory of bare repositories for offline
// use); `node` is the Node.js binary for node actions.
#include "config/sections.hpp"

namespace runner::config_detail {

namespace {

const std::vector<std::string> kActionsFields = {"base_url", "node"};
const char kActionsExample[] =
    "write `actions: {base_url: https://github.com/, node: /usr/bin/node}`";

bool has_prefix(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

}  // namespace

void read_actions(const yaml_field& f, const std::string& base_dir, node_config& c,
                  yaml_reader& r) {
  if (!f.value.is_map()) {
    r.error(f.mark, "`actions` must be a mapping, not " + std::string(kind_name(f.value)),
            kActionsExample);
    return;
  }
  actions_config& a = c.actions;
  for (const yaml_field& af : r.fields(f.value, kActionsFields, "`actions`")) {
    auto value = r.scalar(af, "actions." + af.key, "write a single value");
    if (!value) continue;
    if (af.key == "base_url") {
      if (has_prefix(*value, "https://") || has_prefix(*value, "http://") ||
          has_prefix(*value, "file://") || has_prefix(*value, "ssh://"))
        a.base_url = *value;
      else if (has_prefix(*value, "/") || has_prefix(*value, "."))
        a.base_url = "file://" + config_path(base_dir, *value);
      else
        r.error(af.mark, "`actions.base_url` must be a URL git can clone from",
                "write https://github.com/, a mirror's URL, or file:///srv/actions/ (a "
                "directory of bare repositories named <owner>/<repo>.git)");
      if (!a.base_url.empty() && a.base_url.back() != '/') a.base_url += '/';
    } else if (af.key == "node") {
      if (value->empty())
        r.error(af.mark, "`actions.node` is empty", "name the node binary, e.g. /usr/bin/node");
      else
        a.node = value->find('/') == std::string::npos ? *value : config_path(base_dir, *value);
    }
  }
}

}  // namespace runner::config_detail
