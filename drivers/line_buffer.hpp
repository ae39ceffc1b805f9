#pragma once
// Turns a byte stream that arrives in arbitrary chunks into lines, so that
// masking always sees a whole line (a secret split across two pipe reads is
// still one string here). Lines longer than the limit are split, never dropped.
#include <functional>
#include <string>
#include <string_view>

namespace runner {

class line_buffer {
 public:
  using emit_fn = std::function<void(std::string_view line)>;
  explicit line_buffer(size_t max_line) : max_line_(max_line) {}
  // Emits every complete line (without "\n"; a trailing "\r" is dropped too).
  void feed(std::string_view chunk, const emit_fn& emit);
  // Emits what is left as a last line, if anything.
  void flush(const emit_fn& emit);

 private:
  size_t max_line_;
  std::string partial_;
};

}  // namespace runner
