#pragma once
// Turns a byte stream that arrives in arbitrary chunks into masked lines.
// Masking always sees a whole line (a secret split across two pipe reads is
// still one string here), and a line longer than the limit is masked before it
// is cut into pieces, so a secret is never split by the cut either. Lines are
// split, never dropped.
//
// Wrapped base64 (`base64` prints 76 characters a line, PEM 64) spreads a
// secret over lines, so while secrets are known, a line that may start such a
// block — 16 or more base64 characters, a multiple of 4 — is held with the
// lines that continue it (same width, base64 only; a shorter one is the last)
// and the block is masked as one text, each line masked where it carries part
// of a secret. A line is let go once enough of the block follows it that no
// secret can still reach it (in batches of about 8 KiB, or twice
// masker::longest_pattern() if that is more), when a line ends the block, or at flush(): a lone such line (a
// commit hash, say) shows when the next line arrives.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

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
  // Emits what is left (held lines, then the unterminated last line).
  void flush(const emit_fn& emit);

 private:
  bool masking() const { return secrets_ && !secrets_->empty(); }
  std::string masked(std::string_view text) const;
  void emit_split(std::string_view line, const emit_fn& emit) const;
  void complete_line(std::string_view line, const emit_fn& emit);
  // The first `n` lines of the block, masked in the block's context.
  std::vector<std::string> masked_block_head(size_t n) const;
  void emit_settled(const emit_fn& emit);
  void close_block(const emit_fn& emit);

  size_t max_line_;
  const masker* secrets_;
  std::string partial_;
  std::vector<std::string> block_;    // held base64 lines, oldest first
  std::vector<std::string> context_;  // the block's let-go lines a secret may span into
  size_t block_width_ = 0;
};

}  // namespace runner
