#pragma once
// Real mesh nodes for integration tests: a temporary directory with a test PKI
// (made at test time), node configs, and `runner serve` processes listening on
// port 0 whose address is read from the line they print once they listen.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"
#include "tests/support/test_pki.hpp"

namespace runner::test {

class mesh_dir {
 public:
  mesh_dir();
  const std::string& path() const { return dir_.path(); }
  std::string file(const std::string& name) const { return dir_.file(name); }
  std::string write(const std::string& name, const std::string& text) const {
    return dir_.write(name, text);
  }
  test_pki& pki() { return *pki_; }

  // Writes `<file>` holding a node config for `name` with a certificate of the
  // test CA (made on first use), `listen: 127.0.0.1:0` if `listen`, and
  // `extra` appended verbatim (peers, accept, ...). Returns its path.
  std::string config(const std::string& name, const std::string& extra = "", bool listen = true,
                     std::string file = "");
  // The same with explicit tls lines (wrong CA, tls: off, ...).
  std::string config_with_tls(const std::string& name, const std::string& tls_yaml,
                              const std::string& extra, bool listen, const std::string& file);
  // The `tls: {cert, key, ca}` line (with newline) for `name`'s certificate of
  // the test CA, made on first use: for configs written by hand.
  std::string tls_yaml(const std::string& name);

 private:
  temp_dir dir_;
  std::unique_ptr<test_pki> pki_;
};

// `runner serve --config F`, its output in files next to the config.
class node_process {
 public:
  explicit node_process(const std::string& config,
                        const std::vector<std::string>& extra_args = {})
      : node_process({}, config, "127.0.0.1", extra_args) {}
  ~node_process();  // SIGKILL and reap if still running

  bool started() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  std::string address() const { return host_ + ":" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  std::string output() const;  // stdout + stderr so far
  void signal(int signo);
  int wait_exit(std::chrono::milliseconds limit = std::chrono::seconds(30));  // exit code

 protected:
  // `prefix` comes before the runner binary on the command line (it must exec
  // the runner in place, so pid() stays the node's own); `host` is the address
  // the config listens on, read back with the port from the node's
  // "listening on HOST:PORT" line.
  node_process(const std::vector<std::string>& prefix, const std::string& config,
               const std::string& host, const std::vector<std::string>& extra_args);

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string host_, out_file_, err_file_;
};

// `runner serve --config F` inside the network namespace `netns`, started as
// `IP netns exec NETNS runner ...` (iproute2 execs the runner in place). The
// node listens on `host`, a non-loopback address of that namespace.
class node_process_in_netns : public node_process {
 public:
  node_process_in_netns(const std::string& ip, const std::string& netns, const std::string& config,
                        const std::string& host, const std::vector<std::string>& extra_args = {})
      : node_process({ip, "netns", "exec", netns}, config, host, extra_args) {}
};

// The full path of an executable named `name`, searched in PATH and then in
// /usr/sbin, /sbin, /usr/bin and /bin (root tools are often outside a user's PATH).
// Empty if there is none.
std::string find_program(const std::string& name);

// `runner serve --config F` with at most `max_fds` open file descriptors
// (`prlimit --nofile=N:N` execs the runner in place).
class node_process_with_fd_limit : public node_process {
 public:
  node_process_with_fd_limit(const std::string& config, int max_fds)
      : node_process({find_program("prlimit"), "--nofile=" + std::to_string(max_fds) + ":" +
                                     std::to_string(max_fds)},
                     config, "127.0.0.1", {}) {}
};


std::string runnerctl_binary();

// Runs runnerctl with `args`.
run_output run_runnerctl(const std::vector<std::string>& args,
                         std::chrono::milliseconds limit = std::chrono::seconds(60));

// An `accept:` section letting `from` run os_exec tasks.
std::string accept_all(const std::string& from = "*");

bool contains(const std::string& text, const std::string& part);

double seconds_since(std::chrono::steady_clock::time_point t0);

// A group of one task that writes `marker`; sent whole with --to.
std::string marker_group(mesh_dir& m, const std::string& file, const std::string& marker);

// Sends a small group with --to as `config` and expects it to run on `node`
// (which must be named node-b).
void expect_node_serves(mesh_dir& m, const node_process& node, const std::string& config,
                        const std::string& tag);

// A TCP port on 127.0.0.1 that nothing listens on (bound, then closed).
uint16_t closed_port();

}  // namespace runner::test
