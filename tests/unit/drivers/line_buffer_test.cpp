#include "drivers/line_buffer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace runner {
namespace {

struct collector {
  std::vector<std::string> lines;
  line_buffer::emit_fn fn() {
    return [this](std::string_view l) { lines.emplace_back(l); };
  }
};

std::vector<std::string> lines_of(size_t max, std::vector<std::string_view> chunks) {
  line_buffer lb(max);
  collector c;
  for (std::string_view chunk : chunks)
    lb.feed(chunk, c.fn());
  lb.flush(c.fn());
  return c.lines;
}

using lines = std::vector<std::string>;

TEST(LineBuffer, CompleteLines) {
  EXPECT_EQ(lines_of(100, {"a\nbb\n\nccc\n"}), (lines{"a", "bb", "", "ccc"}));
}

TEST(LineBuffer, LinesAcrossChunks) {
  EXPECT_EQ(lines_of(100, {"he", "llo wo", "rld\nbye", "\n"}), (lines{"hello world", "bye"}));
}

TEST(LineBuffer, FlushEmitsTheUnterminatedLine) {
  line_buffer lb(100);
  collector c;
  lb.feed("one\ntwo", c.fn());
  EXPECT_EQ(c.lines, (lines{"one"}));
  lb.flush(c.fn());
  EXPECT_EQ(c.lines, (lines{"one", "two"}));
  lb.flush(c.fn());  // nothing left
  EXPECT_EQ(c.lines.size(), 2u);
}

TEST(LineBuffer, Crlf) {
  EXPECT_EQ(lines_of(100, {"a\r\nb\r", "\nc\r"}), (lines{"a", "b", "c"}));
  // Only a '\r' right before the '\n' is a line ending.
  EXPECT_EQ(lines_of(100, {"progress\r50%\r\n"}), (lines{"progress\r50%"}));
}

TEST(LineBuffer, LongLineIsSplitNotDropped) {
  std::string line(25, 'x');
  EXPECT_EQ(lines_of(10, {line + "\nshort\n"}),
            (lines{std::string(10, 'x'), std::string(10, 'x'), "xxxxx", "short"}));
}

TEST(LineBuffer, LongLineAcrossChunksIsSplitEarly) {
  // The head of a too-long line is emitted before its end arrives.
  line_buffer lb(4);
  collector c;
  lb.feed("abc", c.fn());
  EXPECT_TRUE(c.lines.empty());
  lb.feed("defghij", c.fn());
  EXPECT_EQ(c.lines, (lines{"abcd", "efgh"}));
  lb.feed("\n", c.fn());
  EXPECT_EQ(c.lines, (lines{"abcd", "efgh", "ij"}));
}

TEST(LineBuffer, LineOfExactlyMaxIsOneLine) {
  EXPECT_EQ(lines_of(4, {"abcd", "\n"}), (lines{"abcd"}));
  // Its "\r\n" may arrive split as well.
  EXPECT_EQ(lines_of(4, {"abcd\r", "\n"}), (lines{"abcd"}));
  EXPECT_EQ(lines_of(4, {"abcd\r"}), (lines{"abcd"}));
}

TEST(LineBuffer, SplitKeepsUtf8CharactersWhole) {
  // "é" is two bytes, "€" three, "😀" four.
  std::string text = "abé€😀z";  // 1+1+2+3+4+1 = 12 bytes
  for (size_t max = 4; max <= 12; ++max) {
    lines got = lines_of(max, {text + "\n"});
    std::string joined;
    for (const std::string& piece : got) {
      SCOPED_TRACE(max);
      EXPECT_LE(piece.size(), max);
      EXPECT_FALSE(piece.empty());
      // No piece starts with a continuation byte.
      EXPECT_NE(static_cast<unsigned char>(piece[0]) & 0xC0, 0x80);
      joined += piece;
    }
    EXPECT_EQ(joined, text);
  }
  EXPECT_EQ(lines_of(5, {text + "\n"}), (lines{"abé", "€", "😀z"}));
}

TEST(LineBuffer, SplitKeepsUtf8WholeWhenFedByteByByte) {
  std::string text = "ab€€€cd\n";
  line_buffer lb(4);
  collector c;
  for (char ch : text)
    lb.feed(std::string_view(&ch, 1), c.fn());
  lb.flush(c.fn());
  EXPECT_EQ(c.lines, (lines{"ab", "€", "€", "€c", "d"}));
  EXPECT_EQ(c.lines, lines_of(4, {text}));
}

TEST(LineBuffer, InvalidUtf8IsCutAtTheLimit) {
  std::string junk(10, '\x80');
  EXPECT_EQ(lines_of(4, {junk + "\n"}),
            (lines{std::string(4, '\x80'), std::string(4, '\x80'), std::string(2, '\x80')}));
}

TEST(LineBuffer, LimitSmallerThanACharacter) {
  // Still makes progress rather than looping or emitting empty pieces.
  lines got = lines_of(1, {"€\n"});
  EXPECT_EQ(got.size(), 3u);
}

TEST(LineBuffer, ChunkingDoesNotChangeTheLines) {
  std::string text;
  unsigned seed = 12345;
  auto next = [&] { return seed = seed * 1103515245 + 12345, (seed >> 16) & 0x7fff; };
  const char* pieces[] = {"a", "bc", "\n", "\r\n", "\r", "\xc3\xa9", "\xe2\x82\xac",
                          "\xf0\x9f\x98\x80", "longer text "};
  for (int i = 0; i < 2000; ++i)
    text += pieces[next() % 9];
  for (size_t max : {size_t(1), size_t(3), size_t(4), size_t(7), size_t(64)}) {
    lines whole = lines_of(max, {text});
    line_buffer lb(max);
    collector c;
    for (size_t at = 0; at < text.size();) {
      size_t n = std::min<size_t>(1 + next() % 17, text.size() - at);
      lb.feed(std::string_view(text).substr(at, n), c.fn());
      at += n;
    }
    lb.flush(c.fn());
    SCOPED_TRACE(max);
    EXPECT_EQ(c.lines, whole);
    for (const std::string& l : c.lines)
      EXPECT_LE(l.size(), max);
  }
}

}  // namespace
}  // namespace runner

namespace runner {
namespace {

std::vector<std::string> masked_lines(size_t max, const std::vector<std::string>& chunks,
                                      const masker& m) {
  std::vector<std::string> out;
  line_buffer lb(max, &m);
  auto emit = [&](std::string_view l) { out.emplace_back(l); };
  for (auto& c : chunks)
    lb.feed(c, emit);
  lb.flush(emit);
  return out;
}

TEST(LineBuffer, SecretIsNotSplitByTheCutOfALongLine) {
  masker m;
  m.add("SUPERSECRETVALUE");
  // The cut at 16 bytes would fall inside the secret if it were cut first.
  auto lines = masked_lines(16, {"xxxxxxxxxxSUPERSECRETVALUE and more text\n"}, m);
  std::string all;
  for (auto& l : lines) {
    EXPECT_LE(l.size(), 16u) << l;
    all += l;
  }
  EXPECT_EQ(all, "xxxxxxxxxx*** and more text");
}

TEST(LineBuffer, SecretIsNotSplitByTheEarlyCutOfAnUnfinishedLine) {
  masker m;
  m.add("SUPERSECRETVALUE");
  // Byte by byte, with no newline until the end: the buffer must not emit a
  // head that ends inside the secret.
  std::string text = std::string(30, 'x') + "SUPERSECRETVALUE" + std::string(30, 'y') + "\n";
  std::vector<std::string> chunks;
  for (char c : text)
    chunks.emplace_back(1, c);
  auto lines = masked_lines(16, chunks, m);
  std::string all;
  for (auto& l : lines)
    all += l;
  EXPECT_EQ(all, std::string(30, 'x') + "***" + std::string(30, 'y'));
  for (auto& l : lines)
    EXPECT_EQ(l.find("SUPER"), std::string::npos) << l;
}

}  // namespace
}  // namespace runner
