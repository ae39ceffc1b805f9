#include "schema/suggest.hpp"

#include <gtest/gtest.h>

namespace runner {
namespace {

const std::vector<std::string> kFields = {"name", "type", "spec", "depends_on", "imports",
                                          "exports", "forward", "cache", "when", "timeout",
                                          "retry"};

TEST(Suggest, CommonTypos) {
  EXPECT_EQ(closest_match("nmae", kFields), "name");        // swapped letters
  EXPECT_EQ(closest_match("Name", kFields), "name");        // case
  EXPECT_EQ(closest_match("dependson", kFields), "depends_on");
  EXPECT_EQ(closest_match("depends-on", kFields), "depends_on");
  EXPECT_EQ(closest_match("import", kFields), "imports");
  EXPECT_EQ(closest_match("timout", kFields), "timeout");
  EXPECT_EQ(closest_match("retries", kFields), "retry");
}

TEST(Suggest, NothingWhenFar) {
  EXPECT_EQ(closest_match("command", kFields), "");
  EXPECT_EQ(closest_match("x", {"a", "b"}), "");  // replacing every letter is no typo
  EXPECT_EQ(closest_match("", kFields), "");
  EXPECT_EQ(did_you_mean("zzzz", kFields), "");
}

TEST(Suggest, Phrases) {
  EXPECT_EQ(did_you_mean("tpye", kFields), "did you mean `type`? ");
  EXPECT_EQ(quoted_list({"a", "b"}), "`a`, `b`");
  EXPECT_EQ(quoted_list({}), "");
}

}  // namespace
}  // namespace runner
