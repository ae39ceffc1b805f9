#pragma once
// Runs tests/vault_server's vault_api_server (a stand-in for Vault's HTTP API)
// for one test: writes the seed into a temporary directory, starts the server,
// waits for its "ready" line (reading its stdout with a deadline, no sleeping)
// and kills and reaps it, and removes the directory, when destroyed. The
// server's stdin is a pipe held here, so it also ends if this process dies.
#include <sys/types.h>

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace runner::test {

#ifdef VAULT_API_SERVER_BINARY
// Integration tests get the path from CMake (tests/CMakeLists.txt).
inline std::string vault_api_server_binary() { return VAULT_API_SERVER_BINARY; }
#endif

// The seed (format: tests/vault_server/README.md), as JSON or as raw text;
// raw text may be deliberately invalid.
struct vault_seed {
  vault_seed(const nlohmann::json& seed) : text(seed.dump(2)) {}
  vault_seed(std::string raw) : text(std::move(raw)) {}
  vault_seed(const char* raw) : text(raw) {}
  std::string text;
};

struct vault_tls_files {
  std::string cert;  // PEM server certificate (e.g. test_pki::make_leaf("127.0.0.1").cert)
  std::string key;   // its private key
};

class vault_server_process {
 public:
  // Throws std::runtime_error (with what the server printed) if it does not get
  // ready within `start_limit`. With `tls`, it serves HTTPS too.
  vault_server_process(const std::string& binary, const vault_seed& seed, const vault_tls_files& tls = {},
                       std::chrono::milliseconds start_limit = std::chrono::seconds(20));
  ~vault_server_process();
  vault_server_process(const vault_server_process&) = delete;
  vault_server_process& operator=(const vault_server_process&) = delete;

  const std::string& http_url() const { return http_url_; }    // "http://127.0.0.1:PORT"
  const std::string& https_url() const { return https_url_; }  // "" without TLS
  const std::string& seed_file() const { return seed_file_; }
  pid_t pid() const { return pid_; }

  // SIGTERM, then waits for it; returns the exit code (128+signal if killed).
  int stop();

 private:
  void cleanup();  // kill and reap, close the pipes, remove the directory

  std::string dir_, seed_file_, http_url_, https_url_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1, stdout_fd_ = -1;
};

}  // namespace runner::test
