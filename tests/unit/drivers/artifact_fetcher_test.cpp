// The vault task's `artifact` fetcher through a real reactor and http_client:
// hash checks before anything runs, stdin/stdout JSON, stderr tails in errors,
// timeouts, stop(), limits, and https downloads from a local cpp-httplib
// server (test PKI) with the fetcher cache.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "drivers/artifact_fetcher.hpp"
#include "drivers/process_tree.hpp"
#include "tests/support/test_pki.hpp"

namespace runner {
namespace {

namespace fs = std::filesystem;

// Collects what the fetcher reports; waits are bounded so a bug fails the
// test instead of hanging it.
struct recorder : task_events {
  std::mutex mtx;
  std::condition_variable cv;
  std::string out, err;
  std::vector<std::map<std::string, std::string>> seen;
  std::optional<driver_result> result;
  int finished_calls = 0;

  void output(stream_kind s, std::string chunk, flow_ticket) override {
    std::lock_guard<std::mutex> g(mtx);
    (s == stream_kind::out ? out : err) += chunk;
    cv.notify_all();
  }
  void outputs_seen(std::map<std::string, std::string> o) override {
    std::lock_guard<std::mutex> g(mtx);
    seen.push_back(std::move(o));
  }
  void finished(driver_result r) override {
    std::lock_guard<std::mutex> g(mtx);
    result = std::move(r);
    ++finished_calls;
    cv.notify_all();
  }
  driver_result wait() {
    std::unique_lock<std::mutex> lock(mtx);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return result.has_value(); }));
    return result.value_or(driver_result{});
  }
  // Until stderr holds `text` (the fetcher said it got that far).
  bool wait_for_err(const std::string& text) {
    std::unique_lock<std::mutex> lock(mtx);
    return cv.wait_for(lock, std::chrono::seconds(30),
                       [&] { return err.find(text) != std::string::npos || result; }) &&
           err.find(text) != std::string::npos;
  }
};

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    out += buf;
  }
  return out;
}

std::string upper(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct ArtifactFetcher : ::testing::Test {
  static void SetUpTestSuite() {
    reactor::block_signals();
    become_subreaper();
  }

  ArtifactFetcher() {
    char tmpl[] = "/tmp/artifact-test-XXXXXX";
    if (!mkdtemp(tmpl))
      throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    cache = dir + "/cache";
  }
  ~ArtifactFetcher() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  std::string dir, cache;
  reactor react;
  http_client http;  // destroyed before the reactor: no callback outlives it
  output_limits limits;
  json input = {{"url", "https://vault.example:8200"},
                {"secret_name", "token"},
                {"artifact", {{"source", "x"}, {"sha256", "y"}}}};

  // A script under the test's directory; returns its path.
  std::string script(const std::string& name, const std::string& body) {
    std::string path = dir + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    chmod(path.c_str(), 0755);
    return path;
  }
  static std::string file_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  artifact_spec local(const std::string& path) {
    artifact_spec a;
    a.source = path;
    a.sha256 = sha256_hex(file_text(path));
    return a;
  }

  std::pair<std::shared_ptr<recorder>, std::unique_ptr<running_task>> start(artifact_spec a) {
    auto rec = std::make_shared<recorder>();
    auto h = start_artifact_fetcher(react, http, cache, std::move(a), input, limits,
                                    std::chrono::milliseconds(200), rec);
    return {rec, std::move(h)};
  }
  driver_result run(artifact_spec a) {
    auto [rec, h] = start(std::move(a));
    auto r = rec->wait();
    EXPECT_EQ(rec->finished_calls, 1);
    return r;
  }
  std::vector<std::string> cache_entries() {
    std::vector<std::string> names;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(cache, ec))
      names.push_back(e.path().filename().string());
    return names;
  }
};

TEST_F(ArtifactFetcher, RunsLocalFetcherWithSpecOnStdinAndOutputsFromStdout) {
  setenv("ARTIFACT_TEST_RUNNER_ONLY", "leaks", 1);
  auto path = script("fetch.sh",
                     "cat > '" + dir + "/stdin.json'\n"
                     "echo 'fetching the token' >&2\n"
                     "printf '{\"token\": \"s.abc\", \"n\": 42, \"f\": 1.5, \"ok\": true, "
                     "\"env\": \"%s\", \"cwd\": \"%s\"}\\n' \"${ARTIFACT_TEST_RUNNER_ONLY:-none}\" "
                     "\"$PWD\"\n");
  auto a = local(path);
  a.sha256 = upper(a.sha256);  // compared case-insensitively
  auto [rec, h] = start(a);
  auto r = rec->wait();
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_FALSE(r.stopped);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.outputs.at("token"), "s.abc");
  EXPECT_EQ(r.outputs.at("n"), "42");
  EXPECT_EQ(r.outputs.at("f"), "1.5");
  EXPECT_EQ(r.outputs.at("ok"), "true");
  EXPECT_EQ(r.outputs.at("env"), "none");  // a minimal environment
  EXPECT_EQ(rec->err, "fetching the token\n");
  EXPECT_EQ(rec->out, "");  // stdout is data, not a log
  ASSERT_EQ(rec->seen.size(), 1u);
  EXPECT_EQ(rec->seen[0].at("token"), "s.abc");
  // It read the whole spec on stdin.
  EXPECT_EQ(json::parse(file_text(dir + "/stdin.json")), input);
  // Its working directory was a fresh one, removed afterwards.
  auto cwd = r.outputs.at("cwd");
  EXPECT_TRUE(contains(cwd, "runner-artifact-")) << cwd;
  EXPECT_FALSE(fs::exists(cwd));
  // It ran from the private cache, as the file named by its hash.
  struct stat st;
  ASSERT_EQ(stat(cache.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat((cache + "/" + local(path).sha256).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(cache_entries().size(), 1u);
}

TEST_F(ArtifactFetcher, ShaMismatchNeverRuns) {
  std::string marker = dir + "/ran";
  auto path = script("fetch.sh", "touch '" + marker + "'\necho '{}'\n");
  auto a = local(path);
  std::string actual = a.sha256;
  a.sha256 = std::string(64, '0');
  auto r = run(a);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, "artifact " + path + ": sha256 mismatch: expected " + std::string(64, '0') +
                         ", got " + actual + "; the fetcher was not run");
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_TRUE(cache_entries().empty());  // no temporary file left behind
}

TEST_F(ArtifactFetcher, MissingLocalFile) {
  artifact_spec a;
  a.source = dir + "/nope";
  a.sha256 = std::string(64, 'a');
  auto r = run(a);
  EXPECT_EQ(r.error, "artifact " + dir + "/nope: cannot read it: No such file or directory");
}

TEST_F(ArtifactFetcher, NonZeroExitFailsWithStderrTail) {
  auto path = script("fetch.sh",
                     "i=1; while [ $i -le 30 ]; do echo \"line $i\" >&2; i=$((i+1)); done\n"
                     "echo '{\"a\": \"b\"}'\nexit 3\n");
  auto r = run(local(path));
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.exit_code, 3);
  std::string expected = "artifact fetcher exited with status 3: ";
  for (int i = 11; i <= 30; ++i)
    expected += "line " + std::to_string(i) + (i < 30 ? "\n" : "");
  EXPECT_EQ(r.error, expected);
  EXPECT_TRUE(r.outputs.empty());
}

TEST_F(ArtifactFetcher, StderrTailKeepsTheEndOfALongLine) {
  auto path = script("fetch.sh", "head -c 5000 /dev/zero | tr '\\0' x >&2\necho ' end' >&2\nexit 1\n");
  auto r = run(local(path));
  std::string prefix = "artifact fetcher exited with status 1: …";
  ASSERT_EQ(r.error.rfind(prefix, 0), 0u) << r.error;
  EXPECT_EQ(r.error.size(), prefix.size() + 2048);
  EXPECT_EQ(r.error.substr(r.error.size() - 5), "x end");
}

TEST_F(ArtifactFetcher, KilledBySignal) {
  auto path = script("fetch.sh", "echo dying >&2\nkill -KILL $$\n");
  auto r = run(local(path));
  EXPECT_EQ(r.error, "artifact fetcher was killed by SIGKILL: dying");
  EXPECT_FALSE(r.stopped);
}

TEST_F(ArtifactFetcher, NoJsonMapOnStdout) {
  auto not_json = run(local(script("a.sh", "echo 'secret-token-value'\necho 'bad luck' >&2\n")));
  EXPECT_EQ(not_json.error,
            "artifact fetcher printed no JSON map on stdout (stdout holds 19 bytes that are not "
            "JSON: syntax error at byte 1): bad luck");
  // What it printed is not quoted: it may be the secret itself.
  EXPECT_FALSE(contains(not_json.error, "secret-token-value"));
  auto array = run(local(script("b.sh", "echo '[1, 2]'\n")));
  EXPECT_EQ(array.error,
            "artifact fetcher printed no JSON map on stdout (stdout holds a JSON array, not a map "
            "of outputs) (it wrote nothing on stderr)");
  auto empty = run(local(script("c.sh", "exit 0\n")));
  EXPECT_EQ(empty.error,
            "artifact fetcher printed no JSON map on stdout (stdout was empty) (it wrote nothing "
            "on stderr)");
  EXPECT_EQ(empty.exit_code, 0);
  // A number too large for a double: out_of_range from nlohmann, not a crash.
  auto huge = run(local(script("d.sh", "echo '{\"v\": 1e99999}'\n")));
  EXPECT_EQ(huge.error,
            "artifact fetcher printed no JSON map on stdout (stdout holds 15 bytes that are not "
            "JSON: a number out of range) (it wrote nothing on stderr)");
}

TEST_F(ArtifactFetcher, NestedValueFails) {
  auto r = run(local(script("fetch.sh", "echo '{\"a\": \"1\", \"b\": {\"c\": 1}}'\n")));
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error,
            "artifact fetcher output `b` is not a single value (a JSON object): print a string, a "
            "number or a boolean");
  EXPECT_TRUE(r.outputs.empty());
  auto null = run(local(script("null.sh", "echo '{\"a\": null}'\n")));
  EXPECT_EQ(null.error,
            "artifact fetcher output `a` is not a single value (a JSON null): print a string, a "
            "number or a boolean");
}

TEST_F(ArtifactFetcher, StdoutOverTheLimitEndsIt) {
  limits.total_bytes = 1000;
  limits.value_bytes = 1000;
  // It would print forever: the limit ends it.
  auto r = run(local(script("fetch.sh", "exec yes '{\"a\": 1}'\n")));
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error,
            "artifact fetcher printed more than 5346 bytes on stdout and was ended (outputs may "
            "total 1000 bytes)");
}

TEST_F(ArtifactFetcher, ValueOverTheLimit) {
  limits.value_bytes = 10;
  auto r = run(local(script("fetch.sh", "echo '{\"a\": \"0123456789abc\"}'\n")));
  EXPECT_EQ(r.error,
            "artifact fetcher output `a` is 13 bytes, over the limit of 10 bytes for one value");
}

TEST_F(ArtifactFetcher, TimeoutEndsItWithStderrTail) {
  auto path = script("fetch.sh", "echo waiting >&2\nexec sleep 30\n");
  auto a = local(path);
  a.timeout = std::chrono::milliseconds(300);
  auto begin = std::chrono::steady_clock::now();
  auto r = run(a);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(20));
  EXPECT_FALSE(r.success);
  EXPECT_FALSE(r.stopped);
  // What it wrote before the timeout is in the tail, unless the machine was
  // too busy to let it write anything in 300ms.
  EXPECT_TRUE(r.error == "artifact fetcher timed out after 300ms: waiting" ||
              r.error == "artifact fetcher timed out after 300ms (it wrote nothing on stderr)")
      << r.error;
}

TEST_F(ArtifactFetcher, StopEndsTheRunAndSaysStopped) {
  auto path = script("fetch.sh", "trap '' TERM\necho started >&2\nwhile :; do sleep 1; done\n");
  auto [rec, h] = start(local(path));
  ASSERT_TRUE(rec->wait_for_err("started"));
  h->stop(stop_reason::cancelled);
  h->stop(stop_reason::cancelled);  // idempotent
  auto r = rec->wait();
  EXPECT_TRUE(r.stopped);
  EXPECT_FALSE(r.success);
  // It ignored SIGTERM, so SIGKILL after the grace period ended it.
  EXPECT_EQ(r.error, "artifact fetcher was stopped (SIGKILL): started");
  EXPECT_EQ(rec->finished_calls, 1);
}

TEST_F(ArtifactFetcher, StopRightAwaySaysStopped) {
  std::string marker = dir + "/ran";
  auto path = script("fetch.sh", "touch '" + marker + "'\nexec sleep 30\n");
  auto [rec, h] = start(local(path));
  h->stop(stop_reason::timed_out);
  auto r = rec->wait();
  EXPECT_TRUE(r.stopped);
  EXPECT_FALSE(r.success);
}

TEST_F(ArtifactFetcher, ReadArtifactSpec) {
  task_decl t;
  t.name = "t";
  t.type = "vault";
  auto problems = [&](json artifact) {
    diagnostics out;
    spec_problems p(t, "f.yaml", out);
    auto parsed = read_artifact_spec(artifact, &p);
    std::string all;
    for (auto& d : out)
      all += d.message + " | " + d.hint + "\n";
    EXPECT_EQ(parsed.has_value(), all.empty()) << all;
    return all;
  };
  std::string sha(64, 'a');
  EXPECT_EQ(problems({{"source", "./f"}, {"sha256", sha}}), "");
  EXPECT_EQ(problems({{"source", "https://h/f"}, {"sha256", upper(sha)}, {"timeout", "90s"}}), "");
  EXPECT_EQ(problems({{"source", "{{ .a.url }}"}, {"sha256", "{{ .a.sha }}"}, {"timeout", 5}}), "");

  EXPECT_EQ(problems("./f"),
            "task `t`: `artifact` must be a mapping with `source` and `sha256` | artifact: "
            "{source: ./fetch-token, sha256: <what `sha256sum FILE` prints>}\n");
  EXPECT_EQ(problems(json::object()),
            "task `t`: `artifact` needs `source` | the fetcher executable: a local path or an "
            "https:// URL\n"
            "task `t`: `artifact` needs `sha256` | the fetcher's SHA-256 as `sha256sum FILE` "
            "prints it: 64 hex digits\n");
  EXPECT_EQ(problems({{"source", "./f"}, {"sha256", sha}, {"sha265", sha}}),
            "task `t`: unknown artifact field `sha265` | did you mean `sha256`?\n");
  EXPECT_EQ(problems({{"source", "./f"}, {"sha256", sha}, {"checksum", sha}}),
            "task `t`: unknown artifact field `checksum` | artifact takes `source`, `sha256`, "
            "`timeout`\n");
  EXPECT_TRUE(contains(problems({{"source", 5}, {"sha256", sha}}), "`artifact.source` must be a string"));
  EXPECT_TRUE(contains(problems({{"source", ""}, {"sha256", sha}}), "`artifact.source` is empty"));
  EXPECT_EQ(problems({{"source", "http://h/f"}, {"sha256", sha}}),
            "task `t`: `artifact.source` http://h/f is plain HTTP: the fetcher is code that runs "
            "with the task's inputs, so it is only downloaded over https (the sha256 must not be "
            "the only guard) | use an https:// URL, or download the file and give its local "
            "path\n");
  EXPECT_TRUE(contains(problems({{"source", "ftp://h/f"}, {"sha256", sha}}),
                       "only https:// URLs and local paths are supported"));
  EXPECT_EQ(problems({{"source", "./f"}, {"sha256", 123}}),
            "task `t`: `artifact.sha256` must be a string of 64 hex digits | quote it: sha256: "
            "\"<64 hex digits>\"\n");
  EXPECT_TRUE(contains(problems({{"source", "./f"}, {"sha256", "abc"}}),
                       "`artifact.sha256` must be 64 hex digits, not 3"));
  EXPECT_TRUE(contains(problems({{"source", "./f"}, {"sha256", std::string(63, 'a') + "g"}}),
                       "`artifact.sha256` must be 64 hex digits; `g` at position 64 is not one"));
  EXPECT_TRUE(contains(problems({{"source", "./f"}, {"sha256", sha}, {"timeout", "soon"}}),
                       "`artifact.timeout`: `soon` is not a duration"));
  EXPECT_TRUE(contains(problems({{"source", "./f"}, {"sha256", sha}, {"timeout", "0s"}}),
                       "`artifact.timeout` must be more than 0"));
  EXPECT_TRUE(contains(problems({{"source", "./f"}, {"sha256", sha}, {"timeout", -5}}),
                       "`artifact.timeout` must be more than 0"));
  EXPECT_TRUE(contains(problems({{"source", "./f"}, {"sha256", sha}, {"timeout", true}}),
                       "`artifact.timeout` must be a duration"));

  // The reported positions are those of the fields.
  t.spec_marks = source_map({{"/artifact/sha256", source_mark{7, 3}}});
  diagnostics out;
  spec_problems p(t, "f.yaml", out);
  read_artifact_spec({{"source", "./f"}, {"sha256", "abc"}}, &p);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].mark.line, 7);

  // Null reporter; parsed values.
  EXPECT_FALSE(read_artifact_spec(json::object(), nullptr));
  auto parsed = read_artifact_spec({{"source", "./f"}, {"sha256", upper(sha)}, {"timeout", "2m"}},
                                   nullptr);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->sha256, sha);
  EXPECT_EQ(parsed->timeout, std::chrono::minutes(2));
  EXPECT_EQ(read_artifact_spec({{"source", "./f"}, {"sha256", sha}}, nullptr)->timeout,
            std::chrono::seconds(60));
  EXPECT_EQ(read_artifact_spec({{"source", "./f"}, {"sha256", sha}, {"timeout", 5}}, nullptr)->timeout,
            std::chrono::seconds(5));

  // At run time, templates are resolved: a "{{" is just a bad value.
  std::string error;
  EXPECT_FALSE(read_artifact_spec({{"source", "./f"}, {"sha256", "{{ .a.b }}"}}, error));
  EXPECT_TRUE(contains(error, "`artifact.sha256` must be 64 hex digits")) << error;
  EXPECT_TRUE(read_artifact_spec({{"source", "./f"}, {"sha256", sha}}, error));
  EXPECT_EQ(error, "");
}

// An https server on a kernel-chosen port, with a certificate of the test PKI,
// that serves `/fetch.sh` and counts requests.
struct https_server {
  explicit https_server(const std::string& dir) : pki(dir + "/pki") {
    auto leaf = pki.make_leaf("localhost");
    server = std::make_unique<httplib::SSLServer>(leaf.cert.c_str(), leaf.key.c_str());
    if (!server->is_valid())
      throw std::runtime_error("SSLServer: bad certificate");
    // One request per connection: stop() need not wait for idle keep-alives.
    server->set_keep_alive_max_count(1);
    server->Get("/fetch.sh", [this](const httplib::Request&, httplib::Response& res) {
      ++requests;
      res.set_content(body, "application/octet-stream");
    });
    port = server->bind_to_any_port("127.0.0.1");
    if (port <= 0)
      throw std::runtime_error("SSLServer: cannot listen");
    // The socket listens already: clients may connect before the loop runs.
    thread = std::thread([this] { server->listen_after_bind(); });
    // But stop() does nothing before the loop has started (httplib checks
    // is_running()), and the thread would then accept forever.
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!server->is_running() && std::chrono::steady_clock::now() < until)
      std::this_thread::yield();
  }
  ~https_server() {
    server->stop();
    thread.join();
  }
  std::string url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(port) + path;
  }

  test::test_pki pki;
  std::unique_ptr<httplib::SSLServer> server;
  std::string body;
  std::atomic<int> requests{0};
  int port = -1;
  std::thread thread;
};

struct ArtifactDownload : ArtifactFetcher {
  // Destroyed before the fixture's reactor and client; the server closes each
  // connection after its response, so stopping it waits for no idle client.
  std::unique_ptr<https_server> server = std::make_unique<https_server>(dir);

  artifact_spec remote(const std::string& path, const std::string& content) {
    artifact_spec a;
    a.source = server->url(path);
    a.sha256 = sha256_hex(content);
    a.ca_file = server->pki.ca_cert();
    return a;
  }
};

TEST_F(ArtifactDownload, DownloadsChecksRunsAndReusesTheCache) {
  server->body = "#!/bin/sh\ncat > /dev/null\necho '{\"token\": \"from-the-web\"}'\n";
  auto a = remote("/fetch.sh", server->body);
  auto first = run(a);
  ASSERT_TRUE(first.success) << first.error;
  EXPECT_EQ(first.outputs.at("token"), "from-the-web");
  EXPECT_EQ(server->requests.load(), 1);
  EXPECT_EQ(cache_entries(), std::vector<std::string>{a.sha256});
  // Second run: from the cache, the server is not asked.
  auto second = run(a);
  ASSERT_TRUE(second.success) << second.error;
  EXPECT_EQ(second.outputs.at("token"), "from-the-web");
  EXPECT_EQ(server->requests.load(), 1);
}

TEST_F(ArtifactDownload, DamagedCacheEntryIsFetchedAgain) {
  server->body = "#!/bin/sh\necho '{\"ok\": true}'\n";
  auto a = remote("/fetch.sh", server->body);
  mkdir(cache.c_str(), 0700);
  std::ofstream(cache + "/" + a.sha256) << "#!/bin/sh\necho tampered\n";
  auto r = run(a);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.outputs.at("ok"), "true");
  EXPECT_EQ(server->requests.load(), 1);
  EXPECT_EQ(file_text(cache + "/" + a.sha256), server->body);
}

TEST_F(ArtifactDownload, HashMismatchIsNotRunNorCached) {
  std::string marker = dir + "/ran";
  server->body = "#!/bin/sh\ntouch '" + marker + "'\necho '{}'\n";
  auto a = remote("/fetch.sh", "something else");
  auto r = run(a);
  EXPECT_EQ(r.error, "artifact " + a.source + ": sha256 mismatch: expected " + a.sha256 +
                         ", got " + sha256_hex(server->body) + "; the fetcher was not run");
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_TRUE(cache_entries().empty());
}

TEST_F(ArtifactDownload, NotFound) {
  auto a = remote("/missing.sh", "x");
  auto r = run(a);
  EXPECT_FALSE(r.success);
  EXPECT_FALSE(r.infrastructure);
  EXPECT_EQ(r.error, "artifact download " + a.source + " failed: HTTP 404");
}

TEST_F(ArtifactDownload, UntrustedCertificateNamesTheCurlError) {
  server->body = "#!/bin/sh\necho '{}'\n";
  auto a = remote("/fetch.sh", server->body);
  a.ca_file = server->pki.other_ca_cert();
  auto r = run(a);
  EXPECT_EQ(r.error.rfind("artifact download " + a.source + " failed: ", 0), 0u) << r.error;
  EXPECT_GT(r.error.size(), ("artifact download " + a.source + " failed: ").size());
  EXPECT_EQ(server->requests.load(), 0);
}

TEST_F(ArtifactDownload, PlainHttpIsRefused) {
  server->body = "#!/bin/sh\necho '{}'\n";
  auto a = remote("/fetch.sh", server->body);
  a.source = "http://127.0.0.1:" + std::to_string(server->port) + "/fetch.sh";
  auto r = run(a);
  EXPECT_EQ(r.error, "artifact " + a.source +
                         ": plain http:// is refused; the fetcher is only downloaded over https");
  EXPECT_EQ(server->requests.load(), 0);
  std::string error;
  EXPECT_FALSE(read_artifact_spec({{"source", a.source}, {"sha256", a.sha256}}, error));
  EXPECT_TRUE(contains(error, "is plain HTTP")) << error;
}

}  // namespace
}  // namespace runner
