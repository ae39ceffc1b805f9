#pragma once
// Reading a YAML document for any of the runner's file formats (task groups,
// node configuration): a problem is a diagnostic, never an exception.
//
// Only regular files, and `-` for standard input: a FIFO or a device
// (/dev/zero) would block `open` or never end. The size is bounded while
// reading (the default, 64 MiB, can be raised with --max-document-size),
// and reading standard input gives way to SIGINT, SIGTERM and SIGHUP,
// which the runner keeps blocked for its reactor.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "schema/diagnostic.hpp"

namespace runner {

inline constexpr size_t kDefaultMaxDocumentBytes = size_t{64} << 20;

// Process-wide, set once from the command line before anything is read.
void set_max_document_bytes(size_t n);
size_t max_document_bytes();

// While a reactor owns the stop signals (it reads them from a signalfd, so
// they are never pending), reading standard input asks it instead.
void set_read_interrupt(std::function<bool()> stop_seen);
struct read_interrupt_scope {
  explicit read_interrupt_scope(std::function<bool()> stop_seen) {
    set_read_interrupt(std::move(stop_seen));
  }
  ~read_interrupt_scope() { set_read_interrupt(nullptr); }
  read_interrupt_scope(const read_interrupt_scope&) = delete;
  read_interrupt_scope& operator=(const read_interrupt_scope&) = delete;
};

// Fills `text` with the file's bytes, or returns what went wrong.
std::optional<diagnostic> read_document_file(const std::string& path, std::string& text);

}  // namespace runner
