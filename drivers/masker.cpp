#include "drivers/masker.hpp"

#include <algorithm>
#include <utility>

#include "drivers/mask_rules.hpp"

namespace runner {

namespace {

// The characters of base64(prefix + secret + suffix) that depend on the
// secret's bytes alone, for a prefix of `offset` bytes. Characters that mix in
// bits of the prefix, the suffix or padding differ from one print to the next,
// so only this run is recognisable; without it the rest decodes to fewer than
// all of the secret's bits.
std::string base64_core(std::string_view s, size_t offset, const char* alphabet) {
  const size_t first_bit = 8 * offset;
  const size_t end_bit = 8 * (offset + s.size());
  std::string out;
  for (size_t c = (first_bit + 5) / 6; 6 * c + 6 <= end_bit; ++c) {
    unsigned v = 0;
    for (size_t b = 6 * c - first_bit; b < 6 * c - first_bit + 6; ++b)
      v = (v << 1) | ((static_cast<unsigned char>(s[b / 8]) >> (7 - b % 8)) & 1);
    out += alphabet[v];
  }
  return out;
}

}  // namespace

bool masker::add(std::string_view secret) {
  if (secret.empty())
    return true;
  if (secret.size() < kMinSecret)
    return false;
  add_pattern(std::string(secret));

  std::vector<std::string> derived;
  // A multi-line value is often printed one line at a time; a '\r' inside a
  // value ends a line on a terminal just as well.
  for (size_t start = 0; start < secret.size();) {
    size_t end = secret.find_first_of("\r\n", start);
    if (end == std::string_view::npos)
      end = secret.size();
    if (end > start && end - start < secret.size())
      derived.emplace_back(secret.substr(start, end - start));
    start = end + 1;
  }
  static const char std_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  // The URL-safe alphabet (JWTs, many token formats) costs nothing extra.
  static const char url_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (size_t offset = 0; offset < 3; ++offset) {
    derived.push_back(base64_core(secret, offset, std_alphabet));
    derived.push_back(base64_core(secret, offset, url_alphabet));
  }
  // Shorter derived forms would mask unrelated text ("abc" is a line of many
  // secrets and of much harmless output).
  for (std::string& d : derived) {
    if (d.size() >= kMinSecret)
      add_pattern(std::move(d));
  }
  return true;
}

void masker::add_pattern(std::string p) {
  if (std::find(patterns_.begin(), patterns_.end(), p) != patterns_.end())
    return;
  longest_ = std::max(longest_, p.size());
  has_space_ = has_space_ || p.find(' ') != std::string::npos;
  auto at = std::find_if(patterns_.begin(), patterns_.end(),
                         [&](const std::string& q) { return q.size() < p.size(); });
  patterns_.insert(at, std::move(p));
}

size_t masker::longest() const {
  return 6 * longest_;
}

void masker::search(std::string_view text, const text_view* view,
                    std::vector<text_range>& hits) const {
  for (const std::string& p : patterns_) {
    for (size_t at = text.find(p); at != std::string_view::npos; at = text.find(p, at + 1)) {
      if (view)
        view->map_hit(at, at + p.size(), hits);
      else
        hits.emplace_back(at, at + p.size());
    }
  }
}

std::vector<text_range> masker::find(std::string_view text) const {
  std::vector<text_range> hits;
  if (rules_)
    rules_->find(text, hits);
  if (patterns_.empty())
    return hits;
  // Patterns are searched in the text itself and in each view that decodes
  // something; most lines hold none of '%', '\\' or a line break, and cost one
  // search per pattern.
  search(text, nullptr, hits);
  auto in_view = [&](const text_view& v) {
    if (!v.text.empty())
      search(v.text, &v, hits);
  };
  if (text.find('%') != std::string_view::npos)
    in_view(percent_decoded(text, false));
  if (has_space_ && text.find_first_of("%+") != std::string_view::npos)
    in_view(percent_decoded(text, true));
  if (text.find('\\') != std::string_view::npos)
    in_view(json_unescaped(text));
  if (text.find('\n') != std::string_view::npos)
    in_view(joined_base64_lines(text));
  return hits;
}

std::string masker::apply(std::string_view text, std::vector<text_range> hits) {
  // Merged ranges: overlapping secrets become one "***", none leaves a readable
  // tail, and the inserted "***" is never scanned again.
  if (hits.empty())
    return std::string(text);
  std::sort(hits.begin(), hits.end());
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  for (size_t i = 0; i < hits.size();) {
    size_t begin = hits[i].first;
    size_t end = hits[i].second;
    for (++i; i < hits.size() && hits[i].first < end; ++i)
      end = std::max(end, hits[i].second);
    if (end <= copied)
      continue;
    begin = std::max(begin, copied);
    out.append(text.substr(copied, begin - copied));
    out += "***";
    copied = end;
  }
  out.append(text.substr(copied));
  return out;
}

std::string masker::mask(std::string_view text) const {
  return apply(text, find(text));
}

}  // namespace runner
