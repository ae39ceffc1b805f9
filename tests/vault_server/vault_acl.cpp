#include "tests/vault_server/vault_acl.hpp"

#include <algorithm>

namespace vault_stub {

bool pattern_matches(const std::string& pattern, const std::string& path) {
  size_t i = 0, j = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '*' && i + 1 == pattern.size()) return true;  // a glob is only ever last
    if (pattern[i] == '+') {
      while (j < path.size() && path[j] != '/') ++j;
      ++i;
      continue;
    }
    if (j >= path.size() || pattern[i] != path[j]) return false;
    ++i;
    ++j;
  }
  return j == path.size();
}

bool lower_priority(const std::string& a, const std::string& b) {
  auto first_wildcard = [](const std::string& p) { return std::min(p.find('+'), p.size()); };
  auto glob_end = [](const std::string& p) { return !p.empty() && p.back() == '*'; };
  // A trailing '*' counts as the first wildcard too (rule 1 speaks of `+` or `*`).
  auto first_any = [&](const std::string& p) {
    return std::min(first_wildcard(p), glob_end(p) ? p.size() - 1 : p.size());
  };
  if (first_any(a) != first_any(b)) return first_any(a) < first_any(b);
  if (glob_end(a) != glob_end(b)) return glob_end(a);
  auto pluses = [](const std::string& p) { return std::count(p.begin(), p.end(), '+'); };
  if (pluses(a) != pluses(b)) return pluses(a) > pluses(b);
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

bool acl_allows(const std::vector<const policy_rules*>& policies, const std::string& path,
                const std::string& capability) {
  // Merge first: the same pattern in several policies is one rule with the union of
  // their capabilities (Vault's "If the same pattern appears in multiple policies").
  policy_rules merged;
  for (const auto* rules : policies)
    for (const auto& [pattern, caps] : *rules)
      if (pattern_matches(pattern, path)) merged[pattern].insert(caps.begin(), caps.end());
  if (merged.empty()) return false;
  auto best = merged.begin();
  for (auto it = merged.begin(); it != merged.end(); ++it)
    if (lower_priority(best->first, it->first)) best = it;
  return best->second.count("deny") == 0 && best->second.count(capability) > 0;
}

}  // namespace vault_stub
