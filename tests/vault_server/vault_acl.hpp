#pragma once
// Vault's ACL path rules: a policy maps path patterns to capabilities. A pattern
// is an exact path, may end in `*` (any suffix) and may hold `+` (exactly one
// path segment). Policies are merged per pattern; the request path is judged by
// the single highest-priority matching pattern, and `deny` beats everything.
#include <map>
#include <set>
#include <string>
#include <vector>

namespace vault_stub {

using capabilities = std::set<std::string>;           // "read", "list", "update", "deny", ...
using policy_rules = std::map<std::string, capabilities>;  // pattern -> capabilities

bool pattern_matches(const std::string& pattern, const std::string& path);

// True when `a` loses to `b` by Vault's documented priority rules (both match).
bool lower_priority(const std::string& a, const std::string& b);

// Whether the merged `policies` grant `capability` on `path`.
bool acl_allows(const std::vector<const policy_rules*>& policies, const std::string& path,
                const std::string& capability);

}  // namespace vault_stub
