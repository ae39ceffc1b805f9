#include "drivers/line_buffer.hpp"

namespace runner {

namespace {

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Where to cut a too-long line: at `max`, moved back to the start of a UTF-8
// character so a terminal never sees half of one. A character is at most four
// bytes; if it is not valid UTF-8, cutting anywhere is as good as anywhere else.
size_t cut_point(std::string_view line, size_t max) {
  size_t cut = max;
  while (cut > 0 && max - cut < 3 && is_continuation(line[cut]))
    --cut;
  if (cut == 0 || is_continuation(line[cut]))
    return max;
  return cut;
}

}  // namespace

void line_buffer::feed(std::string_view chunk, const emit_fn& emit) {
  // max_line 0 means no limit.
  auto emit_line = [&](std::string_view line) {
    while (max_line_ > 0 && line.size() > max_line_) {
      size_t cut = cut_point(line, max_line_);
      emit(line.substr(0, cut));
      line.remove_prefix(cut);
    }
    emit(line);
  };

  for (size_t nl; (nl = chunk.find('\n')) != std::string_view::npos;) {
    std::string_view line = chunk.substr(0, nl);
    if (!partial_.empty()) {
      partial_.append(line);
      line = partial_;
    }
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    emit_line(line);
    partial_.clear();
    chunk.remove_prefix(nl + 1);
  }
  partial_.append(chunk);

  // Emit the head of a line that is already known to be too long rather than
  // hold an unbounded amount. A trailing '\r' may still turn out to belong to
  // a "\r\n", so it does not count.
  if (max_line_ == 0)
    return;
  std::string_view rest = partial_;
  for (;;) {
    size_t content = rest.size() - (!rest.empty() && rest.back() == '\r' ? 1 : 0);
    if (content <= max_line_)
      break;
    size_t cut = cut_point(rest, max_line_);
    emit(rest.substr(0, cut));
    rest.remove_prefix(cut);
  }
  partial_.erase(0, partial_.size() - rest.size());
}

void line_buffer::flush(const emit_fn& emit) {
  if (partial_.empty())
    return;
  std::string line;
  line.swap(partial_);
  if (line.back() == '\r')
    line.pop_back();
  // feed() has already cut the head of a too-long line, so this fits.
  emit(line);
}

}  // namespace runner
