// Multi-hop forwarding where the network itself forbids the short cut (SPEC §8):
// three network namespaces A, B and C joined by veth pairs A–B and B–C, with no
// IP forwarding in B and no route from A to C. node-b runs in B, node-c in C, and
// `runner run` in A; a task that A forwards to node-c can only get there through
// node-b's runner, so if it runs on node-c, multi-hop forwarding works.
//
// Creating namespaces needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN in the host's
// namespaces) and iproute2's `ip`. CI runs the tests as root; elsewhere the test is
// skipped and says why. Set RUNNER_REQUIRE_NETNS=1 to turn such a skip into a
// failure where the test must run.
//
// Everything is torn down by destructors, also after a failed assertion: the nodes
// are killed first, then every process left in the namespaces, then the namespaces
// (deleting one removes its veths). Namespaces left by an earlier run that died
// (its pid is gone) are removed on the next run.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "mesh_harness.hpp"

namespace runner::test {
namespace {

using namespace std::chrono_literals;

// The addresses live only inside the test's own namespaces, which have nothing
// but `lo` and these veths, so they cannot clash with the host's networks or
// with another run's (each run has its own namespaces).
const std::string kAddrA = "10.77.1.1";   // A, on the A–B link
const std::string kAddrBa = "10.77.1.2";  // B, on the A–B link; node-b listens here
const std::string kAddrBc = "10.77.2.2";  // B, on the B–C link
const std::string kAddrC = "10.77.2.3";   // C, on the B–C link; node-c listens here

bool netns_required() {
  const char* v = std::getenv("RUNNER_REQUIRE_NETNS");
  return v && *v && std::string(v) != "0";
}

std::string join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv)
    s += (s.empty() ? "" : " ") + a;
  return s;
}

// Runs a short command (ip ..., never the runner) to completion.
run_output run_tool(const std::vector<std::string>& argv) {
  process p(argv);
  return p.wait(20s);
}

std::string failure(const std::vector<std::string>& argv, const run_output& r) {
  std::string err = r.err;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' '))
    err.pop_back();
  return "`" + join(argv) + "` " +
         (r.timed_out ? "timed out" : "exited " + std::to_string(r.exit_code)) +
         (err.empty() ? "" : ": " + err);
}

// How a TCP connect from inside network namespace `ns` to host:port ends:
// "connected", the connect error (strerror), "timed out", or why the probe could
// not run. A thread of its own enters the namespace (setns changes only the
// calling thread's network namespace) and ends with it.
std::string tcp_connect_from(const std::string& ns, const std::string& host, uint16_t port) {
  std::string result;
  std::thread t([&] {
    std::string path = "/var/run/netns/" + ns;  // where `ip netns add` mounts it
    int nsfd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) {
      result = "probe failed: open " + path + ": " + std::strerror(errno);
      return;
    }
    int rc = setns(nsfd, CLONE_NEWNET);
    int setns_errno = errno;
    close(nsfd);
    if (rc != 0) {
      result = "probe failed: setns " + path + ": " + std::strerror(setns_errno);
      return;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      result = "connected";
    } else if (errno != EINPROGRESS) {
      result = std::strerror(errno);
    } else {
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, 5000) <= 0) {
        result = "timed out";
      } else {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        result = err ? std::strerror(err) : "connected";
      }
    }
    close(fd);
  });
  t.join();
  return result;
}

// Three namespaces rnt-<pid>-<n>-{a,b,c}: veth a-b (A) <-> b-a (B), veth b-c (B)
// <-> c-b (C), `lo` up in each, no forwarding in B, and only the directly
// connected routes, so A has no route to C's subnet.
class netns_topology {
 public:
  explicit netns_topology(std::string ip) : ip_(std::move(ip)) {
    static std::atomic<int> runs{0};
    std::string prefix = "rnt-" + std::to_string(getpid()) + "-" + std::to_string(runs++) + "-";
    a_ = prefix + "a";
    b_ = prefix + "b";
    c_ = prefix + "c";
    remove_stale();
    for (const auto& ns : {a_, b_, c_}) {
      std::vector<std::string> argv{ip_, "netns", "add", ns};
      auto r = run_tool(argv);
      if (r.exit_code != 0) {
        unavailable_ = "cannot create a network namespace: " + failure(argv, r) +
                       ". That needs CAP_SYS_ADMIN in the host's namespaces, which an "
                       "unprivileged container does not give even to root";
        return;
      }
      created_.push_back(ns);
    }
    {
      std::vector<std::string> argv{ip_, "-n", b_, "link", "add", "b-a", "type", "veth",
                                    "peer", "name", "a-b"};
      auto r = run_tool(argv);
      if (r.exit_code != 0) {
        unavailable_ = "cannot create a veth pair: " + failure(argv, r) +
                       ". The kernel needs veth support (CONFIG_VETH)";
        return;
      }
    }
    std::vector<std::vector<std::string>> steps{
        {ip_, "-n", b_, "link", "set", "a-b", "netns", a_},
        {ip_, "-n", b_, "link", "add", "b-c", "type", "veth", "peer", "name", "c-b"},
        {ip_, "-n", b_, "link", "set", "c-b", "netns", c_},
        {ip_, "-n", a_, "addr", "add", kAddrA + "/24", "dev", "a-b"},
        {ip_, "-n", b_, "addr", "add", kAddrBa + "/24", "dev", "b-a"},
        {ip_, "-n", b_, "addr", "add", kAddrBc + "/24", "dev", "b-c"},
        {ip_, "-n", c_, "addr", "add", kAddrC + "/24", "dev", "c-b"},
        {ip_, "-n", a_, "link", "set", "lo", "up"},
        {ip_, "-n", b_, "link", "set", "lo", "up"},
        {ip_, "-n", c_, "link", "set", "lo", "up"},
        {ip_, "-n", a_, "link", "set", "a-b", "up"},
        {ip_, "-n", b_, "link", "set", "b-a", "up"},
        {ip_, "-n", b_, "link", "set", "b-c", "up"},
        {ip_, "-n", c_, "link", "set", "c-b", "up"},
        // A new namespace may inherit the host's forwarding setting; B must not
        // route between its links (the runner has to carry the task).
        {ip_, "netns", "exec", b_, "/bin/sh", "-c", "echo 0 > /proc/sys/net/ipv4/ip_forward"},
    };
    for (const auto& argv : steps) {
      auto r = run_tool(argv);
      if (r.exit_code != 0) {
        error_ = "setting up the namespaces failed: " + failure(argv, r);
        return;
      }
    }
  }

  ~netns_topology() {
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
      kill_processes_in(*it);
      std::vector<std::string> argv{ip_, "netns", "del", *it};
      auto r = run_tool(argv);
      if (r.exit_code != 0)
        ADD_FAILURE() << "cleanup: " << failure(argv, r);
    }
  }

  netns_topology(const netns_topology&) = delete;
  netns_topology& operator=(const netns_topology&) = delete;

  // Why namespaces cannot be made here (an environment limit), or empty.
  const std::string& unavailable() const { return unavailable_; }
  // A later setup step that failed, or empty.
  const std::string& error() const { return error_; }
  const std::string& a() const { return a_; }
  const std::string& b() const { return b_; }
  const std::string& c() const { return c_; }

  // `ip netns exec NS ARGV...`
  std::vector<std::string> exec_in(const std::string& ns, std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {ip_, "netns", "exec", ns});
    return argv;
  }

 private:
  void kill_processes_in(const std::string& ns) const {
    auto r = run_tool({ip_, "netns", "pids", ns});
    std::istringstream pids(r.out);
    pid_t pid;
    while (pids >> pid)
      if (pid > 1 && pid != getpid())
        kill(pid, SIGKILL);
  }

  // Namespaces of runs whose process is gone (killed before its destructors ran).
  void remove_stale() const {
    auto r = run_tool({ip_, "netns", "list"});
    static const std::regex ours("^(rnt-([0-9]+)-[0-9]+-[abc])\\b");
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line)) {
      std::smatch m;
      if (!std::regex_search(line, m, ours))
        continue;
      pid_t owner = static_cast<pid_t>(std::stol(m[2]));
      if (owner == getpid() || process_alive(owner))
        continue;
      kill_processes_in(m[1]);
      run_tool({ip_, "netns", "del", m[1]});
    }
  }

  std::string ip_, a_, b_, c_, unavailable_, error_;
  std::vector<std::string> created_;
};

std::string accept_from(const std::string& from) {
  return "accept:\n  - {from: " + from + ", task_types: [os_exec]}\n";
}

class MeshNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason;
    ip_ = find_program("ip");
    if (geteuid() != 0) {
      reason = "needs root to create network namespaces (`ip netns add`, veth pairs); running "
               "as uid " + std::to_string(geteuid()) + ". CI runs it as root";
    } else if (ip_.empty()) {
      reason = "needs iproute2's `ip` to create network namespaces, but there is no `ip` in PATH, "
               "/usr/sbin, /sbin, /usr/bin or /bin (apt-get install iproute2)";
    } else {
      topo_.emplace(ip_);
      reason = topo_->unavailable();
    }
    if (!reason.empty()) {
      if (netns_required())
        FAIL() << reason << " (RUNNER_REQUIRE_NETNS is set, so this is a failure, not a skip)";
      GTEST_SKIP() << reason;
    }
    ASSERT_EQ(topo_->error(), "");
  }

  std::string ip_;
  // A fixture member outlives the test body's nodes: they are killed before the
  // namespaces go.
  std::optional<netns_topology> topo_;
};

// A knows only B, B knows C, and the network lets A reach only B. A task that a
// group on A forwards to node-c runs on node-c, inside C, and its export comes
// back to a task on A.
TEST_F(MeshNetns, ATaskForANodeTheSubmitterCannotReachRunsThereThroughAPeer) {
  const netns_topology& t = *topo_;
  mesh_dir m;
  auto node_config = [&](const std::string& name, const std::string& extra) {
    return m.config(name, extra + "state_dir: " + m.file("state-" + name) + "\n", false);
  };
  node_process_in_netns c(ip_, t.c(),
                          node_config("node-c", "listen: " + kAddrC + ":0\n" + accept_from("node-b")),
                          kAddrC);
  ASSERT_TRUE(c.started()) << c.output();
  node_process_in_netns b(ip_, t.b(),
                          node_config("node-b", "listen: " + kAddrBa + ":0\n" + accept_from("node-a") +
                                                    "peers: {node-c: " + c.address() + "}\n"),
                          kAddrBa);
  ASSERT_TRUE(b.started()) << b.output();
  auto a = node_config("node-a", "peers: {node-b: " + b.address() + "}\n");

  // The precondition: B forwards nothing, A has no route to C, and a connection
  // from A to node-c's very port fails at once, while A reaches node-b and B
  // reaches node-c.
  auto forwarding = run_tool(t.exec_in(t.b(), {"/bin/cat", "/proc/sys/net/ipv4/ip_forward"}));
  ASSERT_EQ(forwarding.out, "0\n") << forwarding.err;
  auto route = run_tool({ip_, "-n", t.a(), "route", "get", kAddrC});
  ASSERT_NE(route.exit_code, 0) << "A has a route to C:\n" << route.out;
  ASSERT_NE(route.err.find("Network is unreachable"), std::string::npos) << route.err;
  ASSERT_EQ(tcp_connect_from(t.a(), kAddrC, c.port()), std::strerror(ENETUNREACH));
  ASSERT_EQ(tcp_connect_from(t.a(), kAddrBa, b.port()), "connected");
  ASSERT_EQ(tcp_connect_from(t.b(), kAddrC, c.port()), "connected");

  auto got = m.file("got.txt");
  auto group = m.write(
      "g.yaml",
      "taskGroup:\n"
      "  - name: far\n"
      "    type: os_exec\n"
      "    forward: {to: node-c}\n"
      "    spec:\n"
      "      command: |\n"
      "        echo far away\n"
      "        set -- $(" + ip_ + " -4 -o addr show scope global)\n"
      "        echo \"addr=$4\" >> \"$OUTPUT_FILE\"\n"
      "    exports: [{name: addr, scope: global}]\n"
      "  - name: near\n"
      "    type: os_exec\n"
      "    imports: [{from: far, variable: addr}]\n"
      "    spec: {command: 'printf %s \"{{ .far.addr }}\" > " + got +
          "; echo came from {{ .far.addr }}'}\n");
  process run(t.exec_in(t.a(), {runner_binary(), "run", group, "--config", a, "--output", "json"}));
  auto r = run.wait(90s);
  ASSERT_FALSE(r.timed_out) << r.out << r.err << "\nnode-b:\n" << b.output() << "\nnode-c:\n"
                            << c.output();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << "\nnode-b:\n" << b.output() << "\nnode-c:\n"
                            << c.output();
  auto j = parse_json(r.out);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["status"], "success") << r.out;
  EXPECT_EQ(j["results"]["far"]["runner"], "node-c") << r.out;
  EXPECT_EQ(j["results"]["near"]["runner"], "node-a") << r.out;
  // The address the task saw is C's: it ran inside C's namespace.
  EXPECT_EQ(j["results"]["far"]["outputs"]["addr"], kAddrC + "/24") << r.out;
  EXPECT_EQ(read_file(got), kAddrC + "/24") << "the importing task on A must get the value";
  EXPECT_NE(r.err.find("[far] far away"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[near] came from " + kAddrC + "/24"), std::string::npos) << r.err;
}

// The same network seen from the other side: if A names node-c as its own peer,
// the missing route makes the forwarded task fail at once, as an infrastructure
// error that says where it could not connect and why (SPEC §8: nothing hangs).
TEST_F(MeshNetns, AForwardToAPeerTheNetworkCannotReachFailsAtOnceWithTheReason) {
  const netns_topology& t = *topo_;
  mesh_dir m;
  auto node_config = [&](const std::string& name, const std::string& extra) {
    return m.config(name, extra + "state_dir: " + m.file("state-" + name) + "\n", false);
  };
  node_process_in_netns c(ip_, t.c(),
                          node_config("node-c", "listen: " + kAddrC + ":0\n" + accept_from("node-a")),
                          kAddrC);
  ASSERT_TRUE(c.started()) << c.output();
  ASSERT_EQ(tcp_connect_from(t.a(), kAddrC, c.port()), std::strerror(ENETUNREACH));
  auto a = node_config("node-a", "peers: {node-c: " + c.address() + "}\n");
  auto group = m.write("g.yaml",
                       "taskGroup:\n"
                       "  - {name: far, type: os_exec, forward: {to: node-c}, spec: {command: 'true'}}\n");
  auto t0 = std::chrono::steady_clock::now();
  process run(t.exec_in(t.a(), {runner_binary(), "run", group, "--config", a, "--output", "json"}));
  auto r = run.wait(60s);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_FALSE(r.timed_out) << r.out << r.err;
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  // Far below connect_timeout (5s): an unreachable network is known at once.
  EXPECT_LT(took, 5.0) << r.err;
  auto j = parse_json(r.out);
  ASSERT_TRUE(j.is_object()) << r.out << r.err;
  EXPECT_EQ(j["results"]["far"]["status"], "failed") << r.out;
  std::string error = j["results"]["far"].value("error", "");
  EXPECT_NE(error.find(c.address()), std::string::npos) << r.out;
  // In the words of the TLS probe (a node) or of CAF's connect (a submitter).
  EXPECT_TRUE(error.find(std::strerror(ENETUNREACH)) != std::string::npos ||
              error.find("host unreachable") != std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("[far] ✗ failed: " + error), std::string::npos) << r.err;
}

}  // namespace
}  // namespace runner::test
