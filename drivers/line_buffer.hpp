#pragma once
// Turns a byte stream that arrives in arbitrary chunks into masked lines.
// Masking always sees a whole line (a secret split across two pipe reads is
// still one string here), and a line longer than the limit is masked before it
// is cut into pieces, so a secret is never split by the cut either. Lines are
// split, never dropped.
#include <functional>
#include <string>
#include <string_view>

#include "drivers/masker.hpp"

namespace runner {

class line_buffer {
 public:
  using emit_fn = std::function<void(std::string_view line)>;
  // `secrets` may be null (nothing to mask) and may learn more secrets while
  // the buffer is in use; it must outlive the buffer. max_line 0: no limit.
  explicit line_buffer(size_t max_line, const masker* secrets = nullptr)
      : max_line_(max_line), secrets_(secrets) {}
  // Emits every complete line, masked (without "\n"; a trailing "\r" is dropped too).
  void feed(std::string_view chunk, const emit_fn& emit);
  // Emits what is left as a last line, if anything.
  void flush(const emit_fn& emit);

 private:
  std::string masked(std::string_view text) const;
  void emit_split(std::string_view line, const emit_fn& emit) const;

  size_t max_line_;
  const masker* secrets_;
  std::string partial_;
};

}  // namespace runner
