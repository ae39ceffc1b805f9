#pragma once
// A task's `cache.key` once its templates are resolved (SPEC.md §7), and the
// name its entry is filed under in the store.
//
// Keys are kept in plain text: `runner cache list` shows them, and an
// operator clears an entry by naming it. A key rendered from a confidential
// value (a token, to start over when it rotates) must not put that value on
// disk or on a screen, though. Such a key is filed under its masked form
// followed by " #" and an HMAC of the whole rendered key under the cache's
// secret key (cache_store::file_key): equal keys still meet, different secrets
// still differ, and without the key file a short secret cannot be guessed
// from the digest, as it could from a plain hash.
#include <cstddef>
#include <string>

namespace runner::cache {

struct cache_key {
  std::string rendered;  // templates resolved; may hold confidential values
  std::string masked;    // `rendered` with every confidential value as ***
  bool holds_secret() const { return masked != rendered; }
};

// Hex digits of the HMAC kept in a filed key: 128 bits, far beyond any chance
// collision among one host's entries, and short enough to read in a listing.
inline constexpr std::size_t filed_digest_hex_digits = 32;

}  // namespace runner::cache
