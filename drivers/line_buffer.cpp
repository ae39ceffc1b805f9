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

std::string line_buffer::masked(std::string_view text) const {
  return secrets_ && !secrets_->empty() ? secrets_->mask(text) : std::string(text);
}

void line_buffer::emit_split(std::string_view line, const emit_fn& emit) const {
  while (max_line_ > 0 && line.size() > max_line_) {
    size_t cut = cut_point(line, max_line_);
    emit(line.substr(0, cut));
    line.remove_prefix(cut);
  }
  emit(line);
}

void line_buffer::feed(std::string_view chunk, const emit_fn& emit) {
  for (size_t nl; (nl = chunk.find('\n')) != std::string_view::npos;) {
    std::string_view line = chunk.substr(0, nl);
    if (!partial_.empty()) {
      partial_.append(line);
      line = partial_;
    }
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    emit_split(masked(line), emit);
    partial_.clear();
    chunk.remove_prefix(nl + 1);
  }
  partial_.append(chunk);

  // Emit the head of a line that is already known to be too long rather than
  // hold an unbounded amount. Only once more than the longest secret is
  // buffered past the cut: then every secret that starts before the cut is
  // complete, and masking replaces it before the cut can split it. A trailing
  // '\r' may still turn out to belong to a "\r\n", so it does not count.
  if (max_line_ == 0)
    return;
  size_t reserve = secrets_ ? secrets_->longest() : 0;
  auto content = [](std::string_view s) {
    return s.size() - (!s.empty() && s.back() == '\r' ? 1 : 0);
  };
  if (content(partial_) <= max_line_ + reserve)
    return;
  std::string text = masked(partial_);
  std::string_view rest = text;
  while (content(rest) > max_line_ + reserve) {
    size_t cut = cut_point(rest, max_line_);
    emit(rest.substr(0, cut));
    rest.remove_prefix(cut);
  }
  partial_.assign(rest);  // masked already; masking it again changes nothing
}

void line_buffer::flush(const emit_fn& emit) {
  if (partial_.empty())
    return;
  std::string line;
  line.swap(partial_);
  if (line.back() == '\r')
    line.pop_back();
  emit_split(masked(line), emit);
}

}  // namespace runner
