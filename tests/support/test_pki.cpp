#include "tests/support/test_pki.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace runner::test {

namespace {

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
using bn_ptr = std::unique_ptr<BIGNUM, openssl_deleter<BN_free>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, openssl_deleter<X509_EXTENSION_free>>;

constexpr long kDay = 24 * 60 * 60;

[[noreturn]] void fail(const std::string& what) {
  std::string why;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    why += std::string(why.empty() ? "" : "; ") + buf;
  }
  throw std::runtime_error("test_pki: " + what + (why.empty() ? "" : ": " + why));
}

void check(int ok, const std::string& what) {
  if (ok != 1) fail(what);
}

pkey_ptr generate_key(key_kind kind) {
  EVP_PKEY* key = nullptr;
  switch (kind) {
    case key_kind::ec_p256: key = EVP_EC_gen("P-256"); break;
    case key_kind::rsa_2048: key = EVP_RSA_gen(2048); break;
    case key_kind::ed25519: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
  }
  if (!key) fail("generating a key");
  return pkey_ptr(key);
}

// Ed25519 signs without a separate digest; the others sign SHA-256.
const EVP_MD* signing_digest(EVP_PKEY* key) {
  return EVP_PKEY_is_a(key, "ED25519") ? nullptr : EVP_sha256();
}

// A random positive 127-bit serial: unique in practice, as RFC 5280 asks.
void set_random_serial(X509* cert) {
  unsigned char bytes[16];
  check(RAND_bytes(bytes, sizeof bytes), "random serial");
  bytes[0] &= 0x7f;
  bytes[0] |= 0x40;  // never a short serial
  bn_ptr bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert))) fail("setting the serial");
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ext_ptr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext) fail("building extension " + std::string(OBJ_nid2sn(nid)) + "=" + value);
  check(X509_add_ext(cert, ext.get(), -1), "adding an extension");
}

struct cert_request {
  std::string cn;
  EVP_PKEY* key = nullptr;         // the subject's key
  X509* issuer = nullptr;          // null: self-signed
  EVP_PKEY* issuer_key = nullptr;  // null: self-signed
  bool ca = false;
  bool expired = false;
};

x509_ptr build_certificate(const cert_request& r) {
  x509_ptr cert(X509_new());
  if (!cert) fail("X509_new");
  X509* x = cert.get();
  check(X509_set_version(x, X509_VERSION_3), "setting version 3");
  set_random_serial(x);
  if (r.expired) {  // valid from two days ago until yesterday
    X509_gmtime_adj(X509_getm_notBefore(x), -2 * kDay);
    X509_gmtime_adj(X509_getm_notAfter(x), -kDay);
  } else {  // an hour of slack for clocks that disagree a little
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), (r.ca ? 3650 : 30) * kDay);
  }
  check(X509_set_pubkey(x, r.key), "setting the public key");
  X509_NAME* name = X509_get_subject_name(x);
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(r.cn.c_str()), -1, -1, 0),
        "setting CN=" + r.cn);
  X509* issuer = r.issuer ? r.issuer : x;
  check(X509_set_issuer_name(x, X509_get_subject_name(issuer)), "setting the issuer");

  // The subject key id first: a self-signed CA's authority key id refers to it.
  add_extension(x, issuer, NID_subject_key_identifier, "hash");
  add_extension(x, issuer, NID_authority_key_identifier, "keyid:always");
  if (r.ca) {
    add_extension(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
    // RSA keys may also be used for key transport in TLS 1.2.
    add_extension(x, issuer, NID_key_usage,
                  EVP_PKEY_is_a(r.key, "RSA") ? "critical,digitalSignature,keyEncipherment"
                                              : "critical,digitalSignature");
    add_extension(x, issuer, NID_ext_key_usage, "serverAuth,clientAuth");
    add_extension(x, issuer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost,DNS:" + r.cn);
  }
  EVP_PKEY* signer = r.issuer_key ? r.issuer_key : r.key;
  if (X509_sign(x, signer, signing_digest(signer)) <= 0) fail("signing the certificate for CN=" + r.cn);
  return cert;
}

std::string memory_of(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string cert_pem(X509* cert) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(bio.get(), cert), "writing a certificate");
  return memory_of(bio.get());
}

std::string key_pem(EVP_PKEY* key, const EVP_CIPHER* cipher = nullptr, const std::string& pass = "") {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  auto* p = reinterpret_cast<unsigned char*>(const_cast<char*>(pass.c_str()));
  check(PEM_write_bio_PrivateKey(bio.get(), key, cipher, cipher ? p : nullptr, static_cast<int>(pass.size()),
                                 nullptr, nullptr),
        "writing a private key");
  return memory_of(bio.get());
}

// Writes with `mode` whatever the umask, also over an existing file.
void write_file(const std::string& path, const std::string& data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("test_pki: cannot write " + path + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0;
  for (size_t done = 0; ok && done < data.size();) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    done += ok ? static_cast<size_t>(n) : 0;
  }
  ok = (::close(fd) == 0) && ok;
  if (!ok) throw std::runtime_error("test_pki: writing " + path + " failed: " + std::strerror(errno));
}

void write_cert(const std::string& path, X509* cert) {
  write_file(path, cert_pem(cert), 0644);
}

void write_key(const std::string& path, EVP_PKEY* key) {
  write_file(path, key_pem(key), 0600);
}

x509_ptr read_cert(const std::string& path) {
  bio_ptr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) fail("opening " + path);
  x509_ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail("reading " + path);
  return cert;
}

pkey_ptr read_key(const std::string& path) {
  bio_ptr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) fail("opening " + path);
  pkey_ptr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) fail("reading " + path);
  return key;
}

void make_ca_files(const std::string& cn, const std::string& cert_path, const std::string& key_path) {
  pkey_ptr key = generate_key(key_kind::ec_p256);
  cert_request r;
  r.cn = cn;
  r.key = key.get();
  r.ca = true;
  x509_ptr cert = build_certificate(r);
  write_key(key_path, key.get());
  write_cert(cert_path, cert.get());
}

// File names follow the CN; anything but [A-Za-z0-9._-] becomes '_'.
std::string file_safe(const std::string& s) {
  std::string out = s.empty() ? "unnamed" : s;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
  return out;
}

}  // namespace

test_pki::test_pki(std::string dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  make_ca("runner test CA");
}

std::string test_pki::ca_cert() const {
  return dir_ + "/ca.crt";
}

std::string test_pki::ca_key() const {
  return dir_ + "/ca.key";
}

std::string test_pki::other_ca_cert() const {
  const_cast<test_pki*>(this)->make_other_ca();
  return dir_ + "/other-ca.crt";
}

void test_pki::make_ca(const std::string& name) {
  make_ca_files(name, ca_cert(), ca_key());
}

void test_pki::make_other_ca() {
  if (have_other_ca_) return;
  make_ca_files("unrelated test CA", dir_ + "/other-ca.crt", dir_ + "/other-ca.key");
  have_other_ca_ = true;
}

std::string test_pki::unused_stem(const std::string& base) const {
  std::string stem = dir_ + "/" + base;
  for (int n = 2; std::filesystem::exists(stem + ".crt") || std::filesystem::exists(stem + ".key"); ++n)
    stem = dir_ + "/" + base + "-" + std::to_string(n);
  return stem;
}

leaf test_pki::make_leaf(const std::string& cn, key_kind kind, bool signed_by_other_ca, bool expired) {
  if (signed_by_other_ca) make_other_ca();
  std::string ca_base = signed_by_other_ca ? dir_ + "/other-ca" : dir_ + "/ca";
  x509_ptr issuer = read_cert(ca_base + ".crt");
  pkey_ptr issuer_key = read_key(ca_base + ".key");

  pkey_ptr key = generate_key(kind);
  cert_request r;
  r.cn = cn;
  r.key = key.get();
  r.issuer = issuer.get();
  r.issuer_key = issuer_key.get();
  r.expired = expired;
  x509_ptr cert = build_certificate(r);

  std::string base = file_safe(cn);
  if (kind == key_kind::rsa_2048) base += "-rsa";
  if (kind == key_kind::ed25519) base += "-ed25519";
  if (signed_by_other_ca) base += "-other-ca";
  if (expired) base += "-expired";
  std::string stem = unused_stem(base);
  leaf out{stem + ".crt", stem + ".key"};
  write_key(out.key, key.get());
  write_cert(out.cert, cert.get());
  return out;
}

void test_pki::write_encrypted_key(const std::string& key_file, const std::string& out,
                                   const std::string& passphrase) {
  pkey_ptr key = read_key(key_file);
  write_file(out, key_pem(key.get(), EVP_aes_256_cbc(), passphrase), 0600);
}

}  // namespace runner::test
