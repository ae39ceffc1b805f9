#pragma once
// Where a program named without a '/' is found: the first regular,
// executable file of that name in a PATH-style list, as execvp would find it.
#include <string>

namespace runner {

// `prog` itself when it has a '/'; else the match in `path_list` (':'-separated,
// an empty entry meaning the current directory), or "" when there is none.
std::string find_program(const std::string& prog, const std::string& path_list);

}  // namespace runner
