#include "drivers/github_action/file_commands.hpp"

#include <gtest/gtest.h>

namespace runner::gh {
namespace {

using values = std::map<std::string, std::string>;
using lines = std::vector<std::string>;

struct file_case {
  const char* name;
  std::string content;
  values expected;
  std::string failure;  // GitHub's message; empty: fine
};

// GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STATE share the runner's grammar
// (EnvFileKeyValuePairs); each case runs against all three.
TEST(GhFileCommands, KeyValueGrammar) {
  const file_case cases[] = {
      {"plain values", "a=1\nb=x=y\nempty=\n", {{"a", "1"}, {"b", "x=y"}, {"empty", ""}}, ""},
      {"no final newline", "a=1\nb=2", {{"a", "1"}, {"b", "2"}}, ""},
      {"empty lines skipped", "\n\na=1\n\n", {{"a", "1"}}, ""},
      {"later wins", "a=1\na=2\na<<E\nthree\nE\n", {{"a", "three"}}, ""},
      {"any name", "my name.x=1\n", {{"my name.x", "1"}}, ""},
      {"carriage return stays (Linux)", "a=1\r\n", {{"a", "1\r"}}, ""},
      {"'=' first is a value", "x=a<<b\n", {{"x", "a<<b"}}, ""},
      {"'<<' first is a block", "v<<a=b\nx\na=b\n", {{"v", "x"}}, ""},
      {"block", "a<<EOF\nl1\n\nl3\nEOF\nb=2\n", {{"a", "l1\n\nl3"}, {"b", "2"}}, ""},
      {"empty block", "a<<EOF\nEOF\n", {{"a", ""}}, ""},
      {"delimiter at the very end", "a<<EOF\nl1\nEOF", {{"a", "l1"}}, ""},
      {"delimiter is the whole line", "a<<EOF\nEOF \n EOF\nEOF\n", {{"a", "EOF \n EOF"}}, ""},
      {"CRLF block: the delimiter has its \\r too", "a<<EOF\r\nx\r\nEOF\r\n", {{"a", "x\r"}},
       ""},
      {"byte order mark", "\xEF\xBB\xBF" "a=1\n", {{"a", "1"}}, ""},
      {"white space is not empty", "a=1\n  \n", {{"a", "1"}}, "Invalid format '  '"},
      {"neither form", "a=1\njust text\nb=2\n", {{"a", "1"}}, "Invalid format 'just text'"},
      {"empty name", "=v\n", {}, "Invalid format '=v'. Name must not be empty"},
      {"block without name", "<<EOF\nx\nEOF\n", {},
       "Invalid format '<<EOF'. Name must not be empty and delimiter must not be empty"},
      {"block without delimiter", "a=1\nm<<\nx\n", {{"a", "1"}},
       "Invalid format 'm<<'. Name must not be empty and delimiter must not be empty"},
      {"delimiter never comes", "a<<EOF\nl1\nEO\n", {},
       "Invalid value. Matching delimiter not found 'EOF'"},
      {"header is the last line", "a<<EOF", {},
       "Invalid value. Matching delimiter not found 'EOF'"},
      {"last value line without newline", "a<<EOF\nl1", {},
       "Invalid value. EOF marker missing new line."},
      {"delimiter on the value's line", "a<<EOF\nline one EOF", {},
       "Invalid value. EOF marker missing new line."},
  };
  const std::pair<file_command, const char*> files[] = {
      {file_command::output, "output"}, {file_command::env, "env"},
      {file_command::state, "state"}};
  for (const auto& [which, key] : files) {
    for (const file_case& c : cases) {
      SCOPED_TRACE(std::string(key) + ": " + c.name);
      file_command_result r = read_file_command(which, c.content, output_limits{});
      EXPECT_EQ(r.values, c.expected);
      EXPECT_EQ(r.failure, c.failure);
      if (c.failure.empty())
        EXPECT_TRUE(r.log.empty());
      else
        EXPECT_EQ(r.log, (lines{"##[error]Unable to process file command '" + std::string(key) +
                                    "' successfully.",
                                "##[error]" + c.failure}));
    }
  }
}

TEST(GhFileCommands, EnvRefusesNodeOptions) {
  file_command_result r = read_file_command(
      file_command::env, "NODE_OPTIONS=--require ./evil.js\nA=1\nnode_options<<E\nx\nE\n",
      output_limits{});
  EXPECT_EQ(r.values, (values{{"A", "1"}}));
  EXPECT_TRUE(r.failure.empty());  // reported, the step goes on
  const std::string refused =
      "##[error]Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.";
  EXPECT_EQ(r.log, (lines{refused, refused}));

  // Only GITHUB_ENV: an output or a state of that name is just a value.
  for (file_command which : {file_command::output, file_command::state}) {
    r = read_file_command(which, "NODE_OPTIONS=x\n", output_limits{});
    EXPECT_EQ(r.values, (values{{"NODE_OPTIONS", "x"}}));
    EXPECT_TRUE(r.log.empty());
  }

  // Refused before a later error fails the step, as the runner applies pairs in order.
  r = read_file_command(file_command::env, "NODE_OPTIONS=x\nbad\n", output_limits{});
  EXPECT_EQ(r.log, (lines{refused, "##[error]Unable to process file command 'env' successfully.",
                          "##[error]Invalid format 'bad'"}));
}

TEST(GhFileCommands, SizeLimits) {
  output_limits limits;
  limits.value_bytes = 5;
  limits.total_bytes = 8;
  file_command_result r = read_file_command(file_command::output, "a=12345\nb=123456\n", limits);
  EXPECT_EQ(r.values, (values{{"a", "12345"}}));
  EXPECT_EQ(r.failure.rfind("value `b` is 6 bytes, over the 5 bytes limit for one value", 0), 0u)
      << r.failure;

  r = read_file_command(file_command::state, "a=12345\nb=1234\n", limits);
  EXPECT_EQ(r.failure.rfind("values total 9 bytes, over the 8 bytes limit for all values of "
                            "one file",
                            0),
            0u)
      << r.failure;
  EXPECT_EQ(read_file_command(file_command::env, "a=12345\nb=123\n", limits).failure, "");

  r = read_file_command(file_command::path, "/abc\n/de\n", limits);
  EXPECT_EQ(r.failure, "GITHUB_PATH holds 9 bytes, over the 5 bytes limit for one value");
  EXPECT_TRUE(r.paths.empty());
  EXPECT_EQ(r.log[0], "##[error]Unable to process file command 'path' successfully.");
}

TEST(GhFileCommands, PathLines) {
  // File.ReadAllLines: CRLF, LF and a lone CR all end a line; lines are not trimmed.
  file_command_result r =
      read_file_command(file_command::path, "/a\n\n/b\r\n/c\r/d \n/e", output_limits{});
  EXPECT_EQ(r.paths, (lines{"/a", "/b", "/c", "/d ", "/e"}));
  EXPECT_TRUE(r.values.empty());
  EXPECT_TRUE(r.failure.empty());
  EXPECT_TRUE(read_file_command(file_command::path, "", output_limits{}).paths.empty());
}

TEST(GhFileCommands, PrependedPath) {
  std::vector<std::string> prepended;
  EXPECT_EQ(prepend_paths(prepended, "/usr/bin:/bin"), "/usr/bin:/bin");
  add_paths(prepended, {"/a", "/b"});
  EXPECT_EQ(prepend_paths(prepended, "/usr/bin"), "/b:/a:/usr/bin");
  // Added again: it moves to the front.
  add_paths(prepended, {"/a"});
  EXPECT_EQ(prepended, (lines{"/b", "/a"}));
  EXPECT_EQ(prepend_paths(prepended, "/usr/bin"), "/a:/b:/usr/bin");
  EXPECT_EQ(prepend_paths(prepended, ""), "/a:/b");
}

}  // namespace
}  // namespace runner::gh
