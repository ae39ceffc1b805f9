#include "drivers/line_buffer.hpp"

#include <algorithm>

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

// A block line's width bounds: wrapped base64 is wrapped for people and mail,
// so a wider line is not expected and a narrower one is too short to tell.
const size_t kMinBlockWidth = 16;
const size_t kMaxBlockWidth = 4096;
const size_t kBlockBatch = 8192;

bool all_base64(std::string_view line) {
  for (char c : line)
    if (!is_base64_char(c))
      return false;
  return !line.empty();
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

std::vector<std::string> line_buffer::masked_block_head(size_t n) const {
  std::string text;
  for (auto& l : context_)
    text += l + '\n';
  size_t first = text.size();
  for (auto& l : block_)
    text += l + '\n';
  std::vector<text_range> hits = secrets_->find(text);
  std::vector<std::string> out;
  for (size_t i = 0, at = first; i < n; at += block_[i].size() + 1, ++i) {
    size_t end = at + block_[i].size();
    std::vector<text_range> mine;
    for (auto& h : hits)
      if (h.first < end && h.second > at)
        mine.emplace_back(std::max(h.first, at) - at, std::min(h.second, end) - at);
    out.push_back(masker::apply(block_[i], std::move(mine)));
  }
  return out;
}

void line_buffer::emit_settled(const emit_fn& emit) {
  // A line is settled once the lines after it hold as much as the longest
  // form a secret can take: no secret that touches it is still to come. The
  // block is searched once for a batch of lines (about kBlockBatch
  // characters), not once a line: a long base64 stream costs about one
  // search of each character.
  // Block lines hold base64 characters only, no escapes to decode: a secret
  // spans at most the longest pattern as it is.
  const size_t reach = std::max<size_t>(secrets_->longest_pattern(), 1);
  size_t held = 0;
  for (auto& l : block_)
    held += l.size();
  if (held - block_.front().size() < std::max(2 * reach, kBlockBatch))
    return;
  size_t n = 0;
  for (size_t after = held; n + 1 < block_.size(); ++n) {
    after -= block_[n].size();
    if (after < reach)
      break;
  }
  for (auto& l : masked_block_head(n))
    emit_split(l, emit);
  for (size_t i = 0; i < n; ++i)
    context_.push_back(std::move(block_[i]));
  block_.erase(block_.begin(), block_.begin() + static_cast<std::ptrdiff_t>(n));
  size_t ctx = 0;
  for (size_t i = 1; i < context_.size(); ++i)
    ctx += context_[i].size();
  while (context_.size() > 1 && ctx >= reach) {
    context_.erase(context_.begin());
    ctx -= context_.front().size();
  }
}

void line_buffer::close_block(const emit_fn& emit) {
  if (block_.empty()) {
    context_.clear();
    return;
  }
  for (auto& l : masked_block_head(block_.size()))
    emit_split(l, emit);
  block_.clear();
  context_.clear();
}

void line_buffer::complete_line(std::string_view line, const emit_fn& emit) {
  if (masking() && all_base64(line)) {
    if (!block_.empty() && line.size() <= block_width_) {
      block_.emplace_back(line);
      if (line.size() < block_width_)
        close_block(emit);  // a shorter line is the block's last
      else
        emit_settled(emit);
      return;
    }
    close_block(emit);
    if (line.size() >= kMinBlockWidth && line.size() <= kMaxBlockWidth && line.size() % 4 == 0) {
      block_width_ = line.size();
      block_.emplace_back(line);
      return;
    }
  } else {
    close_block(emit);
  }
  emit_split(masked(line), emit);
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
    complete_line(line, emit);
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
  close_block(emit);  // a line this long is no block's; what came before goes first
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
  close_block(emit);
  if (partial_.empty())
    return;
  std::string line;
  line.swap(partial_);
  if (line.back() == '\r')
    line.pop_back();
  emit_split(masked(line), emit);
}

}  // namespace runner
