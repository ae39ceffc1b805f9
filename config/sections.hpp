#pragma once
// Readers for the sections of a node config. Internal to config/: each reads
// one field into the model and reports its own problems; checks that span
// sections run once everything is read (node_config.cpp), using these marks.
#include <map>
#include <string>
#include <vector>

#include "config/node_config.hpp"
#include "schema/yaml_reader.hpp"

namespace runner::config_detail {

struct section_marks {
  source_mark listen;
  source_mark tls;
  std::map<std::string, source_mark> peers;
  std::vector<source_mark> accept_from;  // one per accept rule
};

// [A-Za-z][A-Za-z0-9_.-]*: node and peer names (certificate CNs).
bool valid_node_name(const std::string& s);
extern const char kNodeNameHint[];

// `path` as written in the config, relative paths taken from the config's directory.
std::string config_path(const std::string& base_dir, const std::string& path);

void read_listen(const yaml_field& f, node_config& c, yaml_reader& r);
// `base_dir` is where relative certificate paths start.
void read_tls(const yaml_field& f, const std::string& base_dir, node_config& c, yaml_reader& r);
void read_peers(const yaml_field& f, node_config& c, section_marks& m, yaml_reader& r);
void read_accept(const yaml_field& f, node_config& c, section_marks& m, yaml_reader& r);
void read_log(const yaml_field& f, node_config& c, yaml_reader& r);
void read_drivers(const yaml_field& f, node_config& c, yaml_reader& r);
void read_vault(const yaml_field& f, const std::string& base_dir, node_config& c, yaml_reader& r);
void read_transport(const yaml_field& f, node_config& c, yaml_reader& r);
void read_masking(const yaml_field& f, node_config& c, yaml_reader& r);
void read_actions(const yaml_field& f, const std::string& base_dir, node_config& c,
                  yaml_reader& r);

}  // namespace runner::config_detail
