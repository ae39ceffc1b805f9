#pragma once
// Helpers shared by the schema unit tests.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "schema/parse.hpp"
#include "schema/validate.hpp"

namespace runner::test {

// A catalog with a fixed set of types; check_spec records which tasks it saw.
class fake_catalog : public task_type_catalog {
 public:
  explicit fake_catalog(std::vector<std::string> types = {"os_exec", "vault",
                                                          "expression_evaluation"})
      : types_(std::move(types)) {}
  bool has(const std::string& type) const override {
    for (const std::string& t : types_)
      if (t == type)
        return true;
    return false;
  }
  std::vector<std::string> names() const override { return types_; }
  void check_spec(const task_decl& task, const std::string& file,
                  diagnostics& out) const override {
    checked.push_back(task.name);
  }
  mutable std::vector<std::string> checked;

 private:
  std::vector<std::string> types_;
};

inline parse_result parse(const std::string& text) { return parse_task_group(text, "g.yaml"); }

// Parse and validate, the way load_and_validate does, but from text.
inline diagnostics check(const std::string& text, const task_type_catalog& types) {
  parse_result p = parse(text);
  diagnostics all = p.problems;
  if (p.group) {
    diagnostics more = validate_task_group(*p.group, types);
    all.insert(all.end(), more.begin(), more.end());
  }
  sort_diagnostics(all);
  return all;
}

inline diagnostics check(const std::string& text) { return check(text, fake_catalog()); }

inline std::string dump(const diagnostics& ds) {
  std::string out;
  for (const diagnostic& d : ds) out += format_diagnostic(d);
  return out;
}

// The one diagnostic whose message contains `needle`; fails the test (and
// returns an empty diagnostic) when there is not exactly one.
inline diagnostic find_one(const diagnostics& ds, const std::string& needle) {
  const diagnostic* found = nullptr;
  int count = 0;
  for (const diagnostic& d : ds) {
    if (d.message.find(needle) != std::string::npos) {
      found = &d;
      ++count;
    }
  }
  EXPECT_EQ(count, 1) << "diagnostics with \"" << needle << "\" in:\n" << dump(ds);
  return found ? *found : diagnostic{};
}

inline int count_of(const diagnostics& ds, const std::string& needle) {
  int n = 0;
  for (const diagnostic& d : ds)
    if (d.message.find(needle) != std::string::npos)
      ++n;
  return n;
}

inline source_mark where(const diagnostic& d) { return d.mark; }
inline source_mark where(source_mark m) { return m; }

// Line and column of a diagnostic or a mark.
#define EXPECT_AT(x, l, c)                                                   \
  do {                                                                       \
    EXPECT_EQ(where(x).line, (l)) << "line of " #x;                          \
    EXPECT_EQ(where(x).column, (c)) << "column of " #x;                      \
  } while (0)

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

}  // namespace runner::test
