#pragma once
// A parsed YAML document as one compact tree. yaml-cpp's YAML::Node tree costs
// several kilobytes per task of a group; this one is three flat arrays (nodes,
// child lists, scalar text) at 24 bytes a node plus its text. It is built from
// yaml-cpp's parser events by yaml_tree_builder.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/mark.h>

namespace runner {

class yaml_tree;

enum class yaml_kind : std::uint8_t { null, scalar, sequence, map };

// How a scalar was written; it decides how a spec value is typed (yaml_json.hpp).
enum class yaml_style : std::uint8_t {
  plain,       // unquoted and untagged (yaml-cpp's tag "?")
  quoted,      // quoted or a `|` / `>` block, untagged (tag "!")
  typed_tag,   // a core-schema tag other than !!str, such as `!!int 3`
  string_tag,  // !!str, or a tag of another schema
};

// A node of a yaml_tree: a cheap handle, valid while its tree lives and stays
// where it is. A default-constructed one stands for a missing value: it reads
// as null, with no mark. An alias is the very node it names, as in yaml-cpp.
class yaml_node {
 public:
  yaml_node() = default;

  yaml_kind kind() const;
  bool is_null() const { return kind() == yaml_kind::null; }
  bool is_scalar() const { return kind() == yaml_kind::scalar; }
  bool is_seq() const { return kind() == yaml_kind::sequence; }
  bool is_map() const { return kind() == yaml_kind::map; }

  // Where the node starts, as yaml-cpp counts: 0-based, in bytes. For an
  // empty value yaml-cpp gives the position of whatever follows it.
  YAML::Mark mark() const;

  // A scalar's text ("" for other nodes), and how it was written.
  std::string_view text() const;
  std::string scalar() const { return std::string(text()); }
  yaml_style style() const;
  bool plain() const { return style() == yaml_style::plain; }

  // The items of a sequence or entries of a mapping; 0 for other nodes.
  size_t size() const;
  yaml_node item(size_t i) const;   // of a sequence, i < size()
  yaml_node key(size_t i) const;    // of a mapping, i < size()
  yaml_node value(size_t i) const;  // of a mapping, i < size()
  // The value of the first entry whose key is the scalar `name`; a missing
  // value (default-constructed) when there is none.
  yaml_node find(std::string_view name) const;

  struct entry;
  template <class T>
  class range;
  range<yaml_node> items() const;  // for (yaml_node item : seq.items())
  range<entry> entries() const;    // for (auto [key, value] : map.entries())

  // Whether it is a node of a tree rather than a missing value.
  bool exists() const { return tree_ != nullptr; }
  bool operator==(const yaml_node& o) const { return tree_ == o.tree_ && id_ == o.id_; }
  bool operator!=(const yaml_node& o) const { return !(*this == o); }

 private:
  friend class yaml_tree;
  friend class yaml_tree_builder;
  yaml_node(const yaml_tree* tree, std::uint32_t id) : tree_(tree), id_(id) {}
  yaml_node child(size_t i) const;

  const yaml_tree* tree_ = nullptr;
  std::uint32_t id_ = 0;
};

struct yaml_node::entry {
  yaml_node key, value;
};

// Iteration over a sequence's items or a mapping's entries.
template <class T>
class yaml_node::range {
 public:
  class iterator {
   public:
    T operator*() const;
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    friend class range;
    iterator(yaml_node n, size_t i) : n_(n), i_(i) {}
    yaml_node n_;
    size_t i_;
  };
  iterator begin() const { return {n_, 0}; }
  iterator end() const { return {n_, n_.size()}; }

 private:
  friend class yaml_node;
  explicit range(yaml_node n) : n_(n) {}
  yaml_node n_;
};

template <>
inline yaml_node yaml_node::range<yaml_node>::iterator::operator*() const {
  return n_.item(i_);
}
template <>
inline yaml_node::entry yaml_node::range<yaml_node::entry>::iterator::operator*() const {
  return {n_.key(i_), n_.value(i_)};
}
inline yaml_node::range<yaml_node> yaml_node::items() const {
  return range<yaml_node>(is_seq() ? *this : yaml_node());
}
inline yaml_node::range<yaml_node::entry> yaml_node::entries() const {
  return range<entry>(is_map() ? *this : yaml_node());
}

class yaml_tree {
 public:
  // The document's root; a missing value when the stream held no document.
  yaml_node root() const { return has_root_ ? yaml_node(this, root_) : yaml_node(); }

  // The list whose items the builder handed out one by one (see
  // yaml_tree_builder): it is in the tree, but its items are not. A missing
  // value when no list was streamed.
  yaml_node streamed_list() const {
    return has_streamed_ ? yaml_node(this, streamed_) : yaml_node();
  }

 private:
  friend class yaml_node;
  friend class yaml_tree_builder;

  struct node {
    yaml_kind kind;
    yaml_style style;
    int pos, line, column;  // YAML::Mark, unpacked so the node packs to 24 bytes
    // A scalar's text in chars_; a collection's children in children_ (a
    // mapping's as key, value, key, value...).
    std::uint32_t begin, size;
  };

  const node& at(std::uint32_t id) const { return nodes_[id]; }

  std::vector<node> nodes_;
  std::vector<std::uint32_t> children_;
  std::string chars_;
  std::uint32_t root_ = 0, streamed_ = 0;
  bool has_root_ = false, has_streamed_ = false;
};

}  // namespace runner
