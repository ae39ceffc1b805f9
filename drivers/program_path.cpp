#include "drivers/program_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace runner {

std::string find_program(const std::string& prog, const std::string& path_list) {
  if (prog.find('/') != std::string::npos)
    return prog;
  size_t start = 0;
  while (start <= path_list.size()) {
    size_t end = path_list.find(':', start);
    if (end == std::string::npos)
      end = path_list.size();
    std::string dir = path_list.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + prog;
    struct stat st;
    if (access(candidate.c_str(), X_OK) == 0 && stat(candidate.c_str(), &st) == 0 &&
        S_ISREG(st.st_mode))
      return candidate;
    start = end + 1;
  }
  return {};
}

}  // namespace runner
