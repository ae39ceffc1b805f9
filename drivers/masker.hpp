#pragma once
// Replaces confidential values with "***" in text a user can see (SPEC.md §4).
// Besides the value itself it knows each line of a multi-line value, base64 at
// all three byte offsets (both alphabets, also wrapped over several lines), and
// the value inside percent-, form- and JSON-escaped text however the encoder
// chose to escape it (mask_views.hpp), plus the node's optional pattern rules
// (mask_rules.hpp).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/mask_views.hpp"

namespace runner {

class mask_rules;

class masker {
 public:
  // A shorter value is never used as a mask: "ab" would blank every "ab" of
  // unrelated output and, worse, tell a reader where the value is not.
  static constexpr size_t kMinSecret = 4;

  // Registers a secret and its derived forms. False (and nothing registered)
  // when the value is shorter than kMinSecret; empty values count as added.
  bool add(std::string_view secret);
  // Also masks whatever these rules match. May be null.
  void use_rules(std::shared_ptr<const mask_rules> rules) { rules_ = std::move(rules); }
  bool empty() const { return patterns_.empty() && !rules_; }
  // Every range of `text` that spells a secret (unsorted, may overlap).
  std::vector<text_range> find(std::string_view text) const;
  // `text` with each merged run of `ranges` replaced by "***".
  static std::string apply(std::string_view text, std::vector<text_range> ranges);
  std::string mask(std::string_view text) const;
  // The longest text a registered form can span: a value JSON-escaped as one
  // \uXXXX per byte is six times as long. Callers keep this much context
  // across splits.
  size_t longest() const;
  // The longest registered form as it is, unescaped: what a secret can span
  // in text that holds no escapes (a block of base64 lines).
  size_t longest_pattern() const { return longest_; }

 private:
  void add_pattern(std::string p);
  void search(std::string_view text, const text_view* view,
              std::vector<text_range>& hits) const;
  std::vector<std::string> patterns_;  // kept sorted by length, longest first
  size_t longest_ = 0;
  bool has_space_ = false;  // a pattern holds ' ', so form encoding matters
  std::shared_ptr<const mask_rules> rules_;
};

}  // namespace runner
