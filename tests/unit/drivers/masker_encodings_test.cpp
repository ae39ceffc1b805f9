// The encodings a secret leaks in when a task passes it to another tool: each
// printed as that tool prints it (encoders written here, independently of
// masker.cpp), then masked. Wrapped base64 through the line buffer as well.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "drivers/line_buffer.hpp"
#include "drivers/mask_rules.hpp"
#include "drivers/masker.hpp"
#include "tests/support/base64.hpp"

namespace runner {
namespace {

using test::base64;

const char kHexUpper[] = "0123456789ABCDEF";
const char kHexLower[] = "0123456789abcdef";

std::string percent_every_byte(std::string_view s, const char* hex) {
  std::string out;
  for (unsigned char c : s) {
    out += '%';
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

// Python's urllib.parse.quote_plus: unreserved as is, ' ' as '+', the rest %XX.
std::string quote_plus(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
      out += static_cast<char>(c);
    else if (c == ' ')
      out += '+';
    else
      out += std::string("%") + kHexUpper[c >> 4] + kHexUpper[c & 15];
  }
  return out;
}

// One \uXXXX per code point (UTF-8 decoded; astral ones as surrogate pairs).
std::string json_all_unicode(std::string_view s, const char* hex) {
  std::string out;
  auto u = [&](unsigned v) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
      out += hex[(v >> shift) & 15];
  };
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    unsigned cp;
    size_t n;
    if (c < 0x80) { cp = c; n = 1; }
    else if (c < 0xE0) { cp = c & 0x1F; n = 2; }
    else if (c < 0xF0) { cp = c & 0x0F; n = 3; }
    else { cp = c & 0x07; n = 4; }
    for (size_t k = 1; k < n; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      u(0xD800 + (cp >> 10));
      u(0xDC00 + (cp & 0x3FF));
    } else {
      u(cp);
    }
  }
  return out;
}

// Go's json.Marshal: standard escapes plus \u003c \u003e \u0026.
std::string go_json(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else out += c;
  }
  return out;
}

// PHP's json_encode: '/' as "\/".
std::string php_json(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '/') out += "\\/";
    else if (c == '"') out += "\\\"";
    else out += c;
  }
  return out;
}

// As coreutils' `base64` prints it: 76 characters a line.
std::string wrapped(std::string_view b64, size_t width = 76) {
  std::string out;
  for (size_t at = 0; at < b64.size(); at += width)
    out += std::string(b64.substr(at, width)) + "\n";
  return out;
}

const std::string kSecret = "p@ss w/rd<&>+\"x\"";

std::string masked(std::string_view text) {
  masker m;
  m.add(kSecret);
  return m.mask(text);
}

TEST(MaskerEncodings, FormEncoding) {
  std::string form = quote_plus(kSecret);
  ASSERT_NE(form.find('+'), std::string::npos);
  EXPECT_EQ(masked("user=me&pw=" + form + "&x=1"), "user=me&pw=***&x=1");
}

TEST(MaskerEncodings, EveryBytePercentEncoded) {
  for (const char* hex : {kHexUpper, kHexLower}) {
    std::string enc = percent_every_byte(kSecret, hex);
    EXPECT_EQ(masked("GET /?t=" + enc + " HTTP/1.1"), "GET /?t=*** HTTP/1.1") << enc;
  }
  // Mixed: some characters escaped, some not, either case.
  EXPECT_EQ(masked("p%40ss%20w/rd%3c%26%3E+%22x%22!"), "***!");
}

TEST(MaskerEncodings, JsonWithEscapedSlashes) {
  std::string enc = php_json(kSecret);
  ASSERT_NE(enc.find("\\/"), std::string::npos);
  EXPECT_EQ(masked("{\"t\":\"" + enc + "\"}"), "{\"t\":\"***\"}");
}

TEST(MaskerEncodings, GoStyleJsonEscapes) {
  std::string enc = go_json(kSecret);
  ASSERT_NE(enc.find("\\u0026"), std::string::npos);
  EXPECT_EQ(masked("{\"t\":\"" + enc + "\"}"), "{\"t\":\"***\"}");
}

TEST(MaskerEncodings, AllUnicodeEscapesEitherCase) {
  const std::string secret = "pässwörd-\xF0\x9F\x94\x91-key";  // ä, ö and U+1F511
  masker m;
  m.add(secret);
  for (const char* hex : {kHexUpper, kHexLower}) {
    std::string enc = json_all_unicode(secret, hex);
    SCOPED_TRACE(enc);
    EXPECT_EQ(m.mask("\"" + enc + "\""), "\"***\"");
  }
}

TEST(MaskerEncodings, ValueWithACarriageReturn) {
  masker m;
  m.add("first-part\rsecond-part");
  EXPECT_EQ(m.mask("first-part\rsecond-part"), "***");
  // A terminal shows the part after the '\r' over the first: each is masked.
  EXPECT_EQ(m.mask("> second-part"), "> ***");
  EXPECT_EQ(m.mask("first-part <"), "*** <");
}

TEST(MaskerEncodings, Base64InsidePercentEncoding) {
  // base64 with '+' and '/' in a query string: %2B, %2F.
  const std::string secret = "\xfb\xff\xbf-token-\xfb\xff\xbf";
  std::string b64 = base64(secret);
  ASSERT_NE(b64.find_first_of("+/"), std::string::npos);
  std::string core = b64.substr(0, 8 * secret.size() / 6);  // the secret's bits alone
  masker m;
  m.add(secret);
  std::string out = m.mask("q=" + percent_every_byte(b64, kHexUpper));
  EXPECT_EQ(out.find(percent_every_byte(core, kHexUpper)), std::string::npos) << out;
  EXPECT_NE(out.find("***"), std::string::npos) << out;
}

// Splits `text` into lines (without '\n').
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  if (start < text.size())
    out.push_back(text.substr(start));
  return out;
}

// The lines of wrapped base64(prefix + secret + suffix) that carry a
// character determined by the secret alone, as [line, begin, end) per line.
struct carried {
  size_t line, begin, end;
};
std::vector<carried> carrying_lines(size_t prefix, size_t secret, size_t width) {
  size_t begin = (8 * prefix + 5) / 6, end = 8 * (prefix + secret) / 6;
  std::vector<carried> out;
  for (size_t line = begin / width; line * width < end; ++line) {
    size_t b = std::max(begin, line * width), e = std::min(end, (line + 1) * width);
    out.push_back({line, b - line * width, e - line * width});
  }
  return out;
}

// Wrapped base64 at every offset and across every line break position: each
// line that carries part of the secret shows "***" where it does, the rest of
// every line is as printed, whether masked as one text or streamed through
// the line buffer in odd chunks.
TEST(MaskerEncodings, WrappedBase64EveryLineThatCarriesPartOfTheSecret) {
  const std::string secret = "correct horse battery staple, and more of it";
  masker m;
  m.add(secret);
  for (size_t width : {76u, 64u, 16u}) {
    for (size_t prefix = 0; prefix < 2 * width; prefix += 7) {
      std::string plain = std::string(prefix, 'x') + secret + "suffix bytes";
      std::string text = wrapped(base64(plain), width);
      std::vector<std::string> expected = lines_of(text);
      auto carry = carrying_lines(prefix, secret.size(), width);
      ASSERT_GE(carry.size(), 1u);
      for (auto it = carry.rbegin(); it != carry.rend(); ++it) {
        std::string& l = expected[it->line];
        l = l.substr(0, it->begin) + "***" + l.substr(it->end);
      }
      SCOPED_TRACE("width " + std::to_string(width) + " prefix " + std::to_string(prefix));
      EXPECT_EQ(lines_of(m.mask(text)), expected);

      for (size_t chunk : {1u, 5u, 77u, 4096u}) {
        line_buffer lb(64 << 10, &m);
        std::vector<std::string> got;
        auto emit = [&](std::string_view l) { got.emplace_back(l); };
        for (size_t at = 0; at < text.size(); at += chunk)
          lb.feed(std::string_view(text).substr(at, chunk), emit);
        lb.flush(emit);
        EXPECT_EQ(got, expected) << "chunk " << chunk;
      }
    }
  }
}

TEST(MaskerEncodings, WrappedBase64HeldOnlyAsLongAsASecretCanReach) {
  masker m;
  m.add("a secret of some length");
  line_buffer lb(64 << 10, &m);
  std::vector<std::string> got;
  auto emit = [&](std::string_view l) { got.emplace_back(l); };
  // A long stream of 76-wide base64 lines with no secret in it: lines come
  // out while it still runs, never more held than the secret can span.
  const std::string line(76, 'Q');
  size_t fed = 0;
  for (; fed < 1000; ++fed) {
    lb.feed(line + "\n", emit);
    // Settled lines go in batches: about 8 KiB is held back at most.
    EXPECT_LE(fed + 1 - got.size(), 8192 / 76 + 3) << fed;
  }
  lb.flush(emit);
  EXPECT_EQ(got.size(), fed);
  // Any other line ends a block at once.
  got.clear();
  lb.feed(line + "\nnot base64!\n", emit);
  EXPECT_EQ(got, (std::vector<std::string>{line, "not base64!"}));
}

TEST(MaskerEncodings, LinesAreNotHeldWithoutSecrets) {
  masker m;
  line_buffer lb(64 << 10, &m);
  std::vector<std::string> got;
  lb.feed(std::string(76, 'Q') + "\n", [&](std::string_view l) { got.emplace_back(l); });
  EXPECT_EQ(got.size(), 1u);
}

TEST(MaskRules, PatternsMaskWhatTheyMatch) {
  std::string error;
  auto rules = mask_rules::compile(
      {"eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+", "gh[pousr]_[A-Za-z0-9]{36,}"},
      error);
  ASSERT_TRUE(rules) << error;
  masker m;
  EXPECT_TRUE(m.empty());
  m.use_rules(rules);
  EXPECT_FALSE(m.empty());
  std::string token = "ghp_" + std::string(36, 'a');
  EXPECT_EQ(m.mask("Authorization: token " + token + " ok"), "Authorization: token *** ok");
  EXPECT_EQ(m.mask("jwt=eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl;"), "jwt=***;");
  EXPECT_EQ(m.mask("ghp_short"), "ghp_short");
}

TEST(MaskRules, BadPatternsAreRefusedWithTheirNumber) {
  std::string error;
  EXPECT_FALSE(mask_rules::compile({"ok", "(unclosed"}, error));
  EXPECT_NE(error.find("pattern 2"), std::string::npos) << error;
  EXPECT_FALSE(mask_rules::compile({"a*"}, error));
  EXPECT_NE(error.find("empty string"), std::string::npos) << error;
  EXPECT_FALSE(mask_rules::compile({""}, error));
  EXPECT_FALSE(mask_rules::compile(std::vector<std::string>(mask_rules::kMaxRules + 1, "x"), error));
  EXPECT_FALSE(mask_rules::compile({std::string(mask_rules::kMaxRuleBytes + 1, 'x')}, error));
  EXPECT_TRUE(mask_rules::compile({"(a)\\1"}, error) == nullptr);  // no backreferences in RE2
}

TEST(MaskRules, LinearOnAHostileLine) {
  // (a+)+$ backtracks exponentially in std::regex; RE2 does not backtrack.
  std::string error;
  auto rules = mask_rules::compile({"(a+)+$"}, error);
  ASSERT_TRUE(rules);
  masker m;
  m.use_rules(rules);
  std::string line = std::string(100000, 'a') + "!";
  EXPECT_EQ(m.mask(line), line);
}

}  // namespace
}  // namespace runner
