#include "schema/yaml_tree.hpp"

namespace runner {

yaml_kind yaml_node::kind() const { return tree_ ? tree_->at(id_).kind : yaml_kind::null; }

YAML::Mark yaml_node::mark() const {
  YAML::Mark m = YAML::Mark::null_mark();
  if (tree_) {
    const yaml_tree::node& n = tree_->at(id_);
    m.pos = n.pos;
    m.line = n.line;
    m.column = n.column;
  }
  return m;
}

std::string_view yaml_node::text() const {
  if (!is_scalar())
    return {};
  const yaml_tree::node& n = tree_->at(id_);
  return std::string_view(tree_->chars_).substr(n.begin, n.size);
}

yaml_style yaml_node::style() const { return tree_ ? tree_->at(id_).style : yaml_style::plain; }

size_t yaml_node::size() const {
  switch (kind()) {
    case yaml_kind::sequence: return tree_->at(id_).size;
    case yaml_kind::map: return tree_->at(id_).size / 2;
    default: return 0;
  }
}

yaml_node yaml_node::child(size_t i) const {
  return yaml_node(tree_, tree_->children_[tree_->at(id_).begin + i]);
}

yaml_node yaml_node::item(size_t i) const { return child(i); }
yaml_node yaml_node::key(size_t i) const { return child(2 * i); }
yaml_node yaml_node::value(size_t i) const { return child(2 * i + 1); }

yaml_node yaml_node::find(std::string_view name) const {
  for (auto [k, v] : entries())
    if (k.is_scalar() && k.text() == name)
      return v;
  return {};
}

}  // namespace runner
