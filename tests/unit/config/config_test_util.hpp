#pragma once
// Helpers shared by the node config tests.
#include <gtest/gtest.h>

#include <string>

#include "config/node_config.hpp"
#include "tests/support/temp_dir.hpp"

namespace runner::test {

inline config_result parse_config(const std::string& text, const std::string& file = "node.yaml") {
  return parse_node_config(text, file);
}

// The first problem whose message holds `text`, or nullptr.
inline const diagnostic* find_problem(const config_result& r, const std::string& text) {
  for (const diagnostic& d : r.problems)
    if (d.message.find(text) != std::string::npos) return &d;
  return nullptr;
}

inline std::string all_messages(const config_result& r) {
  std::string s;
  for (const diagnostic& d : r.problems) s += format_diagnostic(d);
  return s;
}

// Expects a problem holding `text` at line:column, with a hint.
inline void expect_problem(const config_result& r, const std::string& text, int line, int column) {
  const diagnostic* d = find_problem(r, text);
  ASSERT_NE(d, nullptr) << "no problem with `" << text << "` in:\n" << all_messages(r);
  EXPECT_EQ(d->mark.line, line) << format_diagnostic(*d);
  EXPECT_EQ(d->mark.column, column) << format_diagnostic(*d);
  EXPECT_FALSE(d->hint.empty()) << format_diagnostic(*d);
  EXPECT_FALSE(r.config) << "a config with problems must not be returned";
}

}  // namespace runner::test
