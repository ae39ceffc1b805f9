// A node proves its hello: whoever answers cannot hand out another node's
// name and nonce (the request signed for it could be replayed there).
#include <gtest/gtest.h>

#include <filesystem>

#include "net/remote_call.hpp"
#include "tests/support/test_pki.hpp"

namespace runner {
namespace {

struct pki_dir {
  std::string path;
  std::unique_ptr<test::test_pki> pki;
  pki_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "runner-hello-XXXXXX").string();
    path = mkdtemp(tmpl.data());
    pki = std::make_unique<test::test_pki>(path);
  }
  ~pki_dir() { std::filesystem::remove_all(path); }
  std::shared_ptr<const tls_identity> identity(const std::string& cn) {
    auto leaf = pki->make_leaf(cn);
    auto loaded = load_tls_identity(leaf.cert, leaf.key, pki->ca_cert());
    EXPECT_TRUE(loaded.identity) << loaded.error;
    return loaded.identity;
  }
};

hello_reply signed_hello(const tls_identity& id, const std::string& claimed,
                         const std::string& challenge) {
  hello_reply h;
  h.node = claimed;
  h.nonce = random_nonce();
  h.cert_pem = identity_cert_pem(id);
  h.signature = sign_proof(id, claimed, h.nonce, hello_subject(challenge));
  return h;
}

TEST(Hello, AHelloSignedByTheNodeItNamesIsAccepted) {
  pki_dir d;
  call_env env;
  env.trust = trust_store::load(d.pki->ca_cert()).first;
  auto b = d.identity("node-b");
  auto challenge = hello_challenge();
  EXPECT_EQ(check_hello(env, signed_hello(*b, "node-b", challenge), challenge, "node-b"), "");
}

TEST(Hello, ANodeCannotHandOutAnotherNodesNameOrAnOldAnswer) {
  pki_dir d;
  call_env env;
  env.trust = trust_store::load(d.pki->ca_cert()).first;
  auto m = d.identity("node-m");
  auto challenge = hello_challenge();
  // node-m claims to be node-v (to get a request signed for node-v).
  auto why = check_hello(env, signed_hello(*m, "node-v", challenge), challenge, "10.0.0.1:7700");
  EXPECT_NE(why, "");
  // An answer to another challenge (a recorded hello) does not count.
  auto old = signed_hello(*m, "node-m", hello_challenge());
  EXPECT_NE(check_hello(env, old, challenge, "10.0.0.1:7700"), "");
  // Nor does an unsigned one, or one from another CA.
  hello_reply bare{wire_version, "node-m", random_nonce(), {}, {}};
  EXPECT_NE(check_hello(env, bare, challenge, "10.0.0.1:7700"), "");
  auto other = d.pki->make_leaf("node-m", test::key_kind::ec_p256, true);
  auto stranger = load_tls_identity(other.cert, other.key, d.pki->other_ca_cert());
  ASSERT_TRUE(stranger.identity) << stranger.error;
  EXPECT_NE(check_hello(env, signed_hello(*stranger.identity, "node-m", challenge), challenge,
                        "10.0.0.1:7700"), "");
}

TEST(Hello, APeerNameMustBeTheNodeThatAnswers) {
  pki_dir d;
  call_env env;
  env.trust = trust_store::load(d.pki->ca_cert()).first;
  auto c = d.identity("node-c");
  auto challenge = hello_challenge();
  // A properly signed hello from node-c at the address configured for node-b.
  auto why = check_hello(env, signed_hello(*c, "node-c", challenge), challenge, "node-b");
  EXPECT_NE(why.find("says it is `node-c`"), std::string::npos) << why;
}

TEST(Hello, WithTlsOffNothingIsProvenAndNothingChecked) {
  call_env env;  // no trust store: `tls: off`, loopback only
  hello_reply bare{wire_version, "node-b", random_nonce(), {}, {}};
  EXPECT_EQ(check_hello(env, bare, hello_challenge(), "node-b"), "");
}

}  // namespace
}  // namespace runner
