#include "drivers/masker.hpp"

#include <algorithm>
#include <utility>

namespace runner {

namespace {

// Shorter derived forms would mask unrelated text ("abc" is a line of many
// secrets and of much harmless output).
const size_t kMinDerived = 4;

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

std::string url_encode(std::string_view s, const char* hex) {
  std::string out;
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                      c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The inside of a JSON string as nlohmann::json::dump writes it (and as most
// encoders do): short escapes where JSON has them, \u00xx for other control
// characters, everything else (including '/' and UTF-8) as is.
std::string json_escape(std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

}  // namespace

void masker::add(std::string_view secret) {
  if (secret.empty())
    return;
  add_pattern(std::string(secret));

  std::vector<std::string> derived;
  // A multi-line value is often printed one line at a time.
  if (secret.find('\n') != std::string_view::npos) {
    size_t start = 0;
    while (start <= secret.size()) {
      size_t nl = secret.find('\n', start);
      if (nl == std::string_view::npos)
        nl = secret.size();
      std::string_view line = secret.substr(start, nl - start);
      if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
      if (!line.empty())
        derived.emplace_back(line);
      start = nl + 1;
    }
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
  derived.push_back(url_encode(secret, "0123456789ABCDEF"));
  derived.push_back(url_encode(secret, "0123456789abcdef"));
  derived.push_back(json_escape(secret));

  for (std::string& d : derived) {
    if (d.size() >= kMinDerived && d != secret)
      add_pattern(std::move(d));
  }
}

void masker::add_pattern(std::string p) {
  if (std::find(patterns_.begin(), patterns_.end(), p) != patterns_.end())
    return;
  longest_ = std::max(longest_, p.size());
  auto at = std::find_if(patterns_.begin(), patterns_.end(),
                         [&](const std::string& q) { return q.size() < p.size(); });
  patterns_.insert(at, std::move(p));
}

std::string masker::mask(std::string_view text) const {
  // Find every occurrence of every pattern in the original text and merge the
  // ranges: overlapping secrets become one "***", none leaves a readable tail,
  // and the inserted "***" is never scanned again.
  std::vector<std::pair<size_t, size_t>> hits;
  for (const std::string& p : patterns_) {
    for (size_t at = text.find(p); at != std::string_view::npos; at = text.find(p, at + 1))
      hits.emplace_back(at, at + p.size());
  }
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
    out.append(text.substr(copied, begin - copied));
    out += "***";
    copied = end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace runner
