#include "mesh_harness.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

extern char** environ;

namespace runner::test {

mesh_dir::mesh_dir() : pki_(std::make_unique<test_pki>(dir_.path() + "/pki")) {}

std::string mesh_dir::config(const std::string& name, const std::string& extra, bool listen,
                             std::string file) {
  std::string stem = pki().dir() + "/" + name;
  if (!std::filesystem::exists(stem + ".crt"))
    pki().make_leaf(name);
  std::string tls = "tls: {cert: " + stem + ".crt, key: " + stem + ".key, ca: " + pki().ca_cert() +
                    "}\n";
  return config_with_tls(name, tls, extra, listen, file);
}

std::string mesh_dir::tls_yaml(const std::string& name) {
  std::string stem = pki().dir() + "/" + name;
  if (!std::filesystem::exists(stem + ".crt"))
    pki().make_leaf(name);
  return "tls: {cert: " + stem + ".crt, key: " + stem + ".key, ca: " + pki().ca_cert() + "}\n";
}

std::string mesh_dir::config_with_tls(const std::string& name, const std::string& tls_yaml,
                                      const std::string& extra, bool listen,
                                      const std::string& file) {
  std::string text = "name: " + name + "\n";
  if (listen)
    text += "listen: 127.0.0.1:0\n";
  text += tls_yaml;
  text += "connect_timeout: 5s\n";
  text += extra;
  return write(file.empty() ? name + ".yaml" : file, text);
}

node_process::node_process(const std::vector<std::string>& prefix, const std::string& config,
                           const std::string& host, const std::vector<std::string>& extra_args)
    : host_(host) {
  out_file_ = config + ".out";
  err_file_ = config + ".err";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, err_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argv = prefix;
  for (std::string a : {runner_binary(), std::string("--log-level"), std::string("info"),
                        std::string("serve"), std::string("--config"), config,
                        std::string("--grace"), std::string("2s")})
    argv.push_back(std::move(a));
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  if (posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ) != 0)
    std::abort();
  posix_spawn_file_actions_destroy(&fa);
  std::string escaped;
  for (char ch : host) {
    if (std::string("\\^$.|?*+()[]{}").find(ch) != std::string::npos)
      escaped += '\\';
    escaped += ch;
  }
  const std::regex listening("listening on " + escaped + ":([0-9]+)");
  eventually(
      [&] {
        std::smatch m;
        std::string out = read_file(out_file_);
        if (std::regex_search(out, m, listening)) {
          port_ = static_cast<uint16_t>(std::stoi(m[1]));
          return true;
        }
        return !process_alive(pid_);
      },
      std::chrono::seconds(30));
}

node_process::~node_process() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string node_process::output() const { return read_file(out_file_) + read_file(err_file_); }

void node_process::signal(int signo) {
  if (pid_ > 0)
    kill(pid_, signo);
}

int node_process::wait_exit(std::chrono::milliseconds limit) {
  int status = 0;
  bool gone = eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, limit);
  if (!gone)
    return -1;
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string find_program(const std::string& name) {
  std::vector<std::string> dirs;
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "";
  for (size_t start = 0; start <= p.size();) {
    size_t end = p.find(':', start);
    if (end == std::string::npos)
      end = p.size();
    if (end > start)
      dirs.push_back(p.substr(start, end - start));
    start = end + 1;
  }
  for (const char* d : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"})
    dirs.emplace_back(d);
  for (const auto& d : dirs) {
    std::string candidate = d + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0 && std::filesystem::is_regular_file(candidate))
      return candidate;
  }
  return "";
}

std::string runnerctl_binary() { return RUNNERCTL_BINARY; }

run_output run_runnerctl(const std::vector<std::string>& args, std::chrono::milliseconds limit) {
  std::vector<std::string> argv{runnerctl_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  process p(argv);
  return p.wait(limit);
}

std::string accept_all(const std::string& from) {
  return "accept:\n  - {from: \"" + from + "\", task_types: [os_exec]}\n";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A group of one task that writes `marker`; sent whole with --to.
std::string marker_group(mesh_dir& m, const std::string& file, const std::string& marker) {
  return m.write(file, "taskGroup:\n  - name: mark\n    type: os_exec\n"
                       "    spec: {command: 'touch " + marker + "; echo marked'}\n");
}

// Sends a small group with --to as `config` and expects it to run there.
void expect_node_serves(mesh_dir& m, const node_process& node, const std::string& config,
                        const std::string& tag) {
  auto marker = m.file("served-" + tag);
  auto group = marker_group(m, "served-" + tag + ".yaml", marker);
  auto r = run_runner(
      {"run", group, "--config", config, "--to", node.address(), "--output", "json"}, std::chrono::seconds(60));
  EXPECT_FALSE(r.timed_out) << tag;
  EXPECT_EQ(r.exit_code, 0) << tag << "\n" << r.out << r.err;
  EXPECT_TRUE(std::filesystem::exists(marker)) << tag;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["mark"]["runner"], "node-b") << tag << "\n" << r.out;
}

uint16_t closed_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

}  // namespace runner::test
