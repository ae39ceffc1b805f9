#pragma once
// A throwaway PKI for tests, made with the OpenSSL C API (no openssl CLI): a CA,
// a second unrelated ("wrong") CA, and leaf certificates usable as TLS server and
// client certificates (CAF's openssl module, TLS 1.3, chain verified against the
// cafile). Everything is written as PEM files into one directory; keys are 0600.
#include <string>

namespace runner::test {

enum class key_kind { ec_p256, rsa_2048, ed25519 };

struct leaf {
  std::string cert;  // path of the certificate PEM
  std::string key;   // path of the unencrypted private key PEM (PKCS#8)
};

class test_pki {
 public:
  // Creates `dir` if needed and a trusted CA in it (CN "runner test CA").
  explicit test_pki(std::string dir);

  const std::string& dir() const { return dir_; }
  std::string ca_cert() const;        // path of the trusted CA's certificate
  std::string ca_key() const;         // path of its key
  std::string other_ca_cert() const;  // path of the wrong CA's certificate (made on first use)

  // (Re)creates the trusted CA with subject CN=`name`, replacing ca.crt/ca.key.
  // Leaves made before keep the old CA's signature.
  void make_ca(const std::string& name);

  // A leaf with subject CN=`cn`, SAN IP:127.0.0.1, DNS:localhost, DNS:`cn`,
  // extendedKeyUsage serverAuth+clientAuth, valid for a day (or expired since
  // yesterday), signed by the trusted CA or by the wrong one. Files are named
  // after the CN and the variant; a name already taken gets a numeric suffix, so
  // earlier files are never overwritten.
  leaf make_leaf(const std::string& cn, key_kind kind = key_kind::ec_p256, bool signed_by_other_ca = false,
                 bool expired = false);

  // Writes `key_file` (any key PEM) encrypted with AES-256-CBC under `passphrase` to `out`.
  static void write_encrypted_key(const std::string& key_file, const std::string& out,
                                  const std::string& passphrase);

 private:
  void make_other_ca();
  std::string unused_stem(const std::string& base) const;

  std::string dir_;
  bool have_other_ca_ = false;
};

}  // namespace runner::test
