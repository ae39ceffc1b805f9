// How the mesh fails: real `runner serve` / `runner run` / `runnerctl`
// processes on loopback with mutual TLS and a PKI made at test time. Peers
// that cannot prove who they are, that speak no TLS or garbage, that die or
// freeze mid-task, that cannot be reached or routed to; cancellation across
// nodes; configs a node refuses to start with.
//
// Nothing here sleeps to synchronise: each step waits for an observable
// effect (a file a task writes, a line in a log, a process exit), each wait
// has an upper bound, and the time a failure takes is checked against a
// stated bound with a generous margin. Task processes a test leaves behind
// are killed on the way out (see `orphans`).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "mesh_harness.hpp"
#include "raw_peer.hpp"

namespace runner::test {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// Transport settings of every runner process (net/transport.hpp, net/gate.hpp):
// a killed peer's socket closes at once; a frozen one is noticed once nothing
// came from it for the idle timeout (CAF sends a heartbeat every second).
constexpr auto kConnectionTimeout = 5s;
constexpr auto kHeartbeat = 1s;
// node_process starts nodes with --grace 2s.
constexpr auto kNodeGrace = 2s;

// Bounds asserted below, each with a generous margin over what it should take.
constexpr auto kKilledPeerBound = 5s;     // the socket closes at once: ~0.1 s
constexpr auto kFrozenPeerBound = 15s;    // connection timeout 5 s + heartbeat 1 s: ~6 s
constexpr auto kRefusalBound = 10s;       // a refused TLS handshake: ~0.1 s
constexpr auto kProcessGoneBound = kNodeGrace + 8s;  // SIGTERM, SIGKILL after the grace
// A submitter gone: noticed at once when killed, after 5 s + 1 s when frozen;
// then the task gets SIGTERM, SIGKILL after the grace.
constexpr auto kLostSubmitterBound = kConnectionTimeout + kHeartbeat + kNodeGrace + 7s;

double secs(std::chrono::duration<double> d) { return d.count(); }

std::chrono::milliseconds ms(std::chrono::milliseconds d) { return d; }

// A task command that records its own pid (the `sleep` it becomes, via exec)
// atomically, then marks that it runs, then sleeps long enough to outlive any
// test that does not stop it.
std::string pid_then_sleep(const std::string& pidfile, const std::string& marker = "") {
  std::string cmd = "echo $$ > " + pidfile + ".tmp && mv " + pidfile + ".tmp " + pidfile;
  if (!marker.empty())
    cmd += " && touch " + marker;
  return cmd + "; exec sleep 60";
}

pid_t read_pid(const std::string& path) {
  std::ifstream in(path);
  pid_t p = -1;
  in >> p;
  return p;
}

bool is_sleep(pid_t pid) {
  return contains(read_file("/proc/" + std::to_string(pid) + "/cmdline"), "sleep");
}

// Task processes a test started through a node. A node killed with SIGKILL
// cannot end its children; whatever is left is killed here, so no test leaves
// a `sleep 60` behind. Only pids recorded by the test's own tasks, and only
// while they still are `sleep`.
class orphans {
 public:
  ~orphans() {
    for (pid_t p : pids_)
      if (p > 0 && process_alive(p) && is_sleep(p))
        kill(p, SIGKILL);
  }
  pid_t add(pid_t p) {
    pids_.push_back(p);
    return p;
  }

 private:
  std::vector<pid_t> pids_;
};

// g.yaml: one os_exec task `name` running `command`, forwarded to `to`
// unless that is empty, in a group with id `id` unless that is empty.
std::string one_task_group(mesh_dir& m, const std::string& name, const std::string& command,
                           const std::string& to = "", const std::string& id = "") {
  std::string text = id.empty() ? "" : "id: " + id + "\n";
  text += "taskGroup:\n  - name: " + name + "\n    type: os_exec\n";
  if (!to.empty())
    text += "    forward: {to: " + to + "}\n";
  text += "    spec: {command: '" + command + "'}\n";
  return m.write("g.yaml", text);
}

// Waits for `pidfile` (written atomically by pid_then_sleep), returns the pid.
pid_t wait_for_pid(const std::string& pidfile, orphans& left,
                   std::chrono::milliseconds limit = 30s) {
  if (!eventually([&] { return std::filesystem::exists(pidfile); }, limit))
    return -1;
  return left.add(read_pid(pidfile));
}

// Deterministic "random" bytes: the same every run, so a failure reproduces.
std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (auto& c : out)
    c = static_cast<char>(gen() & 0xff);
  return out;
}

// The state `node` reports for `id` (runnerctl groups, as `config`), "" if none.
std::string group_state(const node_process& node, const std::string& config,
                        const std::string& id) {
  auto r = run_runnerctl(
      {"--runner", node.address(), "--config", config, "groups", "--output", "json"}, 30s);
  if (r.exit_code != 0)
    return "";
  auto j = parse_json(r.out);
  if (!j.is_object() || !j.contains("groups"))
    return "";
  for (auto& g : j["groups"])
    if (g.value("id", "") == id)
      return g.value("state", "");
  return "";
}

// --- who may talk to a node -------------------------------------------------

TEST(MeshFailure, APeerWhoseCertificateIsNotFromTheConfiguredCaIsRefused) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto wrong = m.pki().make_leaf("node-a", key_kind::ec_p256, /*signed_by_other_ca=*/true);
  auto marker = m.file("ran");
  auto group = marker_group(m, "g.yaml", marker);

  // As written in a config with the test CA: the submitter itself sees that
  // its certificate does not chain to its CA and stops before connecting.
  auto own_ca = m.config_with_tls(
      "node-a",
      "tls: {cert: " + wrong.cert + ", key: " + wrong.key + ", ca: " + m.pki().ca_cert() + "}\n",
      "", false, "wrong-own-ca.yaml");
  auto local = run_runner({"run", group, "--config", own_ca, "--to", b.address()}, 60s);
  EXPECT_NE(local.exit_code, 0) << local.out << local.err;
  EXPECT_EQ(local.exit_code, 2) << local.err;
  EXPECT_TRUE(contains(local.err, wrong.cert)) << local.err;

  // A submitter that trusts both CAs (so it accepts node-b's certificate) and
  // presents the unrelated CA's leaf: node-b's TLS layer must refuse it
  // before any message is processed.
  auto bundle =
      m.write("both-cas.crt", read_file(m.pki().ca_cert()) + read_file(m.pki().other_ca_cert()));
  auto intruder = m.config_with_tls(
      "node-a", "tls: {cert: " + wrong.cert + ", key: " + wrong.key + ", ca: " + bundle + "}\n", "",
      false, "intruder.yaml");
  auto t0 = clock_type::now();
  auto r = run_runner({"run", group, "--config", intruder, "--to", b.address()}, 60s);
  double took = seconds_since(t0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "cannot connect to " + b.address())) << r.err;
  EXPECT_TRUE(contains(r.err, "certificate")) << r.err;
  EXPECT_LT(took, secs(kRefusalBound)) << r.err;
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the refused submitter's task ran";

  // runnerctl with the same identity gets nothing either.
  auto ctl = run_runnerctl(
      {"--runner", b.address(), "--cert", wrong.cert, "--key", wrong.key, "--ca", bundle, "groups"},
      60s);
  EXPECT_EQ(ctl.exit_code, 3) << ctl.out << ctl.err;
  EXPECT_EQ(ctl.out.find("node-a"), std::string::npos) << ctl.out;

  // The node is still there and serves a submitter it trusts.
  EXPECT_TRUE(process_alive(b.pid()));
  expect_node_serves(m, b, m.config("node-a", "", false), "after-intruder");
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(MeshFailure, ASubmitterWithoutAnyCertificateCannotTalkToATlsNode) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto marker = m.file("ran");
  auto group = marker_group(m, "g.yaml", marker);
  auto plain = m.config_with_tls("node-a", "tls: off\n", "", false, "plain.yaml");
  auto t0 = clock_type::now();
  auto r = run_runner({"run", group, "--config", plain, "--to", b.address()}, 60s);
  double took = seconds_since(t0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, b.address())) << r.err;
  EXPECT_TRUE(contains(r.err, "TLS")) << "the error should point at the plain-TCP/TLS mismatch:\n"
                                      << r.err;
  EXPECT_LT(took, secs(kRefusalBound)) << r.err;
  EXPECT_FALSE(std::filesystem::exists(marker));

  auto ctl = run_runnerctl({"--runner", b.address(), "--plain", "status"}, 60s);
  EXPECT_EQ(ctl.exit_code, 3) << ctl.out << ctl.err;

  EXPECT_TRUE(process_alive(b.pid()));
  expect_node_serves(m, b, m.config("node-a", "", false), "after-plain");
}

TEST(MeshFailure, APlainTcpNodeMayListenOnLoopbackOnly) {
  mesh_dir m;
  // Line 2 is `listen`; `tls: off` forbids anything but loopback there.
  auto open = m.write("open.yaml", "name: node-b\nlisten: 0.0.0.0:0\ntls: off\n" + accept_all());
  auto r = run_runner({"serve", "--config", open}, 30s);
  EXPECT_FALSE(r.timed_out) << "the node started instead of refusing its config";
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, open + ":2:")) << r.err;
  EXPECT_TRUE(contains(r.err, "loopback")) << r.err;
  EXPECT_TRUE(contains(r.err, "0.0.0.0")) << r.err;
  EXPECT_FALSE(contains(r.out, "listening")) << r.out;
}

// --- garbage on the wire ----------------------------------------------------

TEST(MeshFailure, RandomBytesOnTheListeningPortDoNotStopTheNode) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();

  // 64 KiB of noise, connection closed afterwards.
  int fd = connect_raw(b.port());
  ASSERT_GE(fd, 0);
  send_all(fd, random_bytes(64 * 1024, 1));
  close(fd);

  // A valid TLS 1.x handshake record header and ClientHello header, then noise.
  std::string prefix("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  fd = connect_raw(b.port());
  ASSERT_GE(fd, 0);
  send_all(fd, prefix + random_bytes(64 * 1024, 2));
  close(fd);

  // A half-sent handshake left open while real work comes in: the node must
  // not wait for it before serving others.
  int stuck = connect_raw(b.port());
  ASSERT_GE(stuck, 0);
  send_all(stuck, prefix);

  EXPECT_TRUE(process_alive(b.pid())) << b.output();
  auto t0 = clock_type::now();
  expect_node_serves(m, b, m.config("node-a", "", false), "after-noise");
  EXPECT_LT(seconds_since(t0), 10.0) << "a half-open handshake held up a real submitter";
  close(stuck);

  // A forwarded single task as well, through `peers`.
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false, "node-a-peers.yaml");
  auto g = m.write("fwd.yaml",
                   "taskGroup:\n  - name: there\n    type: os_exec\n"
                   "    forward: {to: node-b}\n    spec: {command: 'echo still here'}\n");
  auto r = run_runner({"run", g, "--config", a, "--output", "json"}, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(parse_json(r.out)["results"]["there"]["runner"], "node-b") << r.out;
}

TEST(MeshFailure, RandomBytesToAPlainTcpNodeDoNotStopIt) {
  mesh_dir m;
  auto b_cfg = m.config_with_tls("node-b", "tls: off\n", accept_all(), true, "node-b-plain.yaml");
  node_process b(b_cfg);
  ASSERT_TRUE(b.started()) << b.output();
  for (uint32_t seed : {3u, 4u, 5u}) {
    int fd = connect_raw(b.port());
    ASSERT_GE(fd, 0);
    send_all(fd, random_bytes(64 * 1024, seed));
    close(fd);
  }
  EXPECT_TRUE(process_alive(b.pid())) << b.output();
  auto a = m.config_with_tls("node-a", "tls: off\n", "", false, "node-a-plain.yaml");
  auto marker = m.file("ran");
  auto group = marker_group(m, "g.yaml", marker);
  auto r = run_runner({"run", group, "--config", a, "--to", b.address()}, 60s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << "\nnode:\n" << b.output();
  EXPECT_TRUE(std::filesystem::exists(marker));
}

// A client that opens a TCP connection and never finishes the TLS handshake
// (idle, or stuck after part of a ClientHello) costs the node nothing while
// it waits, does not stop it serving everyone else, and is dropped after
// transport.handshake_timeout (1 s here; asserted < 10 s).
TEST(MeshFailure, StalledHandshakesLeaveTheNodeServingOthersAndAreDropped) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all() + "transport: {handshake_timeout: 1s}\n"));
  ASSERT_TRUE(b.started()) << b.output();
  int idle = connect_raw(b.port());
  int partial = connect_raw(b.port());
  ASSERT_GE(idle, 0);
  ASSERT_GE(partial, 0);
  send_all(partial, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  double cpu0 = cpu_seconds(b.pid());
  auto t0 = clock_type::now();
  expect_node_serves(m, b, m.config("node-a", "", false), "while-half-open");
  EXPECT_LT(seconds_since(t0), 10.0) << "serving while handshakes stall was slow";
  EXPECT_TRUE(closed_within(idle, 10s)) << "the idle connection was never dropped";
  EXPECT_TRUE(closed_within(partial, 10s)) << "the half handshake was never dropped";
  double cpu = cpu_seconds(b.pid()) - cpu0;
  // A node that polled stalled handshakes in a loop would use a core.
  EXPECT_LT(cpu, 1.0) << "node-b used " << cpu << " s of CPU in " << seconds_since(t0) << " s";
  close(idle);
  close(partial);
  EXPECT_TRUE(process_alive(b.pid()));
  expect_node_serves(m, b, m.config("node-a", "", false, "node-a2.yaml"), "after-half-open");
}

// --- what a node refuses to run ---------------------------------------------

TEST(MeshFailure, ATaskTypeTheNodeDoesNotAcceptFromTheSubmitterIsRefusedByName) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all("node-x")));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto marker = m.file("ran");
  auto group = m.write("g.yaml", "taskGroup:\n  - name: there\n    type: os_exec\n"
                                 "    forward: {to: node-b}\n    spec: {command: 'touch " + marker +
                                     "'}\n");
  auto r = run_runner({"run", group, "--config", a, "--output", "json"}, 60s);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["there"]["status"], "failed") << r.out;
  std::string error = j["results"]["there"].value("error", "");
  EXPECT_TRUE(contains(error, "`node-b`")) << error;
  EXPECT_TRUE(contains(error, "`node-a`")) << error;
  EXPECT_TRUE(contains(error, "`os_exec`")) << error;
  EXPECT_FALSE(std::filesystem::exists(marker));

  // The same for a whole group sent with --to.
  auto whole =
      run_runner({"run", marker_group(m, "w.yaml", marker), "--config", a, "--to", "node-b"}, 60s);
  EXPECT_EQ(whole.exit_code, 3) << whole.out << whole.err;
  EXPECT_TRUE(contains(whole.err, "`node-b`") && contains(whole.err, "`node-a`") &&
              contains(whole.err, "`os_exec`"))
      << whole.err;
  EXPECT_FALSE(std::filesystem::exists(marker));
}

// --- peers that die, freeze, or are not there -------------------------------

TEST(MeshFailure, APeerKilledMidTaskFailsTheTaskPromptly) {
  mesh_dir m;
  orphans left;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto pidfile = m.file("pid"), marker = m.file("marker");
  auto group = one_task_group(m, "there", pid_then_sleep(pidfile, marker), "node-b");
  process run({runner_binary(), "run", group, "--config", a, "--output", "json"});
  pid_t task = wait_for_pid(pidfile, left);
  ASSERT_GT(task, 0) << b.output();
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(marker); }, 10s));

  auto t0 = clock_type::now();
  b.signal(SIGKILL);
  auto r = run.wait(60s);
  double took = seconds_since(t0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_LT(took, secs(kKilledPeerBound)) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["there"]["status"], "failed") << r.out;
  std::string error = j["results"]["there"].value("error", "");
  EXPECT_TRUE(contains(error, "lost the connection to node-b")) << error;
  EXPECT_EQ(b.wait_exit(10s), 128 + SIGKILL);

  // The node could not end its task's process: it was killed with SIGKILL and
  // only a subreaper would inherit the orphan. SPEC §3 promises no orphan for
  // cancellation by the runner, not for a runner killed outright, so this is
  // recorded, not asserted; `left` kills it.
  if (process_alive(task))
    std::cerr << "[ finding  ] the task process " << task
              << " survived its node's SIGKILL (orphaned, reparented to "
              << "init or the nearest subreaper)\n";
}

TEST(MeshFailure, APeerFrozenMidTaskFailsTheTaskWithinTheHeartbeatTimeout) {
  mesh_dir m;
  orphans left;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto pidfile = m.file("pid"), marker = m.file("marker");
  auto group = one_task_group(m, "there", pid_then_sleep(pidfile, marker), "node-b");
  process run({runner_binary(), "run", group, "--config", a, "--output", "json"});
  pid_t task = wait_for_pid(pidfile, left);
  ASSERT_GT(task, 0) << b.output();
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(marker); }, 10s));

  auto t0 = clock_type::now();
  b.signal(SIGSTOP);
  auto r = run.wait(60s);
  double took = seconds_since(t0);
  b.signal(SIGCONT);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_LT(took, secs(kFrozenPeerBound)) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["there"]["status"], "failed") << r.out;
  std::string error = j["results"]["there"].value("error", "");
  EXPECT_TRUE(contains(error, "lost the connection to node-b")) << error;

  // Thawed, the node finds its submitter gone and ends the task.
  EXPECT_TRUE(eventually([&] { return !process_alive(task); }, kLostSubmitterBound))
      << "node-b did not end the task of a submitter that is gone\n"
      << b.output();
  EXPECT_TRUE(process_alive(b.pid()));
}

// The relay's gate (net/gate.hpp) waits for a frozen node's TLS handshake
// in epoll, with the connect timeout as its deadline: relaying to it fails
// in time, and the relay does not spin a core meanwhile.
TEST(MeshFailure, ARelayToAFrozenNodeFailsInTimeWithoutSpinning) {
  mesh_dir m;
  node_process c(m.config("node-c", accept_all()));
  ASSERT_TRUE(c.started()) << c.output();
  node_process b(m.config("node-b", accept_all() + "peers: {node-c: " + c.address() + "}\n"));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto marker = m.file("ran");
  auto group = m.write("g.yaml", "taskGroup:\n  - name: far\n    type: os_exec\n"
                                 "    forward: {to: node-c}\n    spec: {command: 'touch " + marker +
                                     "'}\n");
  c.signal(SIGSTOP);
  double cpu0 = cpu_seconds(b.pid());
  auto t0 = clock_type::now();
  auto r = run_runner({"run", group, "--config", a, "--output", "json"}, 60s);
  double took = seconds_since(t0);
  double cpu = cpu_seconds(b.pid()) - cpu0;
  c.signal(SIGCONT);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_LT(took, secs(kFrozenPeerBound)) << r.err;
  auto j = parse_json(r.out);
  std::string error = j["results"]["far"].value("error", "");
  EXPECT_TRUE(contains(error, "no TLS handshake within the connect timeout")) << error;
  EXPECT_TRUE(contains(error, "node-c")) << error;
  // Waiting 5 s for a frozen peer costs the relay next to nothing; a spin
  // would cost about a second of CPU per second.
  EXPECT_LT(cpu, 1.5) << "node-b used " << cpu << " s of CPU in " << took << " s";
  EXPECT_FALSE(std::filesystem::exists(marker));
}

// A frozen node still completes TCP connections (the kernel accepts them) but
// never answers: new work for it fails within connect_timeout (5 s),
// asserted < 15 s, for a forwarded task and for runnerctl alike.
TEST(MeshFailure, AFrozenPeerFailsNewWorkWithinTheConnectTimeout) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto marker = m.file("ran");
  auto group = m.write("g.yaml", "taskGroup:\n  - name: there\n    type: os_exec\n"
                                 "    forward: {to: node-b}\n    spec: {command: 'touch " + marker +
                                     "'}\n");
  b.signal(SIGSTOP);
  auto t0 = clock_type::now();
  process run({runner_binary(), "run", group, "--config", a, "--output", "json"});
  process ctl({runnerctl_binary(), "--runner", b.address(), "--config", a, "status"});
  auto r = run.wait(60s);
  double run_took = seconds_since(t0);
  auto c = ctl.wait(60s);
  double ctl_took = seconds_since(t0);
  b.signal(SIGCONT);

  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_LT(run_took, secs(kFrozenPeerBound)) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["there"]["status"], "failed") << r.out;
  std::string error = j["results"]["there"].value("error", "");
  EXPECT_TRUE(contains(error, b.address())) << error;
  EXPECT_TRUE(contains(error, "within the connect timeout") || contains(error, "connect_timeout") ||
              contains(error, "did not finish in time"))
      << error;

  EXPECT_FALSE(c.timed_out);
  EXPECT_EQ(c.exit_code, 3) << c.out << c.err;
  EXPECT_LT(ctl_took, secs(kFrozenPeerBound)) << c.err;
  EXPECT_TRUE(contains(c.err, b.address())) << c.err;

  // Thawed, it serves again; the task that failed never ran.
  expect_node_serves(m, b, m.config("node-a", "", false, "node-a-direct.yaml"), "after-thaw");
  EXPECT_FALSE(std::filesystem::exists(marker));
}

// A --to submitter frozen (SIGSTOP) while its group runs: the node hears no
// heartbeat, drops the connection after its connection timeout and cancels
// the group (bound: 5 s + 1 s heartbeat + 2 s grace, asserted < 15 s). Thawed,
// the submitter finds the connection gone and fails with exit code 3.
TEST(MeshFailure, AFrozenSubmitterHasItsGroupCancelled) {
  mesh_dir m;
  orphans left;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "", false);
  auto pidfile = m.file("pid");
  auto group = one_task_group(m, "long", pid_then_sleep(pidfile), "", "frozen-submitter");
  process run(
      {runner_binary(), "run", group, "--config", a, "--to", b.address(), "--output", "json"});
  pid_t task = wait_for_pid(pidfile, left);
  ASSERT_GT(task, 0) << b.output();

  auto t0 = clock_type::now();
  kill(run.pid(), SIGSTOP);
  bool ended = eventually([&] { return !process_alive(task); }, kLostSubmitterBound);
  double took = seconds_since(t0);
  kill(run.pid(), SIGCONT);
  EXPECT_TRUE(ended) << "node-b kept running the group of a frozen submitter\n" << b.output();
  EXPECT_LT(took, secs(kLostSubmitterBound));
  std::string state;
  EXPECT_TRUE(eventually(
      [&] { return (state = group_state(b, a, "frozen-submitter")) == "cancelled"; }, 20s))
      << "state: " << state << "\n"
      << b.output();

  auto r = run.wait(ms(kFrozenPeerBound));
  EXPECT_FALSE(r.timed_out) << "the thawed submitter did not notice its connection was gone";
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "lost the connection to node-b")) << r.err;
}

// A -> B -> C, the task runs on C. C dies: B's call fails and says so to A.
TEST(MeshFailure, AFarNodeKilledMidTaskFailsTheTaskThroughTheRelay) {
  mesh_dir m;
  orphans left;
  node_process c(m.config("node-c", accept_all("node-b")));
  ASSERT_TRUE(c.started()) << c.output();
  node_process b(
      m.config("node-b", accept_all("node-a") + "peers: {node-c: " + c.address() + "}\n"));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto pidfile = m.file("pid");
  auto group = one_task_group(m, "far", pid_then_sleep(pidfile), "node-c");
  process run({runner_binary(), "run", group, "--config", a, "--output", "json"});
  pid_t task = wait_for_pid(pidfile, left);
  ASSERT_GT(task, 0) << b.output() << c.output();

  auto t0 = clock_type::now();
  c.signal(SIGKILL);
  auto r = run.wait(60s);
  double took = seconds_since(t0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_LT(took, secs(kKilledPeerBound)) << r.err;
  std::string error = parse_json(r.out)["results"]["far"].value("error", "");
  EXPECT_TRUE(contains(error, "lost the connection to node-c")) << error;
  EXPECT_TRUE(process_alive(b.pid()));
  // node-b forgets the relayed task once it failed.
  EXPECT_TRUE(eventually(
      [&] {
        auto s = run_runnerctl(
            {"--runner", b.address(), "--config", a, "status", "--output", "json"}, 30s);
        auto j = parse_json(s.out);
        return j.is_object() && j.value("running_groups", -1) == 0;
      },
      10s))
      << b.output();
}

// A -> B -> C, the task runs on C. B dies: A fails the task at once, and C,
// whose submitter (B) is gone, ends the task's process.
TEST(MeshFailure, ARelayKilledMidTaskFailsTheTaskAndTheFarNodeStopsIt) {
  mesh_dir m;
  orphans left;
  node_process c(m.config("node-c", accept_all("node-b")));
  ASSERT_TRUE(c.started()) << c.output();
  node_process b(
      m.config("node-b", accept_all("node-a") + "peers: {node-c: " + c.address() + "}\n"));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto pidfile = m.file("pid");
  auto group = one_task_group(m, "far", pid_then_sleep(pidfile), "node-c");
  process run({runner_binary(), "run", group, "--config", a, "--output", "json"});
  pid_t task = wait_for_pid(pidfile, left);
  ASSERT_GT(task, 0) << b.output() << c.output();

  auto t0 = clock_type::now();
  b.signal(SIGKILL);
  auto r = run.wait(60s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_LT(seconds_since(t0), secs(kKilledPeerBound)) << r.err;
  std::string error = parse_json(r.out)["results"]["far"].value("error", "");
  EXPECT_TRUE(contains(error, "lost the connection to node-b")) << error;
  EXPECT_TRUE(eventually([&] { return !process_alive(task); }, kLostSubmitterBound))
      << "node-c kept running a task whose relay is gone\n" << c.output();
  EXPECT_TRUE(process_alive(c.pid()));
}

// SIGTERM to a node mid-task: it ends its task processes (SIGTERM, SIGKILL
// after --grace 2s) and exits 0; the submitter's task fails, promptly.
TEST(MeshFailure, ANodeShutDownMidTaskEndsTheTaskAndFailsItForTheSubmitter) {
  mesh_dir m;
  orphans left;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto pidfile = m.file("pid");
  auto group = one_task_group(m, "there", pid_then_sleep(pidfile), "node-b");
  process run({runner_binary(), "run", group, "--config", a, "--output", "json"});
  pid_t task = wait_for_pid(pidfile, left);
  ASSERT_GT(task, 0) << b.output();

  auto t0 = clock_type::now();
  b.signal(SIGTERM);
  auto r = run.wait(60s);
  double took = seconds_since(t0);
  EXPECT_FALSE(r.timed_out);
  // The node's fault, not the task's: exit 3, and the error says so (or, if
  // the node was gone before its reply left, that the connection was lost).
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_LT(took, secs(kNodeGrace + kKilledPeerBound)) << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["there"]["status"], "failed") << r.out;
  std::string why = j["results"]["there"].value("error", "");
  EXPECT_TRUE(contains(why, "shut down while the task ran") || contains(why, "lost the connection"))
      << why;
  EXPECT_EQ(b.wait_exit(ms(kProcessGoneBound)), 0)
      << "`runner serve` must exit 0 on SIGTERM (139 = it crashed with SIGSEGV)\n"
      << b.output();
  EXPECT_FALSE(process_alive(task)) << "the node exited and left its task running";
}

// `peers` points node-b's name at a runner that proves to be node-c.
TEST(MeshFailure, APeerAddressWhereAnotherNodeAnswersIsRefused) {
  mesh_dir m;
  node_process c(m.config("node-c", accept_all()));
  ASSERT_TRUE(c.started()) << c.output();
  auto a = m.config("node-a", "peers: {node-b: " + c.address() + "}\n", false);
  auto marker = m.file("ran");
  auto group = m.write("g.yaml", "taskGroup:\n  - name: there\n    type: os_exec\n"
                                 "    forward: {to: node-b}\n    spec: {command: 'touch " + marker +
                                     "'}\n");
  auto r = run_runner({"run", group, "--config", a, "--output", "json"}, 60s);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  std::string error = parse_json(r.out)["results"]["there"].value("error", "");
  EXPECT_TRUE(contains(error, "`node-b`") && contains(error, "`node-c`")) << error;
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the task ran on the wrong node";
}

TEST(MeshFailure, AnUnreachablePeerFailsOnlyItsTaskAndNamesTheAddress) {
  mesh_dir m;
  uint16_t port = closed_port();
  std::string where = "127.0.0.1:" + std::to_string(port);
  // A long connect_timeout: the refused connection must not wait for it.
  auto a = m.write("node-a.yaml", "name: node-a\n" + m.tls_yaml("node-a") +
                                      "connect_timeout: 60s\npeers: {node-b: " + where + "}\n");
  auto marker = m.file("local-ran");
  auto group = m.write("g.yaml",
                       "taskGroup:\n"
                       "  - name: far\n    type: os_exec\n    forward: {to: node-b}\n"
                       "    spec: {command: 'true'}\n"
                       "  - name: after-far\n    type: os_exec\n    depends_on: far\n"
                       "    spec: {command: 'true'}\n"
                       "  - name: near\n    type: os_exec\n"
                       "    spec: {command: 'touch " + marker + "'}\n");
  auto t0 = clock_type::now();
  auto r = run_runner({"run", group, "--config", a, "--output", "json"}, 120s);
  double took = seconds_since(t0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_LT(took, 5.0) << "a refused connection waited for connect_timeout (60 s)\n" << r.err;
  auto j = parse_json(r.out);
  EXPECT_EQ(j["results"]["far"]["status"], "failed") << r.out;
  EXPECT_TRUE(contains(j["results"]["far"].value("error", ""), where)) << r.out;
  EXPECT_EQ(j["results"]["after-far"]["status"], "skipped") << r.out;
  EXPECT_EQ(j["results"]["near"]["status"], "success") << r.out;
  EXPECT_TRUE(std::filesystem::exists(marker));
}

TEST(MeshFailure, AForwardTargetThatIsNeitherAPeerNorReachableHasNoRoute) {
  mesh_dir m;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto marker = m.file("ran");
  auto group = m.write("g.yaml", "taskGroup:\n  - name: lost\n    type: os_exec\n"
                                 "    forward: {to: node-z}\n"
                                 "    spec: {command: 'touch " + marker + "'}\n");

  // No peers at all.
  auto alone = m.config("node-a", "", false, "alone.yaml");
  auto r = run_runner({"run", group, "--config", alone, "--output", "json"}, 60s);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  std::string error = parse_json(r.out)["results"]["lost"].value("error", "");
  EXPECT_TRUE(contains(error, "no route")) << error;
  EXPECT_TRUE(contains(error, "node-z")) << error;

  // One peer, which does not know node-z either.
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false, "with-b.yaml");
  auto t0 = clock_type::now();
  r = run_runner({"run", group, "--config", a, "--output", "json"}, 60s);
  EXPECT_LT(seconds_since(t0), 10.0);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  error = parse_json(r.out)["results"]["lost"].value("error", "");
  EXPECT_TRUE(contains(error, "no route")) << error;
  EXPECT_TRUE(contains(error, "node-z")) << error;
  EXPECT_TRUE(contains(error, "node-b")) << "should say which peers were asked: " << error;

  // A whole group sent to it with --to.
  auto whole =
      run_runner({"run", marker_group(m, "w.yaml", marker), "--config", a, "--to", "node-z"}, 60s);
  EXPECT_EQ(whole.exit_code, 3) << whole.out << whole.err;
  EXPECT_TRUE(contains(whole.err, "no route")) << whole.err;
  EXPECT_TRUE(contains(whole.err, "node-z")) << whole.err;
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_TRUE(process_alive(b.pid()));
}

// A route may pass at most 8 runners (net/node_state.hpp, kMaxRouteHops):
// in a chain of nine nodes, the eighth refuses to pass work on, and the
// submitter is told the limit and the way it took.
TEST(MeshFailure, ARouteLongerThanTheHopLimitNamesTheLimit) {
  mesh_dir m;
  std::vector<std::unique_ptr<node_process>> chain;
  std::string next;  // the address of the node after the one being started
  for (int i = 9; i >= 1; --i) {
    std::string name = "n" + std::to_string(i);
    std::string peers = next.empty() ? "" : "peers: {n" + std::to_string(i + 1) + ": " + next + "}\n";
    chain.push_back(std::make_unique<node_process>(m.config(name, accept_all() + peers)));
    ASSERT_TRUE(chain.back()->started()) << chain.back()->output();
    next = chain.back()->address();
  }
  auto marker = m.file("ran");
  auto group = m.write("g.yaml", "taskGroup:\n  - name: far\n    type: os_exec\n"
                                 "    forward: {to: n9}\n    spec: {command: 'touch " + marker +
                                     "'}\n");
  auto a = m.config("node-a", "peers: {n1: " + next + "}\n", false);
  auto r = run_runner({"run", group, "--config", a, "--output", "json"}, 120s);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  std::string error = parse_json(r.out)["results"]["far"].value("error", "");
  EXPECT_TRUE(contains(error, "limit of 8 runners")) << error;
  EXPECT_TRUE(contains(error, "node-a -> n1 -> n2")) << error;
  EXPECT_FALSE(std::filesystem::exists(marker));
}

// --- cancellation across nodes ----------------------------------------------

TEST(MeshFailure, SigintToTheSubmitterEndsTheForwardedTaskOnThePeer) {
  mesh_dir m;
  orphans left;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\n", false);
  auto pidfile = m.file("pid");
  auto group = one_task_group(m, "there", pid_then_sleep(pidfile), "node-b");
  process run({runner_binary(), "run", group, "--config", a, "--output", "json"});
  pid_t task = wait_for_pid(pidfile, left);
  ASSERT_GT(task, 0) << b.output();
  ASSERT_TRUE(process_alive(task));

  auto t0 = clock_type::now();
  kill(run.pid(), SIGINT);
  auto r = run.wait(60s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 130) << r.out << r.err;
  EXPECT_EQ(parse_json(r.out)["results"]["there"]["status"], "cancelled") << r.out;
  EXPECT_TRUE(eventually([&] { return !process_alive(task); }, kProcessGoneBound))
      << "the forwarded task's process outlived the cancel\n" << b.output();
  EXPECT_LT(seconds_since(t0), secs(kProcessGoneBound));
}

TEST(MeshFailure, SigintToASubmitterOfAWholeGroupCancelsItOnTheNode) {
  mesh_dir m;
  orphans left;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "", false);
  auto pidfile = m.file("pid");
  auto group = one_task_group(m, "long", pid_then_sleep(pidfile), "", "sigint-whole");
  process run(
      {runner_binary(), "run", group, "--config", a, "--to", b.address(), "--output", "json"});
  pid_t task = wait_for_pid(pidfile, left);
  ASSERT_GT(task, 0) << b.output();

  kill(run.pid(), SIGINT);
  auto r = run.wait(60s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 130) << r.out << r.err;
  EXPECT_EQ(parse_json(r.out)["results"]["long"]["status"], "cancelled") << r.out;
  EXPECT_TRUE(eventually([&] { return !process_alive(task); }, kProcessGoneBound)) << b.output();
}

TEST(MeshFailure, ASubmitterThatDisappearsHasItsGroupCancelled) {
  mesh_dir m;
  orphans left;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "", false);
  auto pidfile = m.file("pid");
  auto group = one_task_group(m, "long", pid_then_sleep(pidfile), "", "vanishing");
  process run({runner_binary(), "run", group, "--config", a, "--to", b.address()});
  pid_t task = wait_for_pid(pidfile, left);
  ASSERT_GT(task, 0) << b.output();
  EXPECT_EQ(group_state(b, a, "vanishing"), "running");

  auto t0 = clock_type::now();
  kill(run.pid(), SIGKILL);
  auto r = run.wait(10s);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  // The socket closes with the process: the node notices at once (at worst
  // after the connection timeout), then ends the task within its grace.
  EXPECT_TRUE(eventually([&] { return !process_alive(task); }, kLostSubmitterBound))
      << "node-b kept running the group of a submitter that is gone\n" << b.output();
  EXPECT_LT(seconds_since(t0), secs(kLostSubmitterBound));
  std::string state;
  EXPECT_TRUE(
      eventually([&] { return (state = group_state(b, a, "vanishing")) == "cancelled"; }, 20s))
      << "state: " << state << "\n"
      << b.output();
  EXPECT_TRUE(contains(b.output(), "is gone")) << b.output();
  EXPECT_TRUE(process_alive(b.pid()));
}

TEST(MeshFailure, RunnerctlCancelIsForTheSubmitterOrTheNodeOnly) {
  mesh_dir m;
  orphans left;
  node_process b(m.config("node-b", accept_all()));
  ASSERT_TRUE(b.started()) << b.output();
  auto a = m.config("node-a", "", false);
  auto pidfile = m.file("pid");
  auto group = one_task_group(m, "long", pid_then_sleep(pidfile), "", "stop-me");
  process run(
      {runner_binary(), "run", group, "--config", a, "--to", b.address(), "--output", "json"});
  pid_t task = wait_for_pid(pidfile, left);
  ASSERT_GT(task, 0) << b.output();

  // Someone else, with a valid certificate of the mesh CA, may look but not cancel.
  auto admin = m.pki().make_leaf("admin");
  auto other = run_runnerctl({"--runner", b.address(), "--cert", admin.cert, "--key", admin.key,
                              "--ca", m.pki().ca_cert(), "cancel", "stop-me"},
                             30s);
  EXPECT_EQ(other.exit_code, 1) << other.out << other.err;
  EXPECT_TRUE(contains(other.err, "`admin`")) << other.err;
  EXPECT_TRUE(contains(other.err, "only its submitter `node-a` or the node")) << other.err;
  EXPECT_TRUE(process_alive(task)) << "a refused cancel stopped the task";

  // Cancelling something that is not there is an error too.
  auto nothing =
      run_runnerctl({"--runner", b.address(), "--config", a, "cancel", "no-such-group"}, 30s);
  EXPECT_EQ(nothing.exit_code, 1) << nothing.out << nothing.err;
  EXPECT_TRUE(contains(nothing.err, "no-such-group")) << nothing.err;

  // Its submitter may.
  auto t0 = clock_type::now();
  auto mine = run_runnerctl({"--runner", b.address(), "--config", a, "cancel", "stop-me"}, 30s);
  EXPECT_EQ(mine.exit_code, 0) << mine.out << mine.err;
  auto r = run.wait(60s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 130) << r.out << r.err;
  EXPECT_EQ(parse_json(r.out)["results"]["long"]["status"], "cancelled") << r.out;
  EXPECT_TRUE(eventually([&] { return !process_alive(task); }, kProcessGoneBound)) << b.output();
  EXPECT_LT(seconds_since(t0), secs(kProcessGoneBound));
  EXPECT_EQ(group_state(b, a, "stop-me"), "cancelled");

  // So may the node's own identity (an operator holding node-b's certificate).
  auto pidfile2 = m.file("pid2");
  auto group2 = m.write("g2.yaml",
                        "id: stop-me-too\ntaskGroup:\n  - name: long\n    type: os_exec\n"
                        "    spec: {command: '" +
                            pid_then_sleep(pidfile2) + "'}\n");
  process run2({runner_binary(), "run", group2, "--config", a, "--to", b.address()});
  pid_t task2 = wait_for_pid(pidfile2, left);
  ASSERT_GT(task2, 0) << b.output();
  auto node_cfg = m.config("node-b", "", false, "node-b-operator.yaml");
  auto op =
      run_runnerctl({"--runner", b.address(), "--config", node_cfg, "cancel", "stop-me-too"}, 30s);
  EXPECT_EQ(op.exit_code, 0) << op.out << op.err;
  auto r2 = run2.wait(60s);
  EXPECT_EQ(r2.exit_code, 130) << r2.out << r2.err;
  EXPECT_TRUE(eventually([&] { return !process_alive(task2); }, kProcessGoneBound)) << b.output();
}

// --- configs a node refuses ---------------------------------------------------

TEST(MeshFailure, ANodeRefusesToStartWithAnotherNodesCertificateOrABrokenConfig) {
  mesh_dir m;
  m.pki().make_leaf("node-b");
  std::string stem = m.pki().dir() + "/node-b";
  auto mismatched = m.config_with_tls(
      "node-a",
      "tls: {cert: " + stem + ".crt, key: " + stem + ".key, ca: " + m.pki().ca_cert() + "}\n",
      accept_all(), true, "mismatch.yaml");
  auto r = run_runner({"serve", "--config", mismatched}, 30s);
  EXPECT_FALSE(r.timed_out) << "the node started with another node's certificate";
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "node-a")) << r.err;
  EXPECT_TRUE(contains(r.err, "`node-b`")) << r.err;
  EXPECT_FALSE(contains(r.out, "listening")) << r.out;

  // Every problem, each with line:column: a misspelt field (line 4) and a
  // peer address without a port (line 5).
  auto broken =
      m.write("broken.yaml", "name: node-a\nlisten: 127.0.0.1:0\n" + m.tls_yaml("node-a") +
                                 "max_paralel: 4\npeers: {node-b: 127.0.0.1}\n");
  r = run_runner({"serve", "--config", broken}, 30s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, broken + ":4:1: error:")) << r.err;
  EXPECT_TRUE(contains(r.err, "max_paralel")) << r.err;
  EXPECT_TRUE(contains(r.err, broken + ":5:")) << r.err;
  EXPECT_FALSE(contains(r.out, "listening")) << r.out;
}

}  // namespace
}  // namespace runner::test
