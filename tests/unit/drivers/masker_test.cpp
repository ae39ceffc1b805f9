#include "drivers/masker.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "drivers/line_buffer.hpp"
#include "tests/support/base64.hpp"

namespace runner {
namespace {

using test::base64;

std::string mask_with(std::string_view secret, std::string_view text) {
  masker m;
  m.add(secret);
  return m.mask(text);
}

TEST(Masker, EmptyMasksNothing) {
  masker m;
  EXPECT_TRUE(m.empty());
  m.add("");
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.mask("hello"), "hello");
}

TEST(Masker, Value) {
  EXPECT_EQ(mask_with("hunter2", "password is hunter2, again hunter2."),
            "password is ***, again ***.");
  EXPECT_EQ(mask_with("hunter2", "nothing here"), "nothing here");
  EXPECT_EQ(mask_with("hunter2", "hunter2hunter2"), "******");
}

TEST(Masker, ShortValueIsNotUsedAsAMask) {
  masker m;
  EXPECT_FALSE(m.add("abc"));
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.mask("xabcy"), "xabcy");
  EXPECT_TRUE(m.add("abcd"));
  EXPECT_EQ(m.mask("xabcdy"), "x***y");
}

TEST(Masker, EachLineOfAMultiLineValue) {
  masker m;
  m.add("first-line\r\nsecond-line\n\nthird\n");
  EXPECT_EQ(m.mask("first-line\r\nsecond-line\n\nthird\n"), "***");
  EXPECT_EQ(m.mask("> first-line"), "> ***");
  EXPECT_EQ(m.mask("> second-line <"), "> *** <");
  EXPECT_EQ(m.mask("third"), "***");
  // The '\r' is trimmed from the line pattern, not required in the text.
  EXPECT_EQ(m.mask("first-line\r"), "***\r");
}

TEST(Masker, ShortLinesAreNotMaskedAlone) {
  // "{" alone would blank every brace of unrelated output.
  masker m;
  m.add("{\n  \"key\": \"s3cr3t-value\"\n}");
  EXPECT_EQ(m.mask("if (x) {"), "if (x) {");
  EXPECT_EQ(m.mask("  \"key\": \"s3cr3t-value\""), "***");
}

TEST(Masker, ValueWithTrailingNewlineMasksThePrintedValue) {
  // A secret read from a file usually ends in "\n" that the printer drops.
  EXPECT_EQ(mask_with("tok-123456\n", "token tok-123456"), "token ***");
}

// base64(prefix + secret + suffix) for each prefix length keeps only the
// characters outside the secret's own bits.
TEST(Masker, Base64AtAllThreeOffsets) {
  const std::string secret = "correct horse battery staple";
  masker m;
  m.add(secret);
  const char* prefixes[] = {"", "x", "xy"};
  const char* suffixes[] = {"", "y", "yz", "!!!"};
  for (size_t k = 0; k < 3; ++k) {
    for (const char* suffix : suffixes) {
      std::string encoded = base64(prefixes[k] + secret + suffix);
      // Characters fully determined by the secret: bits [8k, 8k+8n).
      size_t begin = (8 * k + 5) / 6;
      size_t end = 8 * (k + secret.size()) / 6;
      std::string core = encoded.substr(begin, end - begin);
      std::string masked = m.mask("data: " + encoded);
      SCOPED_TRACE(encoded);
      EXPECT_EQ(masked.find(core), std::string::npos);
      EXPECT_EQ(masked, "data: " + encoded.substr(0, begin) + "***" + encoded.substr(end));
    }
  }
}

// The run masked above is exactly the part that does not depend on the
// neighbouring bytes: the characters around it change with them.
TEST(Masker, Base64MasksEverythingTheSecretAloneDetermines) {
  const std::string secret = "0123456789abcdefg";
  masker m;
  m.add(secret);
  for (size_t k = 0; k < 3; ++k) {
    std::string lo = base64(std::string(k, '\x00') + secret + std::string(2, '\x00'));
    std::string hi = base64(std::string(k, '\xff') + secret + std::string(2, '\xff'));
    std::string masked_lo = m.mask(lo), masked_hi = m.mask(hi);
    size_t begin = masked_lo.find("***");
    ASSERT_NE(begin, std::string::npos);
    size_t end = lo.size() - (masked_lo.size() - begin - 3);
    SCOPED_TRACE(k);
    EXPECT_EQ(lo.substr(begin, end - begin), hi.substr(begin, end - begin));
    if (begin > 0) {
      EXPECT_NE(lo[begin - 1], hi[begin - 1]);
    }
    EXPECT_NE(lo[end], hi[end]);
    EXPECT_EQ(masked_hi.find("***"), begin);
  }
}

TEST(Masker, Base64OfValueAlone) {
  masker m;
  m.add("s3cr3t!");
  std::string encoded = base64("s3cr3t!");  // "czNjcjN0IQ=="
  std::string masked = m.mask(encoded);
  EXPECT_NE(masked, encoded);
  EXPECT_EQ(masked.find("czNjcjN0"), std::string::npos);
}

TEST(Masker, Base64UrlAlphabet) {
  // 0xfb 0xff encodes with '+' and '/' in standard base64, '-' and '_' in URL-safe.
  std::string secret = "\xfb\xff\xbf\xfb\xff\xbf";
  std::string url_safe = "-_-_-_-_";
  ASSERT_EQ(base64(secret), "+/+/+/+/");
  EXPECT_EQ(mask_with(secret, "jwt." + url_safe + ".sig"), "jwt.***.sig");
}

TEST(Masker, UrlEncoded) {
  masker m;
  m.add("p@ss w/rd?&");
  EXPECT_EQ(m.mask("https://h/?pw=p%40ss%20w%2Frd%3F%26&x=1"), "https://h/?pw=***&x=1");
  EXPECT_EQ(m.mask("https://h/?pw=p%40ss%20w%2frd%3f%26&x=1"), "https://h/?pw=***&x=1");
  // Unreserved characters stay as they are.
  EXPECT_EQ(mask_with("a-b.c_d~e!", "q=a-b.c_d~e%21"), "q=***");
}

TEST(Masker, JsonEscaped) {
  const std::string secret = "say \"hi\"\\\n\tbye\x01";
  masker m;
  m.add(secret);
  std::string dumped = nlohmann::json(secret).dump();
  EXPECT_EQ(m.mask(dumped), "\"***\"");
  std::string object = nlohmann::json{{"token", secret}}.dump();
  EXPECT_EQ(m.mask(object), "{\"token\":\"***\"}");
}

TEST(Masker, OverlappingSecretsMergeIntoOneMask) {
  masker m;
  m.add("abcdef");
  m.add("defghi");
  EXPECT_EQ(m.mask("xx abcdefghi yy"), "xx *** yy");
  // One contained in the other.
  m.add("bcde");
  EXPECT_EQ(m.mask("bcde abcdef"), "*** ***");
}

TEST(Masker, OverlappingOccurrencesOfOneSecret) {
  EXPECT_EQ(mask_with("abab", "ababab!"), "***!");
}

TEST(Masker, InsertedStarsAreNotMaskedAgain) {
  masker m;
  m.add("secret");
  m.add("***s");
  EXPECT_EQ(m.mask("secrets"), "***s");
}

TEST(Masker, Longest) {
  masker m;
  m.add("abc");
  EXPECT_EQ(m.longest(), 0u);  // too short to be a mask
  // The longest pattern is the base64 of the value at offset 0 (9 characters
  // for 7 bytes), and a form can be six times as long as a pattern:
  // "\u0061\u0020..." spells one escape per byte.
  m.add("a b c d");
  EXPECT_EQ(m.longest(), 6 * 9u);
}

TEST(Masker, SecretSplitAcrossChunksIsMaskedAfterLineAssembly) {
  masker m;
  m.add("supersecretvalue");
  line_buffer lb(64 << 10);
  std::vector<std::string> out;
  auto emit = [&](std::string_view line) { out.push_back(m.mask(line)); };
  lb.feed("token: super", emit);
  lb.feed("secret", emit);
  lb.feed("value ok\nnext", emit);
  lb.flush(emit);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], "token: *** ok");
  EXPECT_EQ(out[1], "next");
}

TEST(Masker, LongLineWithManySecretsIsFast) {
  masker m;
  std::vector<std::string> secrets;
  for (int i = 0; i < 20; ++i) {
    secrets.push_back("secret-" + std::to_string(i) + "-\"value\"/\n" + std::string(20, 'a' + i));
    m.add(secrets.back());
  }
  std::string line;
  while (line.size() < (64 << 10))
    line += "some ordinary log text " + secrets[line.size() % 20].substr(0, 10) + " ";
  line += secrets[7];
  auto start = std::chrono::steady_clock::now();
  std::string masked;
  for (int i = 0; i < 10; ++i)
    masked = m.mask(line);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(masked.find(secrets[7]), std::string::npos);
  EXPECT_EQ(masked.substr(masked.size() - 3), "***");
  EXPECT_LT(ms, 2000);  // generous for Debug builds; well under 10 ms a line in practice
}

}  // namespace
}  // namespace runner
