#pragma once
// "did you mean" for misspelt field names, task names and task types.
#include <string>
#include <vector>

namespace runner {

// The candidate closest to `word` by edit distance (case-insensitive, adjacent
// swaps count as one edit), if it is close enough to be a plausible typo.
// Ties go to the earlier candidate.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

// "did you mean `x`? " or "" — a prefix for hints.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

// "`a`, `b`, `c`" for hints.
std::string quoted_list(const std::vector<std::string>& words);

}  // namespace runner
