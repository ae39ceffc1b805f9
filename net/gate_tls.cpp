#include "net/gate_tls.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace runner {

std::string take_ssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out;
}

ssl_ctx_ptr make_gate_ssl_ctx(const gate_tls_files& files) {
  ERR_clear_error();
  ssl_ctx_ptr ctx(SSL_CTX_new(TLS_method()));
  if (!ctx)
    throw std::runtime_error("cannot create a TLS context: " + take_ssl_errors());
  auto fail = [&](const std::string& what, const std::string& file) {
    throw std::runtime_error("cannot load " + what + " `" + file + "`: " + take_ssl_errors());
  };
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), files.cert.c_str()) != 1)
    fail("the certificate", files.cert);
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), files.key.c_str(), SSL_FILETYPE_PEM) != 1)
    fail("the private key", files.key);
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    fail("a key that matches the certificate", files.key);
  if (SSL_CTX_load_verify_locations(ctx.get(), files.ca.c_str(), nullptr) != 1)
    fail("the CA certificates", files.ca);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // Both sides must present a certificate of the mesh CA.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_cipher_list(ctx.get(), "HIGH:!aNULL:!MD5");
  // Bounds what a peer can make OpenSSL hold during the handshake (a chain
  // of mesh certificates is a few KiB).
  SSL_CTX_set_max_cert_list(ctx.get(), 64 * 1024);
  // Connections are long-lived and cached; tickets would only cost bytes.
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                  SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

std::string explain_tls_failure(const std::string& text) {
  auto has = [&](const char* s) { return text.find(s) != std::string::npos; };
  if (has("alert unknown ca") || has("alert bad certificate") ||
      has("alert certificate required") || has("alert certificate unknown") ||
      has("alert decrypt error"))
    return "the peer refused this runner's certificate (" + text +
           "): it must be signed by a CA in the peer's tls.ca";
  if (has("alert certificate expired"))
    return "the peer refused this runner's certificate as expired (" + text + ")";
  if (has("certificate verify failed"))
    return "the peer's certificate does not verify against this runner's tls.ca (" + text + ")";
  if (has("peer did not return a certificate"))
    return "the peer presented no certificate (" + text +
           "): every mesh runner needs a tls: section with a certificate of the mesh CA";
  if (has("wrong version number") || has("packet length too long") || has("http request") ||
      has("record layer failure"))
    return "the peer does not speak TLS (" + text + "): is it a `tls: off` runner?";
  return text;
}

std::string peer_common_name(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert)
    return {};
  std::string out;
  X509_NAME* name = X509_get_subject_name(cert);
  int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i >= 0) {
    ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    out.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
               static_cast<size_t>(ASN1_STRING_length(s)));
  }
  X509_free(cert);
  return out;
}

}  // namespace runner
