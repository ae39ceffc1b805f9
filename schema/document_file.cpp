#include "schema/document_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace runner {

std::optional<diagnostic> read_document_file(const std::string& path, std::string& text) {
  const std::string hint = "check the path and the file's permissions";
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return diagnostic{path, {}, "cannot read `" + path + "`: it is a directory", hint};
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::string why = errno ? std::strerror(errno) : "cannot open it";
    return diagnostic{path, {}, "cannot read `" + path + "`: " + why, hint};
  }
  // One buffer of the file's size: for a large group the text is a good part
  // of the memory it takes, so it is not copied about or grown by doubling.
  text.clear();
  std::error_code size_ec;
  auto size = std::filesystem::file_size(path, size_ec);
  if (!size_ec)
    text.reserve(size);
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0)
    text.append(chunk, static_cast<size_t>(in.gcount()));
  return std::nullopt;
}

}  // namespace runner
