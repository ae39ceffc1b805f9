#include "schema/document_file.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace runner {

namespace {

std::atomic<size_t> g_max_bytes{kDefaultMaxDocumentBytes};
std::function<bool()> g_stop_seen;  // set and read on the main thread only

std::string size_text(size_t n) {
  if (n % (size_t{1} << 20) == 0)
    return std::to_string(n >> 20) + " MiB";
  return std::to_string(n) + " bytes";
}

const char* kind_of(mode_t m) {
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

bool stop_signal_pending() {
  sigset_t pending;
  if (sigpending(&pending) != 0)
    return false;
  return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1 ||
         sigismember(&pending, SIGHUP) == 1;
}

diagnostic too_large(const std::string& path, size_t limit) {
  return diagnostic{path, {}, "`" + path + "` is larger than " + size_text(limit),
                    "the limit for documents and configs is --max-document-size (default " +
                        size_text(kDefaultMaxDocumentBytes) + ")"};
}

// Reads `fd` to its end, at most `limit` bytes. Standard input may be a
// terminal or a pipe nobody writes to: it is polled, so that a stop signal
// (blocked in this process, so it would not interrupt a read) still ends it.
std::optional<diagnostic> read_all(int fd, const std::string& path, size_t limit, bool poll_first,
                                   std::string& text) {
  char chunk[1 << 16];
  for (;;) {
    if (poll_first) {
      pollfd p{fd, POLLIN, 0};
      int r = poll(&p, 1, 100);
      if (stop_signal_pending() || (g_stop_seen && g_stop_seen()))
        return diagnostic{path, {}, "stopped by a signal while reading `" + path + "`", ""};
      if (r == 0 || (r < 0 && errno == EINTR))
        continue;
    }
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return diagnostic{path, {}, "cannot read `" + path + "`: " + std::strerror(errno),
                        "check the path and the file's permissions"};
    if (n == 0)
      return std::nullopt;
    if (text.size() + static_cast<size_t>(n) > limit)
      return too_large(path, limit);
    text.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace

void set_max_document_bytes(size_t n) { g_max_bytes = n; }
void set_read_interrupt(std::function<bool()> stop_seen) { g_stop_seen = std::move(stop_seen); }
size_t max_document_bytes() { return g_max_bytes; }

std::optional<diagnostic> read_document_file(const std::string& path, std::string& text) {
  const std::string hint = "check the path and the file's permissions";
  const size_t limit = g_max_bytes;
  text.clear();
  if (path == "-")
    return read_all(STDIN_FILENO, "-", limit, true, text);
  // stat first: opening a FIFO without a writer would block.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return diagnostic{path, {}, "cannot read `" + path + "`: " + std::strerror(errno), hint};
  if (S_ISDIR(st.st_mode))
    return diagnostic{path, {}, "cannot read `" + path + "`: it is a directory", hint};
  if (!S_ISREG(st.st_mode))
    return diagnostic{path, {}, "cannot read `" + path + "`: it is " + kind_of(st.st_mode) +
                                    ", not a regular file",
                      "give a file, or `-` and the document on standard input"};
  if (static_cast<uint64_t>(st.st_size) > limit)
    return too_large(path, limit);
  // O_NONBLOCK: if the path became a FIFO since stat, open does not wait.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return diagnostic{path, {}, "cannot read `" + path + "`: " + std::strerror(errno), hint};
  struct stat opened {};
  if (fstat(fd, &opened) != 0 || !S_ISREG(opened.st_mode)) {
    ::close(fd);
    return diagnostic{path, {}, "cannot read `" + path + "`: it is not a regular file",
                      "give a file, or `-` and the document on standard input"};
  }
  // One buffer of the file's size: for a large group the text is a good part
  // of the memory it takes, so it is not grown by doubling.
  text.reserve(static_cast<size_t>(opened.st_size));
  auto problem = read_all(fd, path, limit, false, text);
  ::close(fd);
  return problem;
}

}  // namespace runner
