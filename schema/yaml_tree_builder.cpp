#include "schema/yaml_tree_builder.hpp"

namespace runner {

namespace {

yaml_style style_of(const std::string& tag) {
  if (tag == "?")
    return yaml_style::plain;
  if (tag == "!")
    return yaml_style::quoted;
  const std::string core = "tag:yaml.org,2002:";
  if (tag.compare(0, core.size(), core) == 0 && tag != core + "str")
    return yaml_style::typed_tag;
  return yaml_style::string_tag;
}

}  // namespace

void yaml_tree_builder::OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) {
  at_list_position();
  attach(add(yaml_kind::null, yaml_style::plain, mark, anchor));
}

void yaml_tree_builder::OnAlias(const YAML::Mark&, YAML::anchor_t anchor) {
  // The parser has checked that the anchor exists. Like yaml-cpp's own
  // builder, the alias is the named node itself, its mark included.
  at_list_position();
  attach(anchors_.at(anchor));
}

void yaml_tree_builder::OnScalar(const YAML::Mark& mark, const std::string& tag,
                                 YAML::anchor_t anchor, const std::string& value) {
  at_list_position();
  std::uint32_t id = add(yaml_kind::scalar, style_of(tag), mark, anchor);
  yaml_tree::node& n = tree_.nodes_[id];
  n.begin = static_cast<std::uint32_t>(tree_.chars_.size());
  n.size = static_cast<std::uint32_t>(value.size());
  tree_.chars_ += value;
  attach(id);
}

// Everything that walks a tree (readers, YAML <-> JSON) recurses once per
// level: a document may not nest deeper than this. yaml-cpp's own guard
// stops at 2000 levels with "bad file"; this one says what is wrong, sooner.
void yaml_tree_builder::check_depth(const YAML::Mark& mark) const {
  if (open_.size() >= kMaxYamlDepth)
    throw yaml_too_deep(mark, "the document nests deeper than " +
                                          std::to_string(kMaxYamlDepth) +
                                          " levels of lists and mappings");
}

void yaml_tree_builder::OnSequenceStart(const YAML::Mark& mark, const std::string&,
                                        YAML::anchor_t anchor, YAML::EmitterStyle::value) {
  check_depth(mark);
  bool list = at_list_position() && on_item_ && !anchor;
  open(add(yaml_kind::sequence, yaml_style::plain, mark, anchor), list);
}

void yaml_tree_builder::OnMapStart(const YAML::Mark& mark, const std::string&,
                                   YAML::anchor_t anchor, YAML::EmitterStyle::value) {
  check_depth(mark);
  at_list_position();
  open(add(yaml_kind::map, yaml_style::plain, mark, anchor), false);
}

// Called as each node begins: is it where the streamed list stands? Also
// notes the first value under list_key_, so that a repeated key (which the
// readers report and skip) is not streamed.
bool yaml_tree_builder::at_list_position() {
  if (open_.empty())
    return true;  // the root
  if (open_.size() != 1 || list_key_seen_ || root_anchored_)
    return false;
  const open_node& root = open_.front();
  if (tree_.at(root.id).kind != yaml_kind::map || (pending_.size() - root.first_child) % 2 == 0)
    return false;  // not a mapping's value
  yaml_node key(&tree_, pending_.back());
  if (!key.is_scalar() || key.text() != list_key_)
    return false;
  list_key_seen_ = true;
  return true;
}

std::uint32_t yaml_tree_builder::add(yaml_kind kind, yaml_style style, const YAML::Mark& mark,
                                     YAML::anchor_t anchor) {
  auto id = static_cast<std::uint32_t>(tree_.nodes_.size());
  tree_.nodes_.push_back({kind, style, mark.pos, mark.line, mark.column, 0, 0});
  if (anchor) {
    if (anchors_.size() <= anchor)
      anchors_.resize(anchor + 1);
    anchors_[anchor] = id;
    keep_below_ = id + 1;
    if (open_.empty())
      root_anchored_ = true;
  }
  return id;
}

void yaml_tree_builder::open(std::uint32_t id, bool streams) {
  open_.push_back({id, pending_.size(), streams});
  if (streams) {
    item_nodes_ = tree_.nodes_.size();
    item_children_ = tree_.children_.size();
    item_chars_ = tree_.chars_.size();
  }
}

void yaml_tree_builder::close() {
  open_node o = open_.back();
  open_.pop_back();
  yaml_tree::node& n = tree_.nodes_[o.id];
  n.begin = static_cast<std::uint32_t>(tree_.children_.size());
  n.size = static_cast<std::uint32_t>(pending_.size() - o.first_child);
  tree_.children_.insert(tree_.children_.end(), pending_.begin() + o.first_child, pending_.end());
  pending_.resize(o.first_child);
  if (o.streams) {
    tree_.streamed_ = o.id;
    tree_.has_streamed_ = true;
  }
  attach(o.id);
}

// A complete node joins its parent, or becomes the root.
void yaml_tree_builder::attach(std::uint32_t id) {
  if (open_.empty()) {
    tree_.root_ = id;
    tree_.has_root_ = true;
  } else if (open_.back().streams) {
    hand_out(id);
  } else {
    pending_.push_back(id);
  }
}

void yaml_tree_builder::hand_out(std::uint32_t id) {
  on_item_(yaml_node(&tree_, id));
  if (keep_below_ <= item_nodes_) {
    tree_.nodes_.resize(item_nodes_);
    tree_.children_.resize(item_children_);
    tree_.chars_.resize(item_chars_);
  }
  item_nodes_ = tree_.nodes_.size();
  item_children_ = tree_.children_.size();
  item_chars_ = tree_.chars_.size();
}

}  // namespace runner
