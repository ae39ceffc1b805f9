#include "schema/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace runner {

namespace {

std::string lower(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal string alignment distance: Levenshtein plus adjacent transposition,
// because "nmae" for "name" is the most common typo of all.
size_t edit_distance(const std::string& a, const std::string& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  // Long inputs against many candidates (10,000 task names) would be slow and
  // never a typo anyway.
  if (word.empty() || word.size() > 64)
    return "";
  const std::string w = lower(word);
  std::string best;
  size_t best_distance = 0;
  for (const std::string& c : candidates) {
    if (c == word || c.size() > 64)
      continue;
    size_t longest = std::max(w.size(), c.size());
    size_t gap = longest - std::min(w.size(), c.size());
    size_t limit = std::max<size_t>(1, (longest + 2) / 3);
    if (gap > limit)
      continue;
    size_t d = edit_distance(w, lower(c));
    // Replacing every letter ("x" for "a") is no typo.
    if (d <= limit && d < std::min(w.size(), c.size()) && (best.empty() || d < best_distance)) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string m = closest_match(word, candidates);
  return m.empty() ? "" : "did you mean `" + m + "`? ";
}

std::string quoted_list(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty())
      out += ", ";
    out += '`' + w + '`';
  }
  return out;
}

}  // namespace runner
