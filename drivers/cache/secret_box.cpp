#include "drivers/cache/secret_box.hpp"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>

namespace runner::cache {

secret_key::~secret_key() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

namespace {

std::string errno_text(int e) { return std::strerror(e); }

// What a user does about a key file that cannot be used. Entries sealed under
// the old key cannot be read any more, so the cache is cleared as well.
std::string key_fix(const std::string& path) {
  return "remove " + path + " and run `runner cache clear` (confidential entries sealed "
         "under the old key cannot be read any more)";
}

struct fd_closer {
  int fd;
  ~fd_closer() {
    if (fd >= 0) ::close(fd);
  }
};

// Reads an existing key file. `missing` is set (and nothing else) when there is none.
key_result read_key(const std::string& path, bool& missing) {
  key_result r;
  missing = false;
  // O_NOFOLLOW: a symbolic link planted in the state directory must not make
  // the runner use (or reveal through errors) some other file as its key.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT) {
      missing = true;
      return r;
    }
    if (e == ELOOP) {
      r.error = "cache key file " + path + " is a symbolic link: " + key_fix(path);
    } else {
      r.error = "cannot open cache key file " + path + ": " + errno_text(e);
    }
    return r;
  }
  fd_closer closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    r.error = "cannot stat cache key file " + path + ": " + errno_text(errno);
    return r;
  }
  if (!S_ISREG(st.st_mode)) {
    r.error = "cache key file " + path + " is not a regular file: " + key_fix(path);
    return r;
  }
  if (st.st_uid != ::geteuid()) {
    r.error = "cache key file " + path + " belongs to uid " + std::to_string(st.st_uid) +
              ", not to this user (uid " + std::to_string(::geteuid()) +
              "): run the runner as its owner, or " + key_fix(path);
    return r;
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    r.error = "cache key file " + path + " has mode " + mode +
              ": it must be accessible to its owner only (chmod 600 " + path +
              "; if others may have read it, " + key_fix(path) + ")";
    return r;
  }
  if (st.st_size != static_cast<off_t>(secret_key_bytes)) {
    r.error = "cache key file " + path + " is " + std::to_string(st.st_size) + " bytes, not " +
              std::to_string(secret_key_bytes) + ": it is damaged; " + key_fix(path);
    return r;
  }
  std::array<unsigned char, secret_key_bytes> bytes{};
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      OPENSSL_cleanse(bytes.data(), bytes.size());
      r.error = "cannot read cache key file " + path + ": " +
                (n < 0 ? errno_text(errno) : std::string("it is shorter than its size says"));
      return r;
    }
    got += static_cast<size_t>(n);
  }
  r.ok = true;
  r.key = secret_key(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return r;
}

bool write_all(int fd, const unsigned char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Writes a new random key to a temporary file and links it into place.
// `lost_race` is set when another process linked its key first.
key_result create_key(const std::string& path, bool& lost_race) {
  key_result r;
  lost_race = false;
  std::array<unsigned char, secret_key_bytes> bytes{};
  unsigned char tag[8];
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1 ||
      RAND_bytes(tag, sizeof tag) != 1) {
    r.error = "cannot create cache key file " + path + ": OpenSSL has no random bytes";
    return r;
  }
  // A unique temporary name (pid + random), created with O_EXCL so it is ours.
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, ".tmp.%ld.%02x%02x%02x%02x%02x%02x%02x%02x",
                static_cast<long>(::getpid()), tag[0], tag[1], tag[2], tag[3], tag[4], tag[5],
                tag[6], tag[7]);
  std::string tmp = path + suffix;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    OPENSSL_cleanse(bytes.data(), bytes.size());
    r.error = "cannot create cache key file " + tmp + ": " + errno_text(errno);
    return r;
  }
  bool written;
  {
    fd_closer closer{fd};
    // The umask can only take bits away; fchmod makes the mode exactly 0600.
    written = ::fchmod(fd, 0600) == 0 && write_all(fd, bytes.data(), bytes.size()) &&
              ::fsync(fd) == 0;
  }
  int write_errno = errno;
  if (!written) {
    ::unlink(tmp.c_str());
    OPENSSL_cleanse(bytes.data(), bytes.size());
    r.error = "cannot write cache key file " + tmp + ": " + errno_text(write_errno);
    return r;
  }
  // link() fails with EEXIST if the name exists, unlike rename() which would
  // replace a key another process already created (and may have sealed with).
  int rc = ::link(tmp.c_str(), path.c_str());
  int link_errno = errno;
  ::unlink(tmp.c_str());
  if (rc != 0) {
    OPENSSL_cleanse(bytes.data(), bytes.size());
    if (link_errno == EEXIST) {
      lost_race = true;
      return r;
    }
    r.error = "cannot create cache key file " + path + " (link from " + tmp +
              "): " + errno_text(link_errno);
    return r;
  }
  r.ok = true;
  r.key = secret_key(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return r;
}

using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// The associated data actually authenticated: the version byte, then the caller's.
std::string full_aad(std::string_view associated_data) {
  std::string aad(1, static_cast<char>(sealed_version));
  aad.append(associated_data);
  return aad;
}

}  // namespace

key_result load_or_create_key(const std::string& path) {
  bool missing = false;
  key_result r = read_key(path, missing);
  if (!missing) return r;
  bool lost_race = false;
  r = create_key(path, lost_race);
  if (!lost_race) return r;
  // Another process created the key between our read and our link: use it.
  r = read_key(path, missing);
  if (missing) r.error = "cache key file " + path + " vanished while it was being created";
  return r;
}

seal_result seal(const secret_key& key, std::string_view plaintext,
                 std::string_view associated_data) {
  seal_result r;
  std::string aad = full_aad(associated_data);
  if (plaintext.size() > static_cast<size_t>(INT_MAX) - 64 || aad.size() > INT_MAX) {
    r.error = "value too large to seal";
    return r;
  }
  std::string out(sealed_overhead + plaintext.size(), '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  o[0] = sealed_version;
  unsigned char* nonce = o + 1;
  unsigned char* ct = nonce + sealed_nonce_bytes;
  unsigned char* tag = ct + plaintext.size();
  // A random 96-bit nonce per value: keys are per state directory and values
  // are few, far below the 2^32 seals per key where random nonces get risky.
  if (RAND_bytes(nonce, static_cast<int>(sealed_nonce_bytes)) != 1) {
    r.error = "OpenSSL has no random bytes for a nonce";
    return r;
  }
  cipher_ctx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok = ctx &&
            EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN,
                                static_cast<int>(sealed_nonce_bytes), nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                              reinterpret_cast<const unsigned char*>(aad.data()),
                              static_cast<int>(aad.size())) == 1;
  if (ok && !plaintext.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), ct, &len,
                           reinterpret_cast<const unsigned char*>(plaintext.data()),
                           static_cast<int>(plaintext.size())) == 1 &&
         static_cast<size_t>(len) == plaintext.size();
  }
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), ct + plaintext.size(), &len) == 1 && len == 0 &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(sealed_tag_bytes),
                           tag) == 1;
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    r.error = "OpenSSL failed to seal a value (AES-256-GCM)";
    return r;
  }
  r.ok = true;
  r.sealed = std::move(out);
  return r;
}

unseal_result open_sealed(const secret_key& key, std::string_view sealed,
                        std::string_view associated_data) {
  unseal_result r;
  if (sealed.size() < sealed_overhead) {
    r.error = "sealed value is truncated (" + std::to_string(sealed.size()) + " bytes, at least " +
              std::to_string(sealed_overhead) + " expected)";
    return r;
  }
  auto* s = reinterpret_cast<const unsigned char*>(sealed.data());
  if (s[0] != sealed_version) {
    r.error = "sealed value has unknown format version " + std::to_string(s[0]);
    return r;
  }
  std::string aad = full_aad(associated_data);
  if (sealed.size() > static_cast<size_t>(INT_MAX) || aad.size() > INT_MAX) {
    r.error = "sealed value too large";
    return r;
  }
  const unsigned char* nonce = s + 1;
  const unsigned char* ct = nonce + sealed_nonce_bytes;
  size_t ct_len = sealed.size() - sealed_overhead;
  const unsigned char* tag = ct + ct_len;
  std::string plain(ct_len, '\0');
  auto* p = reinterpret_cast<unsigned char*>(plain.data());
  cipher_ctx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok = ctx &&
            EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN,
                                static_cast<int>(sealed_nonce_bytes), nullptr) == 1 &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                              reinterpret_cast<const unsigned char*>(aad.data()),
                              static_cast<int>(aad.size())) == 1;
  if (ok && ct_len > 0) {
    ok = EVP_DecryptUpdate(ctx.get(), p, &len, ct, static_cast<int>(ct_len)) == 1 &&
         static_cast<size_t>(len) == ct_len;
  }
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer but only reads it.
  ok = ok &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(sealed_tag_bytes),
                           const_cast<unsigned char*>(tag)) == 1;
  // The tag is checked here; only now may the plaintext be trusted.
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), p + ct_len, &len) == 1;
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    r.error = "sealed value does not authenticate (sealed under another key, for another "
              "entry, or altered)";
    return r;
  }
  r.ok = true;
  r.plaintext = std::move(plain);
  return r;
}

std::string keyed_digest_hex(const secret_key& key, std::string_view data) {
  // subkey = HMAC(key, label); digest = HMAC(subkey, data).
  static const char label[] = "runner.cache.key-id.v1";
  unsigned char subkey[EVP_MAX_MD_SIZE];
  unsigned int sub_len = 0;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  bool ok = HMAC(EVP_sha256(), key.data(), static_cast<int>(secret_key_bytes),
                 reinterpret_cast<const unsigned char*>(label), sizeof label - 1, subkey,
                 &sub_len) != nullptr &&
            HMAC(EVP_sha256(), subkey, static_cast<int>(sub_len),
                 reinterpret_cast<const unsigned char*>(data.data()), data.size(), md,
                 &md_len) != nullptr;
  OPENSSL_cleanse(subkey, sizeof subkey);
  if (!ok) return {};  // only if OpenSSL itself is broken; the caller reports it
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * md_len);
  for (unsigned int i = 0; i < md_len; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 0xf]);
  }
  return out;
}

std::string binding(std::string_view cache_key, std::string_view output_name) {
  std::string b = "runner.cache.v1";
  b.push_back('\0');
  uint64_t n = cache_key.size();
  for (int i = 7; i >= 0; --i) b.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  b.append(cache_key);
  b.append(output_name);
  return b;
}

}  // namespace runner::cache
