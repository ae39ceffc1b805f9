#include "tests/support/vault_server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace runner::test {

namespace {

std::string make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/vault_api_server.XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
  return buf.data();
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

vault_server_process::vault_server_process(const std::string& binary, const vault_seed& seed,
                                           const vault_tls_files& tls, std::chrono::milliseconds start_limit)
    : dir_(make_temp_dir()), seed_file_(dir_ + "/seed.json") {
  std::ofstream(seed_file_) << seed.text;

  // O_CLOEXEC keeps our pipe ends out of every other child the test starts
  // (and out of this one: it gets them as 0 and 1 via dup2 only).
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    cleanup();
    throw std::runtime_error("pipe2: " + std::string(std::strerror(errno)));
  }
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    cleanup();
    throw std::runtime_error("pipe2: " + std::string(std::strerror(errno)));
  }
  std::vector<std::string> args{binary, "--seed", seed_file_};
  if (!tls.cert.empty()) args.insert(args.end(), {"--tls-cert", tls.cert, "--tls-key", tls.key});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  // Kept in a file so that a failed start can say why.
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (dir_ + "/stderr.log").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];
  if (rc != 0) {
    pid_ = -1;
    cleanup();
    throw std::runtime_error("cannot start " + binary + ": " + std::strerror(rc));
  }

  std::string printed;
  auto deadline = std::chrono::steady_clock::now() + start_limit;
  while (printed.find("vault_api_server ready\n") == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{stdout_fd_, POLLIN, 0};
    int n = left.count() > 0 ? poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (n < 0 && errno == EINTR) continue;
    char buf[1024];
    ssize_t got = n > 0 ? read(stdout_fd_, buf, sizeof buf) : 0;
    if (got <= 0) {
      std::string why = std::string(n == 0 ? "vault_api_server not ready in time" : "vault_api_server exited") +
                        "; stdout: " + printed;
      kill(pid_, SIGKILL);  // so that its stderr is complete
      wait_exit_code(pid_);
      pid_ = -1;
      std::ifstream err(dir_ + "/stderr.log");
      why += "; stderr: " + std::string(std::istreambuf_iterator<char>(err), {});
      cleanup();
      throw std::runtime_error(why);
    }
    printed.append(buf, static_cast<size_t>(got));
  }
  std::istringstream lines(printed);
  for (std::string line; std::getline(lines, line);) {
    const std::string prefix = "vault_api_server listening ";
    if (line.compare(0, prefix.size(), prefix) != 0) continue;
    std::string url = line.substr(prefix.size());
    (url.compare(0, 8, "https://") == 0 ? https_url_ : http_url_) = url;
  }
}

int vault_server_process::stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int code = wait_exit_code(pid_);
  pid_ = -1;
  return code;
}

vault_server_process::~vault_server_process() { cleanup(); }

void vault_server_process::cleanup() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    wait_exit_code(pid_);
    pid_ = -1;
  }
  for (int* fd : {&stdin_fd_, &stdout_fd_})
    if (*fd >= 0) {
      close(*fd);
      *fd = -1;
    }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
}

}  // namespace runner::test
