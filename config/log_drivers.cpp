// `log` and `drivers`: how the node reports, and which external drivers it starts.
#include "config/sections.hpp"
#include "schema/suggest.hpp"

namespace runner::config_detail {

namespace {

const std::vector<std::string> kLogFields = {"level", "format"};
const std::vector<std::string> kLogLevels = {"trace", "debug",    "info", "warn",
                                             "error", "critical", "off"};
const std::vector<std::string> kLogFormats = {"text", "json"};
const std::vector<std::string> kDriverFields = {"command", "env"};
const char kDriverExample[] = "write `- {command: [/usr/bin/my-driver, --flag], env: {K: v}}`";

void read_choice(const yaml_field& f, const std::vector<std::string>& allowed, std::string& out,
                 yaml_reader& r) {
  const std::string hint = "one of " + quoted_list(allowed);
  auto v = r.scalar(f, "log." + f.key, hint);
  if (!v) return;
  for (const std::string& a : allowed)
    if (*v == a) {
      out = *v;
      return;
    }
  r.error(f.mark, "`log." + f.key + "`: `" + *v + "` is not a known " + f.key,
          did_you_mean(*v, allowed) + hint);
}

void read_command(const yaml_field& f, driver_config& d, yaml_reader& r) {
  if (!f.value.is_seq()) {
    std::string hint = kDriverExample;
    if (f.value.is_scalar())
      hint = "write the command as a list, so arguments need no quoting: `command: [" +
             f.value.scalar() + "]`";
    r.error(f.mark, "`command` must be a list, not " + std::string(kind_name(f.value)), hint);
    return;
  }
  for (yaml_node item : f.value.items()) {
    if (item.is_scalar())
      d.command.push_back(item.scalar());
    else
      r.error(item.is_null() ? f.mark : r.mark(item),
              "a `command` entry must be a single value, not " + std::string(kind_name(item)),
              kDriverExample);
  }
  if (f.value.size() == 0)
    r.error(f.mark, "`command` is empty",
            "name the driver's executable first: " + std::string(kDriverExample));
}

void read_env(const yaml_field& f, driver_config& d, yaml_reader& r) {
  if (f.value.is_null()) return;
  if (!f.value.is_map()) {
    r.error(f.mark, "`env` must be a mapping, not " + std::string(kind_name(f.value)),
            "write `env: {NAME: value}`");
    return;
  }
  for (auto [key, value] : f.value.entries()) {
    if (!key.is_scalar() || !(value.is_scalar() || value.is_null())) {
      r.error(r.mark(key.is_scalar() ? value : key),
              "`env` entries must be NAME: value, each a single value",
              "write `env: {NAME: value}`");
      continue;
    }
    d.env[key.scalar()] = value.scalar();
  }
}

}  // namespace

void read_log(const yaml_field& f, node_config& c, yaml_reader& r) {
  if (!f.value.is_map()) {
    r.error(f.mark, "`log` must be a mapping, not " + std::string(kind_name(f.value)),
            "write `log: {level: info, format: text}`");
    return;
  }
  for (const yaml_field& lf : r.fields(f.value, kLogFields, "`log`"))
    read_choice(lf, lf.key == "level" ? kLogLevels : kLogFormats,
                lf.key == "level" ? c.log_level : c.log_format, r);
}

void read_drivers(const yaml_field& f, node_config& c, yaml_reader& r) {
  if (f.value.is_null()) return;
  if (!f.value.is_seq()) {
    r.error(f.mark, "`drivers` must be a list, not " + std::string(kind_name(f.value)),
            kDriverExample);
    return;
  }
  for (yaml_node item : f.value.items()) {
    source_mark at = item.is_null() ? f.mark : r.mark(item);
    if (!item.is_map()) {
      r.error(at, "a `drivers` entry must be a mapping, not " + std::string(kind_name(item)),
              kDriverExample);
      continue;
    }
    driver_config d;
    d.mark = at;
    bool has_command = false;
    for (const yaml_field& df : r.fields(item, kDriverFields, "a `drivers` entry")) {
      if (df.key == "command") {
        has_command = true;
        read_command(df, d, r);
      } else {
        read_env(df, d, r);
      }
    }
    if (!has_command) r.error(at, "a `drivers` entry has no `command`", kDriverExample);
    c.drivers.push_back(std::move(d));
  }
}

}  // namespace runner::config_detail
