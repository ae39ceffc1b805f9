#include "drivers/state_dir.hpp"

#include <errno.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>

namespace runner {

namespace fs = std::filesystem;

std::string make_state_dir(const std::string& dir) {
  if (dir.empty()) return "a state directory is needed and none was given";
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return "state directory " + dir + " exists and is not a directory";
    return {};
  }
  std::error_code ec;
  fs::path parent = fs::path(dir).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) return "cannot create " + parent.string() + " for the state directory: " + ec.message();
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return "cannot create state directory " + dir + ": " + std::strerror(errno);
  }
  return {};
}

}  // namespace runner
