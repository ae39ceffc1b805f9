#pragma once
// The node's own masking rules (`masking: {patterns: [...]}` in its config):
// regular expressions for secrets the runner was never told about, such as
// JWTs or provider tokens a task prints. RE2, not std::regex: matching takes
// time linear in the text whatever the pattern (no backtracking blow-up from a
// careless rule), and it does not recurse on long lines.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/mask_views.hpp"

namespace re2 {
class RE2;
}

namespace runner {

class mask_rules {
 public:
  // Bounds on what a config may ask for: each rule's length and the number of
  // rules (each costs one pass over every line printed).
  static constexpr size_t kMaxRules = 64;
  static constexpr size_t kMaxRuleBytes = 4096;

  // Compiles `patterns`; on a bad one, null and `error` says which and why.
  static std::shared_ptr<const mask_rules> compile(const std::vector<std::string>& patterns,
                                                   std::string& error);
  ~mask_rules();

  // Adds the range of every match in `text` to `hits`.
  void find(std::string_view text, std::vector<text_range>& hits) const;

 private:
  mask_rules() = default;
  std::vector<std::unique_ptr<re2::RE2>> rules_;
};

}  // namespace runner
