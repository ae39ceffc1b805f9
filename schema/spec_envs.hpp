#pragma once
// A spec's `envs` as the tasks see them: a map, or a list of one-key maps (the
// seed's form), each value as text (strings as they are, null as "", anything
// else as JSON). One reading for os_exec's child environment, `env.NAME` in
// expressions and `when:`, and validation, so they cannot disagree.
#include <string>
#include <utility>
#include <vector>

#include "schema/model.hpp"

namespace runner {

std::string spec_scalar_text(const json& v);

// The pairs of `spec["envs"]`, in document order; empty without `envs`.
std::vector<std::pair<std::string, std::string>> spec_envs(const json& spec);

}  // namespace runner
