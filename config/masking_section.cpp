// `masking`: the node's own rules for secrets it was never told about, as RE2
// regular expressions (`masking: {patterns: ['eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+']}`).
// Checked here with a line and column; drivers/mask_rules.hpp compiles and
// applies them with the same checks.
#include <re2/re2.h>

#include "config/sections.hpp"

namespace runner::config_detail {

namespace {

const std::vector<std::string> kMaskingFields = {"patterns"};
const char kMaskingExample[] =
    "write `masking: {patterns: ['gh[pousr]_[A-Za-z0-9]{36,}']}` (RE2 syntax)";
// Also in drivers/mask_rules.hpp (kMaxRules, kMaxRuleBytes), which config/
// cannot include: it sits below drivers/.
const size_t kMaxPatterns = 64;
const size_t kMaxPatternBytes = 4096;

void check_pattern(const std::string& p, source_mark at, yaml_reader& r) {
  const std::string hint = "write an RE2 expression that matches the secret itself, e.g. "
                           "`gh[pousr]_[A-Za-z0-9]{36,}`";
  if (p.empty()) {
    r.error(at, "a `masking.patterns` entry is empty (it would match everywhere)", hint);
    return;
  }
  if (p.size() > kMaxPatternBytes) {
    r.error(at, "a `masking.patterns` entry is " + std::to_string(p.size()) +
                    " bytes; at most " + std::to_string(kMaxPatternBytes) + " are allowed",
            hint);
    return;
  }
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(p, options);
  if (!re.ok())
    r.error(at, "`" + p + "` is not a valid RE2 expression: " + re.error(),
            hint + "; RE2 has no backreferences or lookaround");
  else if (RE2::FullMatch("", re))
    r.error(at, "`" + p + "` matches the empty string (it would match everywhere)", hint);
}

}  // namespace

void read_masking(const yaml_field& f, node_config& c, yaml_reader& r) {
  if (!f.value.is_map()) {
    r.error(f.mark, "`masking` must be a mapping, not " + std::string(kind_name(f.value)),
            kMaskingExample);
    return;
  }
  for (const yaml_field& mf : r.fields(f.value, kMaskingFields, "`masking`")) {
    if (!mf.value.is_seq()) {
      r.error(mf.mark, "`masking.patterns` must be a list, not " +
                           std::string(kind_name(mf.value)), kMaskingExample);
      continue;
    }
    if (mf.value.size() > kMaxPatterns) {
      r.error(mf.mark, "`masking.patterns` has " + std::to_string(mf.value.size()) +
                           " entries; at most " + std::to_string(kMaxPatterns) + " are allowed",
              "join related patterns with `|`");
      continue;
    }
    for (yaml_node item : mf.value.items()) {
      source_mark at = item.is_null() ? mf.mark : r.mark(item);
      if (!item.is_scalar()) {
        r.error(at, "a `masking.patterns` entry must be a string, not " +
                        std::string(kind_name(item)), kMaskingExample);
        continue;
      }
      check_pattern(item.scalar(), at, r);
      c.masking_patterns.push_back(item.scalar());
    }
  }
}

}  // namespace runner::config_detail
