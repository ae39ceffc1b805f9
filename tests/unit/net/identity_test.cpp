#include "net/identity.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/test_pki.hpp"

namespace runner {
namespace {

using test::key_kind;
using test::leaf;
using test::test_pki;

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "in: " << (haystack)

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_all(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Signs like sign_proof, but straight from a key file: for keys whose
// certificate load_tls_identity rightly refuses (expired, other CA).
std::string sign_with_key_file(const std::string& key_file, const std::string& message) {
  FILE* f = fopen(key_file.c_str(), "r");
  EVP_PKEY* key = f ? PEM_read_PrivateKey(f, nullptr, nullptr, nullptr) : nullptr;
  if (f) fclose(f);
  if (!key) return "";
  const EVP_MD* md = EVP_PKEY_is_a(key, "ED25519") ? nullptr : EVP_sha256();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig;
  auto* m = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_DigestSignInit(ctx, nullptr, md, nullptr, key) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, m, message.size()) == 1) {
    sig.resize(len);
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, m, message.size()) == 1)
      sig.resize(len);
    else
      sig.clear();
  }
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return sig;
}

class Identity : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "runner-identity-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    pki_ = std::make_unique<test_pki>(dir_ + "/pki");
  }
  void TearDown() override {
    pki_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    // Every call must leave OpenSSL's per-thread error queue empty (TLS on the
    // same thread would otherwise see stale errors).
    EXPECT_EQ(ERR_peek_error(), 0ul);
  }

  std::shared_ptr<const tls_identity> load(const leaf& l) {
    identity_load r = load_tls_identity(l.cert, l.key, pki_->ca_cert());
    EXPECT_EQ(r.error, "");
    return r.identity;
  }

  std::shared_ptr<trust_store> store() {
    auto [s, error] = trust_store::load(pki_->ca_cert());
    EXPECT_EQ(error, "");
    return s;
  }

  std::string dir_;
  std::unique_ptr<test_pki> pki_;
};

// ------------------------------------------------------------ load_tls_identity

TEST_F(Identity, LoadsAGoodIdentity) {
  leaf a = pki_->make_leaf("node-a");
  identity_load r = load_tls_identity(a.cert, a.key, pki_->ca_cert());
  ASSERT_TRUE(r.identity) << r.error;
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(identity_name(*r.identity), "node-a");
  EXPECT_EQ(identity_cert_pem(*r.identity).rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
}

TEST_F(Identity, KeyFilesAreWrittenPrivate) {
  leaf a = pki_->make_leaf("node-a");
  auto perms = std::filesystem::status(a.key).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(Identity, LoadsRsaAndEd25519Identities) {
  for (key_kind kind : {key_kind::rsa_2048, key_kind::ed25519}) {
    auto id = load(pki_->make_leaf("node-b", kind));
    ASSERT_TRUE(id);
    EXPECT_EQ(identity_name(*id), "node-b");
  }
}

TEST_F(Identity, MissingFilesAreNamed) {
  leaf a = pki_->make_leaf("node-a");
  std::string nowhere = dir_ + "/nowhere.pem";

  identity_load r = load_tls_identity(nowhere, a.key, pki_->ca_cert());
  EXPECT_FALSE(r.identity);
  EXPECT_HAS(r.error, "tls.cert " + nowhere + " does not exist");

  r = load_tls_identity(a.cert, nowhere, pki_->ca_cert());
  EXPECT_HAS(r.error, "tls.key " + nowhere + " does not exist");

  r = load_tls_identity(a.cert, a.key, nowhere);
  EXPECT_HAS(r.error, "tls.ca " + nowhere + " does not exist");

  r = load_tls_identity(dir_, a.key, pki_->ca_cert());
  EXPECT_HAS(r.error, "is a directory");
}

TEST_F(Identity, KeyOfAnotherCertificateIsRefused) {
  leaf a = pki_->make_leaf("node-a");
  leaf b = pki_->make_leaf("node-b");
  identity_load r = load_tls_identity(a.cert, b.key, pki_->ca_cert());
  EXPECT_FALSE(r.identity);
  EXPECT_HAS(r.error, "tls.key " + b.key + " does not belong to certificate " + a.cert +
                         ": its public half differs from the certificate's");
  // No key material in messages: not a single base64 line of the key file.
  std::istringstream key_lines(read_all(b.key));
  for (std::string line; std::getline(key_lines, line);)
    if (line.rfind("-----", 0) != 0) {
      EXPECT_EQ(r.error.find(line), std::string::npos);
    }
}

TEST_F(Identity, KeyOfAnotherTypeIsRefused) {
  leaf a = pki_->make_leaf("node-a");
  leaf b = pki_->make_leaf("node-b", key_kind::rsa_2048);
  identity_load r = load_tls_identity(a.cert, b.key, pki_->ca_cert());
  EXPECT_FALSE(r.identity);
  EXPECT_HAS(r.error, "does not belong to certificate " + a.cert + ": it is an RSA key, the certificate holds an EC key");
}

TEST_F(Identity, CertificateFromAnotherCaIsRefused) {
  leaf a = pki_->make_leaf("node-a", key_kind::ec_p256, /*signed_by_other_ca=*/true);
  identity_load r = load_tls_identity(a.cert, a.key, pki_->ca_cert());
  EXPECT_FALSE(r.identity);
  EXPECT_HAS(r.error, "tls.cert " + a.cert + " was not issued by the CA in " + pki_->ca_cert());
  // ...and is fine with the CA that did issue it.
  EXPECT_TRUE(load_tls_identity(a.cert, a.key, pki_->other_ca_cert()).identity);
}

TEST_F(Identity, ExpiredCertificateIsRefused) {
  leaf a = pki_->make_leaf("node-a", key_kind::ec_p256, false, /*expired=*/true);
  identity_load r = load_tls_identity(a.cert, a.key, pki_->ca_cert());
  EXPECT_FALSE(r.identity);
  EXPECT_HAS(r.error, "tls.cert " + a.cert + " expired on ");
  EXPECT_HAS(r.error, "issue a new certificate");
}

TEST_F(Identity, FilesThatAreNotPemAreRefused) {
  leaf a = pki_->make_leaf("node-a");
  std::string junk = dir_ + "/junk.pem";
  write_all(junk, "this is not PEM\n");

  identity_load r = load_tls_identity(junk, a.key, pki_->ca_cert());
  EXPECT_HAS(r.error, "tls.cert " + junk + " is not a PEM certificate");
  r = load_tls_identity(a.cert, junk, pki_->ca_cert());
  EXPECT_HAS(r.error, "tls.key " + junk + " is not a PEM private key");
  r = load_tls_identity(a.cert, a.key, junk);
  EXPECT_HAS(r.error, "tls.ca " + junk + " is not a PEM certificate");

  // Swapped: the key where the certificate belongs, and the other way round.
  r = load_tls_identity(a.key, a.cert, pki_->ca_cert());
  EXPECT_HAS(r.error, "tls.cert " + a.key + " holds a private key, not a certificate; are tls.cert and tls.key swapped?");
  r = load_tls_identity(a.cert, a.cert, pki_->ca_cert());
  EXPECT_HAS(r.error, "tls.key " + a.cert + " holds a certificate, not a private key");
  // The key file's text must not leak into the message about it.
  EXPECT_EQ(r.error.find(read_all(a.cert).substr(28, 40)), std::string::npos);

  std::string broken_key = dir_ + "/broken.key";
  write_all(broken_key, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  r = load_tls_identity(a.cert, broken_key, pki_->ca_cert());
  EXPECT_HAS(r.error, "tls.key " + broken_key + " holds a private key OpenSSL cannot parse");

  std::string empty = dir_ + "/empty.pem";
  write_all(empty, "");
  r = load_tls_identity(empty, a.key, pki_->ca_cert());
  EXPECT_HAS(r.error, "is empty");

  std::string broken = dir_ + "/broken.pem";
  write_all(broken, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  r = load_tls_identity(broken, a.key, pki_->ca_cert());
  EXPECT_HAS(r.error, "OpenSSL cannot parse");
}

TEST_F(Identity, EncryptedKeyIsRefusedWithoutPrompting) {
  leaf a = pki_->make_leaf("node-a");
  std::string locked = dir_ + "/locked.key";
  test_pki::write_encrypted_key(a.key, locked, "secret passphrase");
  identity_load r = load_tls_identity(a.cert, locked, pki_->ca_cert());
  EXPECT_FALSE(r.identity);
  EXPECT_HAS(r.error, "tls.key " + locked + " is encrypted");
  EXPECT_EQ(r.error.find("secret passphrase"), std::string::npos);
}

// ------------------------------------------------------------ proofs

TEST(ProofStatement, IsDomainSeparated) {
  EXPECT_EQ(proof_statement("node-a", "n1", "h1"), "runner-request-v1\nnode-a\nn1\nh1");
}

TEST_F(Identity, SignedProofVerifiesForEveryKeyKind) {
  auto trust = store();
  for (key_kind kind : {key_kind::ec_p256, key_kind::rsa_2048, key_kind::ed25519}) {
    auto id = load(pki_->make_leaf("submitter", kind));
    ASSERT_TRUE(id);
    std::string nonce = random_nonce();
    std::string sig = sign_proof(*id, "node-a", nonce, sha256_hex("request"));
    peer_check c = trust->check_proof(identity_cert_pem(*id), "node-a", nonce, sha256_hex("request"), sig);
    EXPECT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.name, "submitter");
    EXPECT_EQ(c.error, "");
  }
}

class Proof : public Identity {
 protected:
  void SetUp() override {
    Identity::SetUp();
    trust_ = store();
    id_ = load(pki_->make_leaf("node-b"));
    ASSERT_TRUE(id_);
    pem_ = identity_cert_pem(*id_);
    nonce_ = random_nonce();
    hash_ = sha256_hex("group document");
    sig_ = sign_proof(*id_, "node-a", nonce_, hash_);
  }

  // Checks a proof that must be refused; returns the reason.
  std::string refused(const std::string& pem, const std::string& node, const std::string& nonce,
                      const std::string& hash, const std::string& sig) {
    peer_check c = trust_->check_proof(pem, node, nonce, hash, sig);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.name, "");
    EXPECT_NE(c.error, "");
    return c.error;
  }

  std::shared_ptr<trust_store> trust_;
  std::shared_ptr<const tls_identity> id_;
  std::string pem_, nonce_, hash_, sig_;
};

TEST_F(Proof, TheHonestProofPasses) {
  peer_check c = trust_->check_proof(pem_, "node-a", nonce_, hash_, sig_);
  EXPECT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.name, "node-b");
}

TEST_F(Proof, WrongNodeNonceOrHashIsRefused) {
  EXPECT_HAS(refused(pem_, "node-c", nonce_, hash_, sig_), "signature does not verify with the key of certificate CN=node-b");
  EXPECT_HAS(refused(pem_, "node-a", random_nonce(), hash_, sig_), "signature does not verify");
  EXPECT_HAS(refused(pem_, "node-a", nonce_, sha256_hex("another document"), sig_), "signature does not verify");
}

TEST_F(Proof, TamperedSignatureIsRefused) {
  for (size_t i : {size_t(0), sig_.size() / 2, sig_.size() - 1}) {
    std::string bad = sig_;
    bad[i] ^= 0x01;
    EXPECT_HAS(refused(pem_, "node-a", nonce_, hash_, bad), "signature does not verify");
  }
  EXPECT_HAS(refused(pem_, "node-a", nonce_, hash_, sig_.substr(0, sig_.size() - 1)), "signature does not verify");
  EXPECT_HAS(refused(pem_, "node-a", nonce_, hash_, sig_ + "x"), "signature does not verify");
}

TEST_F(Proof, EmptyOrHugeSignatureIsRefused) {
  EXPECT_HAS(refused(pem_, "node-a", nonce_, hash_, ""), "carries no signature");
  EXPECT_HAS(refused(pem_, "node-a", nonce_, hash_, std::string(kMaxProofSignature + 1, 'x')),
             "more than the 1024 allowed");
}

TEST_F(Proof, CertificateFromAnotherCaIsRefused) {
  leaf other = pki_->make_leaf("node-b", key_kind::ec_p256, /*signed_by_other_ca=*/true);
  std::string sig = sign_with_key_file(other.key, proof_statement("node-a", nonce_, hash_));
  ASSERT_FALSE(sig.empty());
  std::string why = refused(read_all(other.cert), "node-a", nonce_, hash_, sig);
  EXPECT_HAS(why, "the peer certificate was not issued by the CA this node trusts");
  EXPECT_EQ(why.find(dir_), std::string::npos) << "a peer need not learn this node's paths: " << why;
}

TEST_F(Proof, ExpiredCertificateIsRefused) {
  leaf old = pki_->make_leaf("node-b", key_kind::ec_p256, false, /*expired=*/true);
  std::string sig = sign_with_key_file(old.key, proof_statement("node-a", nonce_, hash_));
  ASSERT_FALSE(sig.empty());
  EXPECT_HAS(refused(read_all(old.cert), "node-a", nonce_, hash_, sig), "the peer certificate expired on ");
}

TEST_F(Proof, AnotherLeafsCertificateWithItsOwnValidSignatureIsRefused) {
  // node-c signs honestly with its own key but presents node-b's certificate.
  leaf c = pki_->make_leaf("node-c");
  auto c_id = load(c);
  ASSERT_TRUE(c_id);
  std::string c_sig = sign_proof(*c_id, "node-a", nonce_, hash_);
  EXPECT_TRUE(trust_->check_proof(identity_cert_pem(*c_id), "node-a", nonce_, hash_, c_sig).ok);
  EXPECT_HAS(refused(pem_, "node-a", nonce_, hash_, c_sig), "made with another key");
}

TEST_F(Proof, GarbageCertificatesAreRefused) {
  EXPECT_HAS(refused("", "node-a", nonce_, hash_, sig_), "carries no certificate");
  EXPECT_HAS(refused("garbage", "node-a", nonce_, hash_, sig_), "is not a PEM certificate");
  EXPECT_HAS(refused(std::string("\0\xff\x01-----BEGIN", 11), "node-a", nonce_, hash_, sig_), "not a PEM certificate");
  EXPECT_HAS(refused("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "node-a", nonce_, hash_, sig_),
             "cannot parse");
  EXPECT_HAS(refused(pem_.substr(0, pem_.size() / 2), "node-a", nonce_, hash_, sig_), "the peer certificate");
  // A private key is not a certificate.
  EXPECT_HAS(refused(read_all(pki_->make_leaf("x").key), "node-a", nonce_, hash_, sig_),
             "the peer certificate holds a private key, not a certificate");
}

TEST_F(Proof, HugeCertificateIsRefusedBeforeParsing) {
  std::string huge = pem_ + std::string(kMaxPeerCertPem, '\n');
  EXPECT_HAS(refused(huge, "node-a", nonce_, hash_, sig_), "more than the 65536 allowed");
  EXPECT_HAS(refused(std::string(10 * 1024 * 1024, 'A'), "node-a", nonce_, hash_, sig_), "more than the 65536 allowed");
}

TEST_F(Proof, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  auto random_bytes = [&](size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
  };
  for (int i = 0; i < 200; ++i) {
    std::string pem = i % 2 ? random_bytes(rng() % 4096)
                            : "-----BEGIN CERTIFICATE-----\n" + random_bytes(rng() % 2048) + "\n-----END CERTIFICATE-----\n";
    std::string sig = random_bytes(1 + rng() % kMaxProofSignature);
    peer_check c = trust_->check_proof(pem, "node-a", nonce_, hash_, sig);
    EXPECT_FALSE(c.ok);
    // A random signature with the real certificate is refused as well.
    EXPECT_FALSE(trust_->check_proof(pem_, "node-a", nonce_, hash_, sig).ok);
  }
}

TEST_F(Proof, MutatedCertificatesNeverPassAsSomeoneElse) {
  // Change one base64 character of the real certificate at a time. A change may
  // at most leave the decoded bytes alone (padding bits); it never yields a
  // different identity.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t begin = pem_.find('\n') + 1, end = pem_.find("-----END");
  for (size_t i = begin; i < end; i += 3) {
    if (pem_[i] == '\n') continue;
    std::string mutated = pem_;
    mutated[i] = alphabet[(alphabet.find(pem_[i]) + 17) % alphabet.size()];
    peer_check c = trust_->check_proof(mutated, "node-a", nonce_, hash_, sig_);
    if (c.ok) {
      EXPECT_EQ(c.name, "node-b");
    }
  }
}

TEST_F(Proof, NewlinesCannotShiftFieldsAcrossTheStatement) {
  EXPECT_HAS(refused(pem_, "node-a\n" + nonce_, "", hash_, sig_), "contains a newline");
  EXPECT_THROW(sign_proof(*id_, "node-a\nx", nonce_, hash_), std::invalid_argument);
}

TEST_F(Proof, TrailingIntermediatesAreAcceptedButNotRequired) {
  // The CA certificate after the leaf is a (redundant) chain element.
  std::string with_chain = pem_ + read_all(pki_->ca_cert());
  peer_check c = trust_->check_proof(with_chain, "node-a", nonce_, hash_, sig_);
  EXPECT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.name, "node-b");
}

TEST_F(Proof, VerifiedCertificatesAreCachedButExpiryIsRechecked) {
  ASSERT_TRUE(trust_->check_proof(pem_, "node-a", nonce_, hash_, sig_).ok);
  ASSERT_TRUE(trust_->check_proof(pem_, "node-a", nonce_, hash_, sig_).ok);
  EXPECT_EQ(trust_->cached_certificates(), 1u);
  // A failed signature does not evict the certificate, and garbage is not cached.
  refused(pem_, "node-x", nonce_, hash_, sig_);
  refused("garbage", "node-a", nonce_, hash_, sig_);
  EXPECT_EQ(trust_->cached_certificates(), 1u);

  // test_pki leaves are valid for 30 days: a year later the cached entry must not help.
  std::time_t later = std::time(nullptr) + 365 * 24 * 3600;
  peer_check c = trust_->check_proof_at(later, pem_, "node-a", nonce_, hash_, sig_);
  EXPECT_FALSE(c.ok);
  EXPECT_HAS(c.error, "expired on");
}

TEST_F(Proof, CacheIsBounded) {
  // More distinct peers than the cache holds: the oldest entries go.
  for (int i = 0; i < 270; ++i) {
    leaf li = pki_->make_leaf("peer-" + std::to_string(i));
    std::string sig = sign_with_key_file(li.key, proof_statement("node-a", nonce_, hash_));
    ASSERT_TRUE(trust_->check_proof(read_all(li.cert), "node-a", nonce_, hash_, sig).ok);
  }
  EXPECT_LE(trust_->cached_certificates(), 256u);
  EXPECT_GE(trust_->cached_certificates(), 200u);
}

TEST_F(Proof, ManyThreadsMayCheckAtOnce) {
  leaf c = pki_->make_leaf("node-c", key_kind::ed25519);
  auto c_id = load(c);
  ASSERT_TRUE(c_id);
  std::string c_sig = sign_proof(*c_id, "node-a", nonce_, hash_);
  std::atomic<int> good{0}, bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        bool b = (i + t) % 2;
        peer_check r = trust_->check_proof(b ? pem_ : identity_cert_pem(*c_id), "node-a", nonce_, hash_,
                                           b ? sig_ : c_sig);
        (r.ok ? good : bad)++;
        if (trust_->check_proof(pem_, "node-a", nonce_, hash_, c_sig).ok) bad++;
        if (ERR_peek_error() != 0) bad++;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(good, 400);
  EXPECT_EQ(bad, 0);
}

TEST_F(Identity, TrustStoreLoadErrors) {
  auto [none, error] = trust_store::load(dir_ + "/missing-ca.crt");
  EXPECT_FALSE(none);
  EXPECT_HAS(error, "tls.ca " + dir_ + "/missing-ca.crt does not exist");
  write_all(dir_ + "/junk.crt", "junk");
  auto [junk, junk_error] = trust_store::load(dir_ + "/junk.crt");
  EXPECT_FALSE(junk);
  EXPECT_HAS(junk_error, "is not a PEM certificate");
}

// ------------------------------------------------------------ nonces and hashes

TEST(Nonce, IsRandomHex) {
  std::string a = random_nonce(), b = random_nonce();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

TEST(Sha256, KnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(NonceBook, RedeemsOnce) {
  nonce_book book;
  std::string n = book.issue();
  EXPECT_TRUE(book.redeem(n));
  EXPECT_FALSE(book.redeem(n));
  EXPECT_EQ(book.outstanding(), 0u);
}

TEST(NonceBook, RefusesUnknownNonces) {
  nonce_book book;
  book.issue();
  EXPECT_FALSE(book.redeem(random_nonce()));
  EXPECT_FALSE(book.redeem(""));
  EXPECT_EQ(book.outstanding(), 1u);
}

TEST(NonceBook, RefusesExpiredNonces) {
  using namespace std::chrono_literals;
  nonce_book book(60s);
  auto t0 = nonce_book::clock::now();
  std::string fresh = book.issue(t0);
  std::string stale = book.issue(t0);
  EXPECT_TRUE(book.redeem(fresh, t0 + 60s));  // the ttl itself is still in time
  EXPECT_FALSE(book.redeem(stale, t0 + 61s));
  EXPECT_FALSE(book.redeem(stale, t0 + 1s));  // a refused nonce is gone for good
}

TEST(NonceBook, ExpiredNoncesAreDroppedWhenIssuing) {
  using namespace std::chrono_literals;
  nonce_book book(10s);
  auto t0 = nonce_book::clock::now();
  for (int i = 0; i < 5; ++i) book.issue(t0);
  EXPECT_EQ(book.outstanding(), 5u);
  std::string n = book.issue(t0 + 11s);
  EXPECT_EQ(book.outstanding(), 1u);
  EXPECT_TRUE(book.redeem(n, t0 + 12s));
}

TEST(NonceBook, CapacityDropsTheOldest) {
  using namespace std::chrono_literals;
  nonce_book book(60s, 3);
  auto t0 = nonce_book::clock::now();
  std::vector<std::string> n;
  for (int i = 0; i < 5; ++i) n.push_back(book.issue(t0 + std::chrono::seconds(i)));
  EXPECT_EQ(book.outstanding(), 3u);
  EXPECT_FALSE(book.redeem(n[0], t0 + 5s));
  EXPECT_FALSE(book.redeem(n[1], t0 + 5s));
  EXPECT_TRUE(book.redeem(n[2], t0 + 5s));
  EXPECT_TRUE(book.redeem(n[3], t0 + 5s));
  EXPECT_TRUE(book.redeem(n[4], t0 + 5s));
}

TEST(NonceBook, RedeemingInTheMiddleKeepsOrder) {
  using namespace std::chrono_literals;
  nonce_book book(60s, 2);
  auto t0 = nonce_book::clock::now();
  std::string a = book.issue(t0), b = book.issue(t0 + 1s);
  EXPECT_TRUE(book.redeem(a, t0 + 2s));
  std::string c = book.issue(t0 + 3s), d = book.issue(t0 + 4s);  // full again: b goes
  EXPECT_FALSE(book.redeem(b, t0 + 5s));
  EXPECT_TRUE(book.redeem(c, t0 + 5s));
  EXPECT_TRUE(book.redeem(d, t0 + 5s));
}

}  // namespace
}  // namespace runner
