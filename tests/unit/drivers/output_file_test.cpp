#include "drivers/output_file.hpp"

#include <gtest/gtest.h>

namespace runner {
namespace {

using values = std::map<std::string, std::string>;

output_file_result parse(std::string_view content, bool complete = true) {
  return parse_output_file(content, output_limits{}, complete);
}

std::string error_of(std::string_view content, bool complete = true,
                     output_limits limits = output_limits{}) {
  output_file_result r = parse_output_file(content, limits, complete);
  return r.error.value_or("");
}

TEST(OutputFile, Empty) {
  output_file_result r = parse("");
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.values.empty());
}

TEST(OutputFile, SingleLineValues) {
  output_file_result r = parse("a=1\nlong_name-2=hello world\nempty=\n");
  EXPECT_FALSE(r.error) << *r.error;
  EXPECT_EQ(r.values, (values{{"a", "1"}, {"long_name-2", "hello world"}, {"empty", ""}}));
}

TEST(OutputFile, LastLineWithoutNewline) {
  EXPECT_EQ(parse("a=1\nb=2").values, (values{{"a", "1"}, {"b", "2"}}));
}

TEST(OutputFile, EqualsInValue) {
  EXPECT_EQ(parse("url=https://h/?a=b&c=d\n").values, (values{{"url", "https://h/?a=b&c=d"}}));
  // '=' before '<<' makes a plain value.
  EXPECT_EQ(parse("x=a<<b\n").values, (values{{"x", "a<<b"}}));
}

TEST(OutputFile, MultiLineValue) {
  output_file_result r = parse("text<<EOF\nline 1\n\nline=3\nEOF\nafter=x\n");
  EXPECT_FALSE(r.error) << *r.error;
  EXPECT_EQ(r.values, (values{{"text", "line 1\n\nline=3"}, {"after", "x"}}));
}

TEST(OutputFile, MultiLineValueEdgeCases) {
  EXPECT_EQ(parse("e<<EOF\nEOF\n").values, (values{{"e", ""}}));
  // A line only starting with the delimiter does not close the block.
  EXPECT_EQ(parse("v<<END\nEND \nENDx\nEND").values, (values{{"v", "END \nENDx"}}));
  // '<<' before '=' makes a block whose delimiter holds the '='.
  EXPECT_EQ(parse("v<<a=b\nx\na=b\n").values, (values{{"v", "x"}}));
}

TEST(OutputFile, Crlf) {
  output_file_result r = parse("a=1\r\nm<<EOF\r\nl1\r\nl2\r\nEOF\r\n\r\nb=2\r\n");
  EXPECT_FALSE(r.error) << *r.error;
  EXPECT_EQ(r.values, (values{{"a", "1"}, {"m", "l1\nl2"}, {"b", "2"}}));
}

TEST(OutputFile, BlankLinesAreSkipped) {
  EXPECT_EQ(parse("\n\na=1\n  \n\t\nb=2\n").values, (values{{"a", "1"}, {"b", "2"}}));
}

TEST(OutputFile, LaterAssignmentWins) {
  EXPECT_EQ(parse("a=1\nb=2\na=3\na<<X\nfour\nX\n").values,
            (values{{"a", "four"}, {"b", "2"}}));
}

TEST(OutputFile, LineWithoutEqualsOrDelimiter) {
  output_file_result r = parse("a=1\n\njust text\nb=2\n");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->rfind("OUTPUT_FILE line 3: expected `name=value` or `name<<DELIMITER`", 0),
            0u)
      << *r.error;
  EXPECT_EQ(r.values, (values{{"a", "1"}}));  // parsed so far
}

TEST(OutputFile, EmptyName) {
  EXPECT_EQ(error_of("a=1\n=2\n"),
            "OUTPUT_FILE line 2: the output name is empty; write `name=value`");
  EXPECT_EQ(error_of("<<EOF\nx\nEOF\n").rfind("OUTPUT_FILE line 1: the output name is empty", 0),
            0u);
}

TEST(OutputFile, InvalidName) {
  for (const char* line : {"1a=x", "a b=x", "a.b=x", "-a=x", "na\xc3\xa9=x", "a b<<EOF"}) {
    std::string err = error_of(std::string("ok=1\n") + line + "\nEOF\n");
    SCOPED_TRACE(line);
    EXPECT_EQ(err.rfind("OUTPUT_FILE line 2: the output name is not valid", 0), 0u) << err;
    // What the task wrote is not echoed: it may be a secret.
    std::string text(line);
    EXPECT_EQ(err.find(text.substr(0, text.find_first_of("=<"))), std::string::npos) << err;
    EXPECT_NE(err.find("is not valid; use letters, digits, '_' and '-'"), std::string::npos)
        << err;
  }
  EXPECT_EQ(error_of("_a-1=x\nA_b=y\n"), "");
}

TEST(OutputFile, EmptyDelimiter) {
  EXPECT_EQ(error_of("a=1\nm<<\nx\n\n"),
            "OUTPUT_FILE line 2: `m<<` has no delimiter; write `m<<EOF`, the value's lines, "
            "then a line `EOF`");
}

TEST(OutputFile, UnclosedBlockWhenComplete) {
  output_file_result r = parse("a=1\nm<<EOF\nline\nEO\n", true);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error,
            "OUTPUT_FILE line 2: the value of `m` is not closed; end it with a line that is "
            "exactly `EOF`");
  EXPECT_EQ(r.values, (values{{"a", "1"}}));
}

TEST(OutputFile, UnclosedBlockWhileRunningIsLeftOut) {
  output_file_result r = parse("a=1\nm<<EOF\nline\n", false);
  EXPECT_FALSE(r.error) << *r.error;
  EXPECT_EQ(r.values, (values{{"a", "1"}}));
  // Once closed it shows up.
  r = parse("a=1\nm<<EOF\nline\nEOF\n", false);
  EXPECT_EQ(r.values, (values{{"a", "1"}, {"m", "line"}}));
}

TEST(OutputFile, HalfWrittenLastLineWhileRunning) {
  // The task may be in the middle of writing it.
  output_file_result r = parse("a=1\nb=2", false);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.values, (values{{"a", "1"}}));
  r = parse("a=1\nhalf", false);
  EXPECT_FALSE(r.error);
  // A closing delimiter without its newline may be "EOF" of "EOFX" still.
  r = parse("m<<EOF\nx\nEOF", false);
  EXPECT_TRUE(r.values.empty());
  EXPECT_EQ(parse("m<<EOF\nx\nEOF", true).values, (values{{"m", "x"}}));
}

TEST(OutputFile, ValueSizeLimit) {
  output_limits limits;
  std::string content = "small=x\nbig=" + std::string(2u << 20, 'v') + "\n";
  output_file_result r = parse_output_file(content, limits, true);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->rfind("OUTPUT_FILE line 2: output `big` is 2.0 MiB, over the 1.0 MiB limit "
                           "for one value",
                           0),
            0u)
      << *r.error;
  EXPECT_EQ(r.values, (values{{"small", "x"}}));
  // Exactly at the limit is fine.
  limits.value_bytes = 10;
  EXPECT_EQ(error_of("a=0123456789\n", true, limits), "");
  EXPECT_EQ(error_of("a=0123456789X\n", true, limits).rfind(
                "OUTPUT_FILE line 1: output `a` is 11 bytes, over the 10 bytes limit", 0),
            0u);
}

TEST(OutputFile, ValueSizeLimitInBlockNamesTheHeaderLine) {
  output_limits limits;
  limits.value_bytes = 5;
  EXPECT_EQ(error_of("x=1\nm<<EOF\nabc\ndef\nEOF\n", true, limits).rfind(
                "OUTPUT_FILE line 2: output `m` is 7 bytes, over the 5 bytes limit", 0),
            0u);
}

TEST(OutputFile, RoundedSizesThatLookEqualShowBytes) {
  output_limits limits;
  std::string err =
      error_of("a=" + std::string((1u << 20) + 1, 'v') + "\n", true, limits);
  EXPECT_NE(err.find("is 1048577 bytes, over the 1048576 bytes limit"), std::string::npos)
      << err;
}

TEST(OutputFile, TotalSizeLimit) {
  output_limits limits;
  limits.value_bytes = 10;
  limits.total_bytes = 25;
  EXPECT_EQ(error_of("a=0123456789\nb=0123456789\nc=01234\n", true, limits), "");
  output_file_result r =
      parse_output_file("a=0123456789\nb=0123456789\nc=012345\n", limits, true);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->rfind("OUTPUT_FILE line 3: outputs total 26 bytes, over the 25 bytes limit "
                           "for all outputs of a task",
                           0),
            0u)
      << *r.error;
  EXPECT_EQ(r.values.size(), 2u);
}

TEST(OutputFile, TotalCountsOnlyTheWinningAssignment) {
  output_limits limits;
  limits.value_bytes = 10;
  limits.total_bytes = 15;
  EXPECT_EQ(error_of("a=0123456789\na=0123456789\na=0123456789\nb=01234\n", true, limits), "");
}

}  // namespace
}  // namespace runner
