#pragma once
// Builds a yaml_tree from yaml-cpp's parser events:
//   yaml_tree tree;
//   yaml_tree_builder builder(tree);
//   YAML::Parser(stream).HandleNextDocument(builder);
// Large documents are mostly one long list: a task group's tasks. Given that
// list's key, the builder hands each item to `on_item` as soon as the item is
// complete and then frees it, so the list never exists as a whole tree and a
// group of any size is read in the memory of one task.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>

#include "schema/yaml_tree.hpp"

namespace runner {

// Lists and mappings inside each other, at most (the root is level 1).
inline constexpr size_t kMaxYamlDepth = 256;

// Thrown from the builder when the document passes kMaxYamlDepth: not a
// syntax error that a repair could get past.
struct yaml_too_deep : YAML::ParserException {
  using YAML::ParserException::ParserException;
};

class yaml_tree_builder : public YAML::EventHandler {
 public:
  using item_handler = std::function<void(yaml_node item)>;

  explicit yaml_tree_builder(yaml_tree& tree) : tree_(tree) {}

  // Streams the root when it is a list, else the value of the root mapping's
  // first `list_key` when that is a list. An item holding an anchor is handed
  // out but kept, since a later alias may name it; and a list that an alias
  // could reach from inside (it or the root is anchored) is not streamed.
  yaml_tree_builder(yaml_tree& tree, std::string list_key, item_handler on_item)
      : tree_(tree), list_key_(std::move(list_key)), on_item_(std::move(on_item)) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override;
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override;
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override;
  void OnMapEnd() override { close(); }

 private:
  struct open_node {
    std::uint32_t id;
    size_t first_child;  // in pending_
    bool streams;        // its items go to on_item_, not into the tree
  };

  bool at_list_position();
  std::uint32_t add(yaml_kind kind, yaml_style style, const YAML::Mark& mark,
                    YAML::anchor_t anchor);
  void open(std::uint32_t id, bool streams);
  void check_depth(const YAML::Mark& mark) const;  // throws YAML::ParserException
  void close();
  void attach(std::uint32_t id);
  void hand_out(std::uint32_t id);

  yaml_tree& tree_;
  std::string list_key_;
  item_handler on_item_;
  std::vector<open_node> open_;         // collections being read, innermost last
  std::vector<std::uint32_t> pending_;  // their children so far
  std::vector<std::uint32_t> anchors_;  // node ids by yaml-cpp's anchor number
  std::uint32_t keep_below_ = 0;        // nodes up to the last anchored one stay
  bool list_key_seen_ = false;
  bool root_anchored_ = false;
  // The sizes of the tree where the current streamed item began: dropping
  // the item cuts the tree back to them.
  size_t item_nodes_ = 0, item_children_ = 0, item_chars_ = 0;
};

}  // namespace runner
