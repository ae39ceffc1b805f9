#pragma once
// tests/drivers/faulty_driver.py as the integration tests use it: where it is,
// and the marker files it leaves in FAULTY_MARKER_DIR (started.<pid>,
// exec-<task>.<pid>, shutdown.<pid>), by which a test sees what it did.
#include <filesystem>
#include <string>

namespace runner::test {

inline std::string faulty_driver() {
  return std::string(RUNNER_SOURCE_DIR) + "/tests/drivers/faulty_driver.py";
}

// How many marker files `<prefix>.<pid>` the driver left in `dir`.
inline size_t markers(const std::string& dir, const std::string& prefix) {
  size_t n = 0;
  for (auto& e : std::filesystem::directory_iterator(dir))
    n += e.path().filename().string().rfind(prefix + ".", 0) == 0;
  return n;
}

inline bool reached_driver(const std::string& dir, const std::string& task) {
  return markers(dir, "exec-" + task) > 0;
}

}  // namespace runner::test
