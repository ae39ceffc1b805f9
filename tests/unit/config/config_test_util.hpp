#pragma once
// Helpers shared by the node config tests.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/node_config.hpp"

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

// A fresh directory that is removed with everything in it afterwards.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "runner-config-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string write(const std::string& name, const std::string& content) const {
    std::filesystem::path p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << content;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace runner::test
