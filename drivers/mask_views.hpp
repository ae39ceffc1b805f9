#pragma once
// Views of a text in which an encoded secret reads plain: the text with its
// percent-escapes decoded, with '+' read as a space as well (form encoding), with
// its JSON string escapes decoded, and runs of lines of the base64 alphabet joined
// (wrapped base64). The masker searches its patterns in each view instead of
// enumerating every way an encoder may escape a value: which characters get
// escaped, hex case and `\/` vary between encoders, a decoded view does not care.
// Each byte of a view remembers the bytes of the text it came from, so a hit in
// a view masks exactly the text that spelled it.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace runner {

using text_range = std::pair<size_t, size_t>;  // [begin, end) in the original text

struct text_view {
  std::string text;
  // For byte i of `text`: the bytes [from[i].first, from[i].second) of the original.
  std::vector<std::pair<uint32_t, uint32_t>> from;

  // The original bytes a hit [begin, end) of the view came from, as one range
  // per run of adjacent original bytes (a hit across a joined line break masks
  // each line's part, never the line break).
  void map_hit(size_t begin, size_t end, std::vector<text_range>& out) const;
};

// `%XX` (either hex case) decoded; with `plus_is_space`, '+' read as ' '.
// Empty when the text holds nothing to decode.
text_view percent_decoded(std::string_view text, bool plus_is_space);
// JSON string escapes decoded: \" \\ \/ \b \f \n \r \t and \uXXXX (either hex
// case, surrogate pairs joined) as UTF-8. Empty when nothing was decoded.
text_view json_unescaped(std::string_view text);
// Every run of two or more consecutive lines made of base64 characters only
// (both alphabets and '='; a trailing '\r' is ignored), each run's lines joined
// without their line breaks. Runs are separated by a '\n' of no origin.
text_view joined_base64_lines(std::string_view text);

bool is_base64_char(char c);

}  // namespace runner
