#include "schema/diagnostic.hpp"

#include <gtest/gtest.h>

namespace runner {
namespace {

TEST(Diagnostic, FormatWithPositionAndHint) {
  EXPECT_EQ(format_diagnostic({"g.yaml", {3, 9}, "task name `foo,` is not valid", "remove it"}),
            "g.yaml:3:9: error: task name `foo,` is not valid\n  hint: remove it\n");
}

TEST(Diagnostic, FormatWithoutHint) {
  EXPECT_EQ(format_diagnostic({"g.yaml", {1, 1}, "bad", ""}), "g.yaml:1:1: error: bad\n");
}

TEST(Diagnostic, FormatWithoutPosition) {
  EXPECT_EQ(format_diagnostic({"g.yaml", {0, 0}, "cannot read", "check it"}),
            "g.yaml: error: cannot read\n  hint: check it\n");
}

TEST(Diagnostic, SortKeepsTiesInOrder) {
  diagnostics ds = {{"f", {5, 1}, "e", ""}, {"f", {2, 3}, "b", ""}, {"f", {2, 3}, "c", ""},
                    {"f", {0, 0}, "a", ""}, {"f", {2, 9}, "d", ""}};
  sort_diagnostics(ds);
  std::string order;
  for (const diagnostic& d : ds) order += d.message;
  EXPECT_EQ(order, "abcde");
}

}  // namespace
}  // namespace runner
