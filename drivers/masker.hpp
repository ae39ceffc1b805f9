#pragma once
// Replaces confidential values with "***" in text a user can see (SPEC.md §4).
// Besides the value itself it knows each line of a multi-line value and the
// encodings that leak secrets in other CI runners: base64 at all three byte
// offsets, URL-encoding (upper and lower case hex) and JSON string escaping.
#include <string>
#include <string_view>
#include <vector>

namespace runner {

class masker {
 public:
  // Registers a secret and its derived forms. Empty values are ignored.
  void add(std::string_view secret);
  bool empty() const { return patterns_.empty(); }
  // Longest first, so a value never leaves a recognisable tail behind.
  std::string mask(std::string_view text) const;
  // Longest pattern registered, so callers can keep enough context across splits.
  size_t longest() const { return longest_; }

 private:
  void add_pattern(std::string p);
  std::vector<std::string> patterns_;  // kept sorted by length, longest first
  size_t longest_ = 0;
};

}  // namespace runner
