#include "net/identity.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

namespace runner {

namespace {

// ---------------------------------------------------------------- OpenSSL RAII

template <auto Free>
struct openssl_deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO_free_all>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509_free>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY_free>>;
using store_ptr = std::unique_ptr<X509_STORE, openssl_deleter<X509_STORE_free>>;
using store_ctx_ptr = std::unique_ptr<X509_STORE_CTX, openssl_deleter<X509_STORE_CTX_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_deleter<EVP_MD_CTX_free>>;

struct x509_stack_deleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using x509_stack_ptr = std::unique_ptr<STACK_OF(X509), x509_stack_deleter>;

// OpenSSL keeps errors in a per-thread queue. A stale entry left there can make a
// later, unrelated TLS call on the same thread (CAF's openssl session) look failed,
// so every public function empties the queue on the way out.
struct error_queue_guard {
  ~error_queue_guard() { ERR_clear_error(); }
};

// The reasons in the error queue, oldest first, as one line; empties the queue.
std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    std::string r = reason ? reason : "error " + std::to_string(ERR_GET_REASON(e));
    if (out.find(r) != std::string::npos) continue;
    if (!out.empty()) out += "; ";
    out += r;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

bio_ptr memory_bio(std::string_view bytes) {
  // BIO_new_mem_buf takes an int length; callers bound sizes well below INT_MAX.
  return bio_ptr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string hex(const unsigned char* p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 0xf];
  }
  return out;
}

// ---------------------------------------------------------------- files

// TLS material is a few KiB; a larger file is the wrong file.
constexpr size_t kMaxTlsFile = 1024 * 1024;

struct file_read {
  std::string data;
  std::string error;
};

file_read read_tls_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return {"", "does not exist; check the path (relative paths start at the config file's directory)"};
  if (std::filesystem::is_directory(path, ec)) return {"", "is a directory; name the PEM file itself"};
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return {"", std::string("cannot be read (") + std::strerror(errno) +
                    "); check its permissions for the user the runner runs as"};
  std::string data;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > kMaxTlsFile) return {"", "is larger than 1 MiB; a PEM certificate or key is a few KiB"};
  }
  if (in.bad()) return {"", "could not be read to the end"};
  if (data.empty()) return {"", "is empty; expected PEM text"};
  return {std::move(data), ""};
}

// ---------------------------------------------------------------- certificates

struct parsed_certs {
  x509_ptr leaf;
  x509_stack_ptr rest;  // whatever followed the leaf (intermediates)
  std::string error;
};

bool is_end_of_pem(unsigned long e) {
  return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

// Reads the PEM certificates in `pem`: the first is the leaf. At most
// `max_certs` in all, so a hostile peer cannot make us parse thousands.
parsed_certs parse_certs(std::string_view pem, size_t max_certs) {
  parsed_certs out;
  out.rest.reset(sk_X509_new_null());
  bio_ptr bio = memory_bio(pem);
  if (!bio || !out.rest) return {nullptr, nullptr, "out of memory: " + openssl_errors()};
  out.leaf.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!out.leaf) {
    bool no_pem = is_end_of_pem(ERR_peek_last_error());
    std::string why = openssl_errors();
    if (!no_pem)
      out.error = "holds a PEM certificate OpenSSL cannot parse (" + why + ")";
    else if (pem.find("PRIVATE KEY-----") != std::string_view::npos)
      out.error = "holds a private key, not a certificate";
    else
      out.error = "is not a PEM certificate (no -----BEGIN CERTIFICATE----- line)";
    return out;
  }
  for (size_t n = 1;; ++n) {
    x509_ptr next(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!next) {
      // The loop normally ends at "no start line": nothing more in the text.
      if (!is_end_of_pem(ERR_peek_last_error()))
        out.error = "has a certificate #" + std::to_string(n + 1) + " OpenSSL cannot parse (" + openssl_errors() + ")";
      ERR_clear_error();
      return out;
    }
    if (n >= max_certs) {
      out.error = "holds more than " + std::to_string(max_certs) + " certificates";
      return out;
    }
    if (!sk_X509_push(out.rest.get(), next.get())) {
      out.error = "out of memory: " + openssl_errors();
      return out;
    }
    next.release();  // the stack owns it now
  }
}

std::string subject_of(X509* cert) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) {
    ERR_clear_error();
    return "(unprintable subject)";
  }
  return bio_contents(bio.get());
}

std::optional<std::time_t> to_time_t(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return timegm(&tm);
}

std::string utc_string(const ASN1_TIME* t) {
  auto v = to_time_t(t);
  if (!v) return "(unreadable date)";
  std::tm tm{};
  gmtime_r(&*v, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

struct name_result {
  std::string name;
  std::string error;
};

// The identity is the subject's CN: exactly one, UTF-8, no control characters.
name_result common_name(X509* cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (i < 0)
    return {"", "has no CN in its subject (" + subject_of(cert) +
                    "); the runner takes a node's identity from the CN: reissue it with CN=<node name>"};
  if (X509_NAME_get_index_by_NID(subject, NID_commonName, i) >= 0)
    return {"", "has more than one CN in its subject (" + subject_of(cert) + "); reissue it with a single CN"};
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
  if (n < 0) {
    ERR_clear_error();
    return {"", "has a CN that is not valid text"};
  }
  std::string cn(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  if (cn.empty()) return {"", "has an empty CN; reissue it with CN=<node name>"};
  bool control = std::any_of(cn.begin(), cn.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
  if (control) return {"", "has a CN with control characters"};
  return {std::move(cn), ""};
}

// What a verification failure means for whoever has to fix it.
// `ca` names the trusted CA: its file for local configuration, but not in
// answers to a peer, which need not learn this node's paths.
std::string describe_verify_failure(X509_STORE_CTX* ctx, const std::string& ca) {
  int err = X509_STORE_CTX_get_error(ctx);
  X509* at = X509_STORE_CTX_get_current_cert(ctx);
  std::string who = at ? " (" + subject_of(at) + ")" : "";
  std::string openssl_says = std::string(" (OpenSSL: ") + X509_verify_cert_error_string(err) +
                             (at ? ", at " + subject_of(at) : "") + ")";
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "expired on " + utc_string(at ? X509_get0_notAfter(at) : nullptr) + who +
             "; issue a new certificate from the CA";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "is not valid before " + utc_string(at ? X509_get0_notBefore(at) : nullptr) + who +
             "; check this machine's clock";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return "was not issued by " + ca + openssl_says +
             "; use a certificate signed by that CA, or trust the CA that signed it";
    case X509_V_ERR_INVALID_PURPOSE:
      return "may not be used for TLS client authentication" + who +
             "; reissue it with extendedKeyUsage clientAuth (and serverAuth)";
    default:
      return "does not verify against " + ca + openssl_says;
  }
}

struct chain_check {
  std::string error;  // empty when the chain verified
  std::time_t not_before = 0;  // the window in which every certificate of the chain is valid
  std::time_t not_after = 0;
};

// Verifies `leaf` (with `untrusted` intermediates) against `store`, for TLS
// client use when `purpose` is set, at `when` if given, else now.
chain_check verify_chain(X509_STORE* store, const std::string& ca, X509* leaf, STACK_OF(X509) * untrusted,
                         int purpose, std::optional<std::time_t> when) {
  store_ctx_ptr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store, leaf, untrusted) != 1)
    return {"cannot be verified: " + openssl_errors()};
  if (purpose && X509_STORE_CTX_set_purpose(ctx.get(), purpose) != 1)
    return {"cannot be verified: " + openssl_errors()};
  if (when) X509_STORE_CTX_set_time(ctx.get(), 0, *when);
  if (X509_verify_cert(ctx.get()) != 1) {
    std::string why = describe_verify_failure(ctx.get(), ca);
    ERR_clear_error();
    return {why};
  }
  chain_check out;
  out.not_after = std::numeric_limits<std::time_t>::max();
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    X509* c = sk_X509_value(chain, i);
    out.not_before = std::max(out.not_before, to_time_t(X509_get0_notBefore(c)).value_or(0));
    out.not_after = std::min(out.not_after, to_time_t(X509_get0_notAfter(c)).value_or(0));
  }
  return out;
}

struct ca_load {
  store_ptr store;
  std::string error;
};

ca_load load_ca(const std::string& ca_file) {
  const std::string where = "tls.ca " + ca_file;
  file_read f = read_tls_file(ca_file);
  if (!f.error.empty()) return {nullptr, where + " " + f.error};
  parsed_certs certs = parse_certs(f.data, 1000);
  if (!certs.error.empty()) return {nullptr, where + " " + certs.error};
  store_ptr store(X509_STORE_new());
  if (!store) return {nullptr, where + ": out of memory: " + openssl_errors()};
  bool ok = X509_STORE_add_cert(store.get(), certs.leaf.get()) == 1;
  for (int i = 0; ok && i < sk_X509_num(certs.rest.get()); ++i)
    ok = X509_STORE_add_cert(store.get(), sk_X509_value(certs.rest.get(), i)) == 1;
  if (!ok) return {nullptr, where + ": cannot use its certificates: " + openssl_errors()};
  return {std::move(store), ""};
}

// ---------------------------------------------------------------- signatures

// Ed25519 and Ed448 sign the message itself and take no digest; everything else
// signs its SHA-256.
const EVP_MD* digest_for(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448")) return nullptr;
  return EVP_sha256();
}

std::string key_type(EVP_PKEY* key) {
  const char* t = EVP_PKEY_get0_type_name(key);
  return t ? t : "unknown";
}

// Empty string on failure (the error queue says why).
std::string sign_bytes(EVP_PKEY* key, const std::string& message) {
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_for(key), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1)
    return "";
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
    return "";
  sig.resize(len);  // ECDSA signatures vary in length; the first call gave the maximum
  return sig;
}

bool verify_bytes(EVP_PKEY* key, const std::string& message, const std::string& sig) {
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, digest_for(key), nullptr, key) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

// Never prompt on a terminal for a passphrase: a server has nobody to answer.
int refuse_passphrase(char*, int, int, void*) {
  return -1;
}

struct key_load {
  pkey_ptr key;
  std::string error;
};

key_load parse_private_key(const std::string& pem) {
  bio_ptr bio = memory_bio(pem);
  if (!bio) return {nullptr, "out of memory: " + openssl_errors()};
  pkey_ptr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_passphrase, nullptr));
  if (key) return {std::move(key), ""};
  std::string why = openssl_errors();  // reasons only: never key bytes
  // OpenSSL 3's decoders report text without a key in it only as "unsupported",
  // so look at the PEM labels to say what the file is instead.
  if (pem.find("ENCRYPTED") != std::string::npos)
    return {nullptr,
            "is encrypted with a passphrase, which the runner cannot ask for: store it unencrypted "
            "(openssl pkey -in KEY -out KEY.plain) and protect it with file mode 0600"};
  if (pem.find("PRIVATE KEY-----") == std::string::npos) {
    if (pem.find("-----BEGIN CERTIFICATE-----") != std::string::npos)
      return {nullptr, "holds a certificate, not a private key; are tls.cert and tls.key swapped?"};
    return {nullptr, "is not a PEM private key (no -----BEGIN PRIVATE KEY----- line)"};
  }
  return {nullptr, "holds a private key OpenSSL cannot parse (" + why + ")"};
}

std::string pem_of(X509* leaf, STACK_OF(X509) * rest) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), leaf) != 1) return "";
  for (int i = 0; i < sk_X509_num(rest); ++i)
    if (PEM_write_bio_X509(bio.get(), sk_X509_value(rest, i)) != 1) return "";
  return bio_contents(bio.get());
}

}  // namespace

// ---------------------------------------------------------------- tls_identity

struct tls_identity {
  std::string name;
  std::string cert_pem;
  pkey_ptr key;
};

identity_load load_tls_identity(const std::string& cert_file, const std::string& key_file,
                                const std::string& ca_file) {
  error_queue_guard guard;
  const std::string cert_where = "tls.cert " + cert_file;
  const std::string key_where = "tls.key " + key_file;

  file_read cert_text = read_tls_file(cert_file);
  if (!cert_text.error.empty()) return {nullptr, cert_where + " " + cert_text.error};
  parsed_certs certs = parse_certs(cert_text.data, 16);
  if (!certs.error.empty())
    return {nullptr, cert_where + " " + certs.error +
                         (certs.error.find("private key") != std::string::npos
                              ? "; are tls.cert and tls.key swapped?" : "")};

  file_read key_text = read_tls_file(key_file);
  if (!key_text.error.empty()) return {nullptr, key_where + " " + key_text.error};
  key_load key = parse_private_key(key_text.data);
  if (!key.error.empty()) return {nullptr, key_where + " " + key.error};

  if (X509_check_private_key(certs.leaf.get(), key.key.get()) != 1) {
    ERR_clear_error();  // "key values mismatch": the message below says it better
    EVP_PKEY* cert_key = X509_get0_pubkey(certs.leaf.get());
    std::string type = key_type(key.key.get());
    bool same_type = !cert_key || EVP_PKEY_is_a(cert_key, type.c_str());
    std::string how = same_type ? "its public half differs from the certificate's"
                                : "it is an " + type + " key, the certificate holds an " + key_type(cert_key) + " key";
    return {nullptr, key_where + " does not belong to certificate " + cert_file + ": " + how +
                         "; use the key the certificate was issued for"};
  }

  ca_load ca = load_ca(ca_file);
  if (!ca.error.empty()) return {nullptr, ca.error};
  // Purpose is not checked here: the TLS layer checks it for each role the node plays.
  chain_check chain =
      verify_chain(ca.store.get(), "the CA in " + ca_file, certs.leaf.get(), certs.rest.get(), 0, std::nullopt);
  if (!chain.error.empty()) return {nullptr, cert_where + " " + chain.error};

  name_result cn = common_name(certs.leaf.get());
  if (!cn.error.empty()) return {nullptr, cert_where + " " + cn.error};

  // Sign and verify once now, so a key type we cannot sign with fails at
  // startup rather than on the first request.
  // The probe is outside the proof domain, so it could never serve as a proof.
  std::string probe = "runner identity self-check";
  std::string sig = sign_bytes(key.key.get(), probe);
  if (sig.empty() || !verify_bytes(X509_get0_pubkey(certs.leaf.get()), probe, sig))
    return {nullptr, key_where + ": cannot sign with this " + key_type(key.key.get()) + " key (" +
                         openssl_errors() + "); use an EC P-256, RSA or Ed25519 key"};

  auto id = std::make_shared<tls_identity>();
  id->name = std::move(cn.name);
  id->cert_pem = pem_of(certs.leaf.get(), certs.rest.get());
  if (id->cert_pem.empty()) return {nullptr, cert_where + ": cannot re-encode as PEM: " + openssl_errors()};
  id->key = std::move(key.key);
  return {std::move(id), ""};
}

const std::string& identity_name(const tls_identity& id) {
  return id.name;
}

const std::string& identity_cert_pem(const tls_identity& id) {
  return id.cert_pem;
}

std::string proof_statement(const std::string& node, const std::string& nonce, const std::string& request_hash) {
  return "runner-request-v1\n" + node + "\n" + nonce + "\n" + request_hash;
}

std::string sign_proof(const tls_identity& id, const std::string& node, const std::string& nonce,
                       const std::string& request_hash) {
  error_queue_guard guard;
  if (node.find('\n') != std::string::npos || nonce.find('\n') != std::string::npos)
    throw std::invalid_argument("sign_proof: node and nonce must not contain a newline");
  std::string sig = sign_bytes(id.key.get(), proof_statement(node, nonce, request_hash));
  if (sig.empty()) throw std::runtime_error("signing the request proof failed: " + openssl_errors());
  return sig;
}

// ---------------------------------------------------------------- trust_store

namespace {
// A busy peer sends the same certificate with every request: verify its chain once.
constexpr size_t kVerifiedCertCache = 256;
// A leaf, plus intermediates if the peer has any.
constexpr size_t kMaxPeerChain = 8;
}  // namespace

struct trust_store::impl {
  struct verified {
    std::string name;
    std::shared_ptr<EVP_PKEY> key;  // shared so a verify can run outside the lock
    std::time_t not_before = 0;
    std::time_t not_after = 0;
    std::list<std::string>::iterator lru;
  };

  store_ptr store;
  mutable std::mutex mu;
  mutable std::list<std::string> lru;  // most recently used first
  mutable std::unordered_map<std::string, verified> cache;

  // Returns the cached entry's name and key if `digest` is cached and `now` is
  // within its validity; drops it once it is no longer valid.
  std::optional<verified> lookup(const std::string& digest, std::time_t now) const {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(digest);
    if (it == cache.end()) return std::nullopt;
    if (now < it->second.not_before || now > it->second.not_after) {
      lru.erase(it->second.lru);
      cache.erase(it);
      return std::nullopt;  // verify again, which explains what is wrong
    }
    lru.splice(lru.begin(), lru, it->second.lru);
    return it->second;
  }

  void remember(const std::string& digest, verified v) const {
    std::lock_guard<std::mutex> lock(mu);
    if (cache.count(digest)) return;  // another thread verified it meanwhile
    while (cache.size() >= kVerifiedCertCache) {
      cache.erase(lru.back());
      lru.pop_back();
    }
    lru.push_front(digest);
    v.lru = lru.begin();
    cache.emplace(digest, std::move(v));
  }

  // Full check of a peer certificate not in the cache.
  std::pair<std::optional<verified>, std::string> verify_peer(const std::string& cert_pem, std::time_t now) const {
    parsed_certs certs = parse_certs(cert_pem, kMaxPeerChain);
    if (!certs.error.empty()) return {std::nullopt, "the peer certificate " + certs.error};
    chain_check chain = verify_chain(store.get(), "the CA this node trusts", certs.leaf.get(), certs.rest.get(),
                                     X509_PURPOSE_SSL_CLIENT, now);
    if (!chain.error.empty()) return {std::nullopt, "the peer certificate " + chain.error};
    name_result cn = common_name(certs.leaf.get());
    if (!cn.error.empty()) return {std::nullopt, "the peer certificate " + cn.error};
    EVP_PKEY* key = X509_get_pubkey(certs.leaf.get());  // a new reference
    if (!key) return {std::nullopt, "the peer certificate's public key cannot be read: " + openssl_errors()};
    verified v;
    v.name = std::move(cn.name);
    v.key.reset(key, EVP_PKEY_free);
    v.not_before = chain.not_before;
    v.not_after = chain.not_after;
    return {std::move(v), ""};
  }
};

trust_store::trust_store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
trust_store::~trust_store() = default;

std::pair<std::shared_ptr<trust_store>, std::string> trust_store::load(const std::string& ca_file) {
  error_queue_guard guard;
  ca_load ca = load_ca(ca_file);
  if (!ca.error.empty()) return {nullptr, ca.error};
  auto p = std::make_unique<impl>();
  p->store = std::move(ca.store);
  return {std::make_shared<trust_store>(std::move(p)), ""};
}

peer_check trust_store::check_proof(const std::string& cert_pem, const std::string& node, const std::string& nonce,
                                    const std::string& request_hash, const std::string& signature) const {
  return check_proof_at(std::time(nullptr), cert_pem, node, nonce, request_hash, signature);
}

peer_check trust_store::check_proof_at(std::time_t now, const std::string& cert_pem, const std::string& node,
                                       const std::string& nonce, const std::string& request_hash,
                                       const std::string& signature) const {
  error_queue_guard guard;
  auto refuse = [](std::string why) { return peer_check{false, "", std::move(why)}; };
  // Cheap checks first: these bytes come from the network.
  if (cert_pem.empty()) return refuse("the request carries no certificate");
  if (cert_pem.size() > kMaxPeerCertPem)
    return refuse("the peer certificate is " + std::to_string(cert_pem.size()) + " bytes, more than the " +
                  std::to_string(kMaxPeerCertPem) + " allowed");
  if (signature.empty()) return refuse("the request carries no signature");
  if (signature.size() > kMaxProofSignature)
    return refuse("the request signature is " + std::to_string(signature.size()) + " bytes, more than the " +
                  std::to_string(kMaxProofSignature) + " allowed");
  if (node.find('\n') != std::string::npos || nonce.find('\n') != std::string::npos)
    return refuse("the node name or nonce contains a newline");

  const std::string digest = sha256_hex(cert_pem);
  std::optional<impl::verified> peer = impl_->lookup(digest, now);
  if (!peer) {
    auto [fresh, error] = impl_->verify_peer(cert_pem, now);
    if (!fresh) return refuse(error);
    impl_->remember(digest, *fresh);
    peer = std::move(fresh);
  }
  if (!verify_bytes(peer->key.get(), proof_statement(node, nonce, request_hash), signature))
    return refuse("the request signature does not verify with the key of certificate CN=" + peer->name +
                  ": it was made with another key, or for another node, nonce or request");
  return peer_check{true, peer->name, ""};
}

size_t trust_store::cached_certificates() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->cache.size();
}

// ---------------------------------------------------------------- nonces and hashes

std::string random_nonce() {
  unsigned char buf[32];
  if (RAND_bytes(buf, sizeof buf) != 1) {
    std::string why = openssl_errors();
    throw std::runtime_error("no random bytes for a nonce: " + why);
  }
  return hex(buf, sizeof buf);
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    std::string why = openssl_errors();
    throw std::runtime_error("SHA-256 failed: " + why);
  }
  return hex(md, len);
}

nonce_book::nonce_book(std::chrono::milliseconds ttl, size_t capacity)
    : ttl_(ttl), capacity_(std::max<size_t>(capacity, 1)) {}

std::string nonce_book::issue(clock::time_point now) {
  drop_expired(now);
  while (issued_.size() >= capacity_) {  // full: the oldest goes
    issued_.erase(order_.front());
    order_.pop_front();
  }
  std::string nonce = random_nonce();
  order_.push_back(nonce);
  issued_.emplace(nonce, entry{now, std::prev(order_.end())});
  return nonce;
}

bool nonce_book::redeem(const std::string& nonce, clock::time_point now) {
  auto it = issued_.find(nonce);
  if (it == issued_.end()) return false;
  bool fresh = now - it->second.issued <= ttl_;
  order_.erase(it->second.order);
  issued_.erase(it);  // redeemed or expired: either way never again
  return fresh;
}

// Issue order is time order (callers of the time-point overloads pass
// non-decreasing times), so expired nonces are at the front.
void nonce_book::drop_expired(clock::time_point now) {
  while (!order_.empty()) {
    auto it = issued_.find(order_.front());
    if (now - it->second.issued <= ttl_) return;
    issued_.erase(it);
    order_.pop_front();
  }
}

}  // namespace runner
