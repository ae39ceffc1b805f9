#pragma once
// Sealing of confidential cache values at rest (SPEC.md §7): AES-256-GCM with
// OpenSSL EVP under one key per state directory, kept in a key file that only
// its owner can read.
//
// Sealed format (version 1):
//   version byte (0x01) | 12-byte random nonce | ciphertext | 16-byte GCM tag
// The version byte is authenticated too, and the caller's associated data
// (see binding()) ties a ciphertext to the cache entry and output it was sealed
// for, so a value cannot be moved to another entry or output unnoticed.
// open_sealed() of anything altered, truncated, or sealed under another key
// fails: it never returns garbage.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace runner::cache {

inline constexpr std::size_t secret_key_bytes = 32;    // AES-256
inline constexpr std::size_t sealed_nonce_bytes = 12;  // GCM's native nonce size
inline constexpr std::size_t sealed_tag_bytes = 16;    // full-length tag
inline constexpr unsigned char sealed_version = 1;
inline constexpr std::size_t sealed_overhead = 1 + sealed_nonce_bytes + sealed_tag_bytes;

// The raw key; wiped from memory when destroyed.
class secret_key {
 public:
  secret_key() = default;
  explicit secret_key(const std::array<unsigned char, secret_key_bytes>& b) : bytes_(b) {}
  secret_key(const secret_key&) = default;
  secret_key& operator=(const secret_key&) = default;
  ~secret_key();
  const unsigned char* data() const { return bytes_.data(); }
  bool operator==(const secret_key& o) const { return bytes_ == o.bytes_; }
  bool operator!=(const secret_key& o) const { return !(*this == o); }

 private:
  std::array<unsigned char, secret_key_bytes> bytes_{};
};

struct key_result {
  bool ok = false;
  secret_key key;
  std::string error;  // when !ok: names the file and what to do
};

// Reads the key file at `path`, or creates it (32 bytes from RAND_bytes, mode
// 0600) when it does not exist. Creation is atomic: the key is written in full
// to a private temporary file which is then hard-linked to `path`, so a reader
// never sees a partial key, and when several processes race exactly one link
// wins and the others read the winner's key. Refuses a key file that is not a
// regular file, is a symbolic link, has the wrong size, is readable or
// writable by group or others, or belongs to another user.
key_result load_or_create_key(const std::string& path);

struct seal_result {
  bool ok = false;
  std::string sealed;  // binary
  std::string error;
};
seal_result seal(const secret_key& key, std::string_view plaintext, std::string_view associated_data);

struct unseal_result {
  bool ok = false;
  std::string plaintext;
  std::string error;  // why the value does not open; never contains plaintext
};
unseal_result open_sealed(const secret_key& key, std::string_view sealed,
                        std::string_view associated_data);

// A keyed digest of `data` as 64 lowercase hex digits: HMAC-SHA256 under a
// subkey derived from `key` for this one purpose (the AES key itself is never
// used with a second algorithm). Without the key file nobody can test guesses
// against it, unlike a plain hash of a short secret. Used to file cache keys
// that hold confidential values (cache_key.hpp). Empty only if OpenSSL fails.
std::string keyed_digest_hex(const secret_key& key, std::string_view data);

// Associated data for a cache value: binds the cache key and the output name.
// Length-prefixed so that ("ab","c") and ("a","bc") differ.
std::string binding(std::string_view cache_key, std::string_view output_name);

}  // namespace runner::cache
