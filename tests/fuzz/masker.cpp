// The masker as a property (drivers/masker.hpp): secrets of 4 or more
// characters taken from the input (raw bytes, or UTF-8 with control and
// non-ASCII characters; never `*`, which the mask itself is made of), each
// printed in one of the encodings below into random text and masked as the
// runner masks output, one line at a time. No form of a secret survives:
//   plain; base64, standard and URL-safe alphabets, at any offset, on one
//   line or wrapped at 76 columns as `base64` prints it (passed through a
//   line_buffer as task output is: no line that holds 4 or more characters
//   of the secret's own base64 survives); percent-
//   encoding of the reserved characters only, of all but the unreserved
//   ones, form encoding (`+` for space), and of every byte, with upper- or
//   lower-case hex; JSON escaping as most encoders do it, with `\/`, Go's
//   (`\u003c \u003e \u0026`), with every non-ASCII or every character as
//   \uXXXX (upper- or lower-case hex); and each line of a multi-line
//   value, lines ending at \n or \r, printed on lines of their own.
// A violation prints the secret (hex), the encoding and both texts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "drivers/line_buffer.hpp"
#include "drivers/masker.hpp"

namespace {

constexpr size_t kMinSecret = 4;
const char kStd64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const char kUrl64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string hex_of(std::string_view s) {
  static const char h[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += h[c >> 4];
    out += h[c & 15];
  }
  return out;
}

// `s` printable: bytes outside ASCII's printable range as \xHH.
std::string escaped(std::string_view s) {
  static const char h[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += h[c >> 4];
      out += h[c & 15];
    }
  }
  return out;
}

[[noreturn]] void leaked(const char* encoding, std::string_view secret, std::string_view form,
                         std::string_view text, std::string_view masked) {
  std::fprintf(stderr,
               "masker property: a form of a secret survived\n  encoding: %s\n  secret (hex): %s\n"
               "  form: %s\n  text: %s\n  masked: %s\n",
               encoding, hex_of(secret).c_str(), escaped(form).c_str(), escaped(text).c_str(),
               escaped(masked).c_str());
  std::abort();
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The code points of valid UTF-8, or nothing.
std::optional<std::vector<uint32_t>> decode_utf8(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size())
      return std::nullopt;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      unsigned char cc = s[i + k];
      if ((cc >> 6) != 2)
        return std::nullopt;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static const uint32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kLeast[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return std::nullopt;
    out.push_back(cp);
    i += n;
  }
  return out;
}

std::string make_secret(FuzzedDataProvider& in) {
  std::string s;
  if (in.ConsumeBool()) {
    s = in.ConsumeBytesAsString(in.ConsumeIntegralInRange<size_t>(kMinSecret, 40));
  } else {
    size_t n = in.ConsumeIntegralInRange<size_t>(kMinSecret, 16);
    for (size_t i = 0; i < n; ++i) {
      uint32_t v = in.ConsumeIntegral<uint32_t>();
      switch (v % 5) {
        case 0: case 1: append_utf8(s, 0x20 + (v >> 3) % 0x5F); break;         // printable ASCII
        case 2: append_utf8(s, "\n\r\t\x01\x1b\x7f"[(v >> 3) % 6]); break;      // controls
        case 3: {                                                                // the BMP
          uint32_t cp = 0x80 + (v >> 3) % (0x10000 - 0x80);
          append_utf8(s, cp >= 0xD800 && cp <= 0xDFFF ? cp - 0x800 : cp);
          break;
        }
        default: append_utf8(s, 0x10000 + (v >> 3) % 0x100000); break;         // astral planes
      }
    }
  }
  for (char& c : s)
    if (c == '*')
      c = '#';
  while (s.size() < kMinSecret)
    s += "s3cr"[s.size()];
  return s;
}

std::string base64(std::string_view in, const char* alphabet) {
  std::string out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8 | uint8_t(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6)
      out += alphabet[(v >> k) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size())
      v |= uint32_t(uint8_t(in[i + 1])) << 8;
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// The characters of base64(prefix + secret + ...) made of the secret's bits
// alone, for a prefix of `offset` bytes: [begin, end) in that encoding.
std::pair<size_t, size_t> core_span(size_t offset, size_t secret_size) {
  return {(8 * offset + 5) / 6, 8 * (offset + secret_size) / 6};
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

enum class percent { reserved_only, all_but_unreserved, form, every_byte };

std::string percent_encode(std::string_view s, percent how, bool upper) {
  const char* hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  static const std::string_view kReserved = ":/?#[]@!$&'()*+,;=%";
  std::string out;
  for (unsigned char c : s) {
    // Form encoding as WHATWG's URL standard has it: `~` is encoded too.
    bool keep = how == percent::reserved_only ? kReserved.find(c) == std::string_view::npos
                : how == percent::every_byte  ? false
                : how == percent::form        ? unreserved(c) && c != '~'
                                              : unreserved(c);
    if (how == percent::form && c == ' ') {
      out += '+';
    } else if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

enum class json_style { standard, slash, go, non_ascii, every_char };

void append_u(std::string& out, uint32_t unit, bool upper) {
  const char* hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  out += "\\u";
  for (int k = 12; k >= 0; k -= 4)
    out += hex[(unit >> k) & 15];
}

// The inside of a JSON string. The \u styles need UTF-8 (an encoder that
// escapes every character has decoded the text first): nothing otherwise.
std::optional<std::string> json_escape(std::string_view s, json_style style, bool upper) {
  std::string out;
  if (style == json_style::non_ascii || style == json_style::every_char) {
    auto cps = decode_utf8(s);
    if (!cps)
      return std::nullopt;
    for (uint32_t cp : *cps) {
      if (cp < 0x80 && style == json_style::non_ascii) {
        out += *json_escape(std::string(1, static_cast<char>(cp)), json_style::standard, upper);
      } else if (cp >= 0x10000) {
        append_u(out, 0xD800 + ((cp - 0x10000) >> 10), upper);
        append_u(out, 0xDC00 + ((cp - 0x10000) & 0x3FF), upper);
      } else {
        append_u(out, cp, upper);
      }
    }
    return out;
  }
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '/':
        out += style == json_style::slash ? "\\/" : "/";
        break;
      case '<': case '>': case '&':
        if (style == json_style::go)
          append_u(out, c, false);
        else
          out += static_cast<char>(c);
        break;
      default:
        if (c < 0x20)
          append_u(out, c, false);
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

std::string one_line(FuzzedDataProvider& in) {
  std::string s = in.ConsumeRandomLengthString(24);
  for (char& c : s)
    if (c == '\n' || c == '\r')
      c = ' ';
  return s;
}

class property {
 public:
  explicit property(const runner::masker& m) : m_(m) {}

  // `text` masked as a whole must not contain `form` anywhere.
  void whole(const char* encoding, std::string_view secret, const std::string& form,
             const std::string& text) {
    std::string masked = m_.mask(text);
    if (masked.find(form) != std::string::npos)
      leaked(encoding, secret, form, text, masked);
  }

  // `line`, masked on its own, must not show `piece` where it stood (when
  // the piece stands elsewhere in the line too, only the line's change is
  // asked for: the other place may be harmless).
  void line(const char* encoding, std::string_view secret, std::string_view piece,
            const std::string& line) {
    line_masked(encoding, secret, piece, line, m_.mask(line));
  }

  // The same for a line masked in its context (`masked`).
  void line_masked(const char* encoding, std::string_view secret, std::string_view piece,
                   const std::string& line, const std::string& masked) {
    bool unique = line.find(piece) == line.rfind(piece);
    if (unique ? masked.find(piece) != std::string::npos : masked == line)
      leaked(encoding, secret, piece, line, masked);
  }

  const runner::masker& secrets() const { return m_; }

 private:
  const runner::masker& m_;
};

void print_base64(FuzzedDataProvider& in, property& check, const std::string& secret,
                  bool url, bool wrapped) {
  const char* name = url ? (wrapped ? "base64url, wrapped at 76" : "base64url")
                         : (wrapped ? "base64, wrapped at 76" : "base64");
  std::string before = in.ConsumeBytesAsString(in.ConsumeIntegralInRange<size_t>(0, wrapped ? 160 : 5));
  std::string after = in.ConsumeBytesAsString(in.ConsumeIntegralInRange<size_t>(0, 5));
  std::string encoded = base64(before + secret + after, url ? kUrl64 : kStd64);
  auto [core_begin, core_end] = core_span(before.size(), secret.size());
  if (!wrapped) {
    check.whole(name, secret, encoded.substr(core_begin, core_end - core_begin),
                one_line(in) + encoded + one_line(in));
    return;
  }
  // The lines go through a line_buffer, as a task's output does: it judges
  // consecutive base64 lines together, so a line is checked as it comes out.
  std::string printed;
  for (size_t at = 0; at < encoded.size(); at += 76)
    printed += encoded.substr(at, 76) + "\n";
  std::vector<std::string> out;
  runner::line_buffer lines(0, &check.secrets());
  auto keep = [&](std::string_view l) { out.emplace_back(l); };
  lines.feed(printed, keep);
  lines.flush(keep);
  if (out.size() != (encoded.size() + 75) / 76)
    leaked(name, secret, "(a line lost or added)", printed, "");
  for (size_t at = 0, i = 0; at < encoded.size(); at += 76, ++i) {
    size_t begin = std::max(at, core_begin), end = std::min(at + 76, core_end);
    if (end >= begin + kMinSecret)
      check.line_masked(name, secret, std::string_view(encoded).substr(begin, end - begin),
                        encoded.substr(at, 76), out[i]);
  }
}

void print_one(FuzzedDataProvider& in, property& check, const std::string& secret) {
  const bool upper = in.ConsumeBool();
  const char* hex_case = upper ? ", upper-case hex" : ", lower-case hex";
  auto around = [&](const std::string& form) { return one_line(in) + form + one_line(in); };
  switch (in.ConsumeIntegralInRange(0, 14)) {
    case 0: check.whole("plain", secret, secret, around(secret)); break;
    case 1: print_base64(in, check, secret, false, false); break;
    case 2: print_base64(in, check, secret, true, false); break;
    case 3: print_base64(in, check, secret, false, true); break;
    case 4: print_base64(in, check, secret, true, true); break;
    case 5: case 6: case 7: case 8: {
      static const char* const names[] = {"percent-encoded reserved characters",
                                          "percent-encoded all but unreserved characters",
                                          "form-encoded", "percent-encoded every byte"};
      int k = in.ConsumeIntegralInRange(0, 3);
      std::string form = percent_encode(secret, static_cast<percent>(k), upper);
      // After `=`, as in a query: text ending in `%` or `%4` would make the
      // form's first characters part of an escape of its own.
      check.whole((std::string(names[k]) + hex_case).c_str(), secret, form, around("=" + form));
      break;
    }
    case 9: case 10: case 11: case 12: case 13: {
      static const char* const names[] = {"JSON", "JSON with \\/", "JSON, Go's escapes",
                                          "JSON, non-ASCII as \\uXXXX", "JSON, all as \\uXXXX"};
      int k = in.ConsumeIntegralInRange(0, 4);
      auto form = json_escape(secret, static_cast<json_style>(k), upper);
      if (form)
        check.whole((std::string(names[k]) + (k >= 3 ? hex_case : "")).c_str(), secret, *form,
                    around("\"" + *form + "\""));
      break;
    }
    default: {  // each line on a line of its own
      size_t start = 0;
      while (start <= secret.size()) {
        size_t end = secret.find_first_of("\r\n", start);
        if (end == std::string::npos)
          end = secret.size();
        std::string piece = secret.substr(start, end - start);
        if (piece.size() >= kMinSecret)
          check.line("a line of a multi-line value", secret, piece, around(piece));
        start = end + 1;
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  std::vector<std::string> secrets(in.ConsumeIntegralInRange(1, 3));
  runner::masker m;
  for (std::string& s : secrets) {
    s = make_secret(in);
    m.add(s);
  }
  property check(m);
  for (int round = in.ConsumeIntegralInRange(1, 4); round > 0; --round)
    print_one(in, check, secrets[in.ConsumeIntegralInRange<size_t>(0, secrets.size() - 1)]);
  return 0;
}
