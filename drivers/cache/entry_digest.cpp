#include "drivers/cache/entry_digest.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace runner::cache {

namespace {

// Fixed-width length prefixes make the encoding unambiguous.
void put_u64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_field(std::string& out, const std::string& s) {
  put_u64(out, s.size());
  out.append(s);
}

}  // namespace

std::string entry_digest(const std::string& key, const std::string& task,
                         const std::string& group_id, int64_t created_ms, int64_t expires_ms,
                         const std::map<std::string, stored_output>& outputs) {
  std::string m = "runner.cache.entry.v1";
  put_field(m, key);
  put_field(m, task);
  put_field(m, group_id);
  put_u64(m, static_cast<uint64_t>(created_ms));
  put_u64(m, static_cast<uint64_t>(expires_ms));
  put_u64(m, outputs.size());
  for (const auto& [name, o] : outputs) {
    put_field(m, name);
    m.push_back(o.confidential ? '\1' : '\0');
    put_field(m, o.value);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(m.data(), m.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    // Only if OpenSSL itself is broken; an empty digest never matches a stored one.
    return {};
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

}  // namespace runner::cache
