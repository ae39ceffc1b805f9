#include "drivers/mask_views.hpp"

#include <algorithm>

namespace runner {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// The value of 4 hex digits at text[at], or -1.
long hex4(std::string_view text, size_t at) {
  if (at + 4 > text.size())
    return -1;
  long v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    int h = hex_value(text[i]);
    if (h < 0)
      return -1;
    v = v * 16 + h;
  }
  return v;
}

void put(text_view& v, char c, size_t begin, size_t end) {
  v.text += c;
  v.from.emplace_back(static_cast<uint32_t>(begin), static_cast<uint32_t>(end));
}

void put_utf8(text_view& v, unsigned long cp, size_t begin, size_t end) {
  auto b = [](unsigned long x) { return static_cast<char>(x); };
  if (cp < 0x80) {
    put(v, b(cp), begin, end);
  } else if (cp < 0x800) {
    put(v, b(0xC0 | (cp >> 6)), begin, end);
    put(v, b(0x80 | (cp & 0x3F)), begin, end);
  } else if (cp < 0x10000) {
    put(v, b(0xE0 | (cp >> 12)), begin, end);
    put(v, b(0x80 | ((cp >> 6) & 0x3F)), begin, end);
    put(v, b(0x80 | (cp & 0x3F)), begin, end);
  } else {
    put(v, b(0xF0 | (cp >> 18)), begin, end);
    put(v, b(0x80 | ((cp >> 12) & 0x3F)), begin, end);
    put(v, b(0x80 | ((cp >> 6) & 0x3F)), begin, end);
    put(v, b(0x80 | (cp & 0x3F)), begin, end);
  }
}

// Removes a run that starts at `at`, with the separator before it.
void drop_from(text_view& v, size_t at) {
  size_t keep = at > 0 ? at - 1 : 0;
  v.text.resize(keep);
  v.from.resize(keep);
}

}  // namespace

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '+' || c == '/' || c == '-' || c == '_' || c == '=';
}

void text_view::map_hit(size_t begin, size_t end, std::vector<text_range>& out) const {
  size_t run_begin = from[begin].first, run_end = from[begin].second;
  for (size_t i = begin + 1; i < end; ++i) {
    if (from[i].first > run_end) {
      out.emplace_back(run_begin, run_end);
      run_begin = from[i].first;
    }
    run_end = std::max<size_t>(run_end, from[i].second);
  }
  out.emplace_back(run_begin, run_end);
}

text_view percent_decoded(std::string_view text, bool plus_is_space) {
  text_view v;
  bool decoded = false;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      put(v, static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])), i, i + 3);
      decoded = true;
      i += 3;
    } else if (plus_is_space && text[i] == '+') {
      put(v, ' ', i, i + 1);
      decoded = true;
      ++i;
    } else {
      put(v, text[i], i, i + 1);
      ++i;
    }
  }
  return decoded ? v : text_view{};
}

text_view json_unescaped(std::string_view text) {
  text_view v;
  bool decoded = false;
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      put(v, text[i], i, i + 1);
      ++i;
      continue;
    }
    char e = text[i + 1];
    const char* simple = "\"\"\\\\//b\bf\fn\nr\rt\t";
    char plain = 0;
    for (const char* p = simple; *p; p += 2)
      if (*p == e)
        plain = p[1];
    if (plain) {
      put(v, plain, i, i + 2);
      decoded = true;
      i += 2;
      continue;
    }
    long cp = e == 'u' ? hex4(text, i + 2) : -1;
    if (cp < 0) {
      put(v, text[i], i, i + 1);
      ++i;
      continue;
    }
    size_t end = i + 6;
    if (cp >= 0xD800 && cp < 0xDC00 && end + 6 <= text.size() && text[end] == '\\' &&
        text[end + 1] == 'u') {
      long low = hex4(text, end + 2);
      if (low >= 0xDC00 && low < 0xE000) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        end += 6;
      }
    }
    put_utf8(v, static_cast<unsigned long>(cp), i, end);
    decoded = true;
    i = end;
  }
  return decoded ? v : text_view{};
}

text_view joined_base64_lines(std::string_view text) {
  text_view v;
  // Each line as [begin, end) without its '\n' and trailing '\r'.
  size_t run_lines = 0;
  size_t run_start = 0;  // where the current run starts in v.text
  for (size_t begin = 0; begin <= text.size();) {
    size_t nl = text.find('\n', begin);
    size_t next = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    if (end > begin && text[end - 1] == '\r')
      --end;
    bool b64 = end > begin;
    for (size_t i = begin; b64 && i < end; ++i)
      b64 = is_base64_char(text[i]);
    if (b64) {
      if (run_lines == 0) {
        if (!v.text.empty()) {
          v.text += '\n';
          v.from.emplace_back(static_cast<uint32_t>(begin), static_cast<uint32_t>(begin));
        }
        run_start = v.text.size();
      }
      for (size_t i = begin; i < end; ++i)
        put(v, text[i], i, i + 1);
      ++run_lines;
    } else {
      if (run_lines == 1)  // a lone line is searched as itself already
        drop_from(v, run_start);
      run_lines = 0;
    }
    begin = next;
  }
  if (run_lines == 1)
    drop_from(v, run_start);
  return v;
}

}  // namespace runner
