#include "drivers/mask_rules.hpp"

#include <re2/re2.h>

namespace runner {

mask_rules::~mask_rules() = default;

std::shared_ptr<const mask_rules> mask_rules::compile(const std::vector<std::string>& patterns,
                                                      std::string& error) {
  if (patterns.size() > kMaxRules) {
    error = std::to_string(patterns.size()) + " patterns; at most " + std::to_string(kMaxRules) +
            " are allowed";
    return nullptr;
  }
  std::shared_ptr<mask_rules> out(new mask_rules());
  for (size_t i = 0; i < patterns.size(); ++i) {
    const std::string& p = patterns[i];
    std::string where = "pattern " + std::to_string(i + 1);
    if (p.empty()) {
      error = where + " is empty (it would match everywhere)";
      return nullptr;
    }
    if (p.size() > kMaxRuleBytes) {
      error = where + " is " + std::to_string(p.size()) + " bytes; at most " +
              std::to_string(kMaxRuleBytes) + " are allowed";
      return nullptr;
    }
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<RE2>(p, options);
    if (!re->ok()) {
      error = where + " `" + p + "` is not a valid RE2 expression: " + re->error();
      return nullptr;
    }
    if (RE2::FullMatch("", *re)) {
      error = where + " `" + p + "` matches the empty string (it would match everywhere)";
      return nullptr;
    }
    out->rules_.push_back(std::move(re));
  }
  return out;
}

void mask_rules::find(std::string_view text, std::vector<text_range>& hits) const {
  re2::StringPiece input(text.data(), text.size());
  for (auto& re : rules_) {
    size_t at = 0;
    re2::StringPiece match;
    while (at <= text.size() &&
           re->Match(input, at, text.size(), RE2::UNANCHORED, &match, 1)) {
      size_t begin = static_cast<size_t>(match.data() - text.data());
      size_t end = begin + match.size();
      if (end > begin)
        hits.emplace_back(begin, end);
      at = end > begin ? end : end + 1;
    }
  }
}

}  // namespace runner
