// Documents written to hurt the runner, through the real binary: nesting
// deep enough to overflow a recursive parser's stack, a hundred thousand
// problems, files that never end or block, a document on standard input
// that never comes, control characters in names. Each gets a clear error
// (exit code 2) instead of a crash, a hang or a quadratic wait.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "mesh_harness.hpp"

namespace runner::test {
namespace {

using namespace std::chrono_literals;

std::string one_task(const std::string& spec_value, const std::string& when = "") {
  std::string text = "taskGroup:\n  - name: a\n    type: expression_evaluation\n";
  if (!when.empty())
    text += "    when: \"" + when + "\"\n";
  return text + "    spec: {string_to_evaluate: \"" + spec_value + "\"}\n";
}

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i)
    out += s;
  return out;
}

// Whether SIGTERM is in the process's blocked mask (/proc/PID/status SigBlk).
bool sigterm_blocked(pid_t pid) {
  std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  auto at = status.find("SigBlk:");
  if (at == std::string::npos)
    return false;
  unsigned long long mask = std::stoull(status.substr(at + 7), nullptr, 16);
  return (mask >> (SIGTERM - 1)) & 1;
}

void expect_refused(const run_output& r, const std::string& file, const std::string& text) {
  EXPECT_FALSE(r.timed_out) << file;
  EXPECT_EQ(r.exit_code, 2) << file << "\n" << r.err.substr(0, 2000);
  EXPECT_TRUE(contains(r.err, text)) << file << "\n" << r.err.substr(0, 2000);
}

TEST(HostileDocuments, DeepExpressionsAreRefusedWithLineAndColumn) {
  temp_dir d;
  struct doc {
    std::string name, text;
  } docs[] = {
      {"parens.yaml", one_task("<+ " + repeat("(", 20000) + "1" + repeat(")", 20000) + " >")},
      {"minus.yaml", one_task("<+ " + repeat("-", 200000) + "1 >")},
      {"chain.yaml", one_task("<+ " + repeat("1+", 100000) + "1 >")},
      {"bang.yaml", one_task("x", repeat("!", 200000) + "true")},
  };
  for (auto& doc : docs) {
    auto file = d.write(doc.name, doc.text);
    for (const char* cmd : {"validate", "run"}) {
      auto r = run_runner({cmd, file}, 60s);
      expect_refused(r, std::string(cmd) + " " + doc.name, "nests deeper than 256 levels");
      EXPECT_TRUE(contains(r.err, file + ":4:") || contains(r.err, file + ":5:")) << r.err;
    }
  }
}

TEST(HostileDocuments, DeepYamlIsRefused) {
  temp_dir d;
  auto lists = d.write("lists.yaml", "taskGroup: " + repeat("[", 100000) + repeat("]", 100000) + "\n");
  auto maps = d.write("maps.yaml", "taskGroup: " + repeat("{a: ", 50000) + "1" + repeat("}", 50000) + "\n");
  for (auto& file : {lists, maps}) {
    auto r = run_runner({"validate", file}, 60s);
    expect_refused(r, file, "nests deeper than 256 levels of lists and mappings");
    EXPECT_TRUE(contains(r.err, file + ":1:")) << r.err;
  }
}

// 100,000 undeclared references in 1 MB: answered in linear time (this took
// over a minute when each problem's position was counted from the start of
// its string) and cut to the first 100.
TEST(HostileDocuments, AHundredThousandProblemsAreFoundFastAndShownShort) {
  temp_dir d;
  auto file = d.write("many.yaml", one_task(repeat("{{ .a.b }} ", 100000)));
  auto r = run_runner({"validate", file}, 60s);
  expect_refused(r, file, "... and 99900 more problems not shown");
  EXPECT_TRUE(contains(r.err, "100000 problems found")) << r.err.substr(r.err.size() - 500);
  size_t shown = 0;
  for (size_t at = r.err.find(": error: "); at != std::string::npos;
       at = r.err.find(": error: ", at + 1))
    ++shown;
  EXPECT_EQ(shown, 100u);
}

TEST(HostileDocuments, OnlyRegularFilesOfBoundedSizeAreRead) {
  temp_dir d;
  auto r = run_runner({"validate", "/dev/zero"}, 30s);
  expect_refused(r, "/dev/zero", "it is a character device, not a regular file");

  auto fifo = d.file("fifo.yaml");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  r = run_runner({"validate", fifo}, 30s);  // no writer: open() would block
  expect_refused(r, fifo, "it is a FIFO, not a regular file");

  // Refused from its size alone: a sparse 65 MiB file is never read.
  auto huge = d.file("huge.yaml");
  ASSERT_EQ(truncate(d.write("huge.yaml", "").c_str(), off_t{65} << 20), 0);
  r = run_runner({"validate", huge}, 30s);
  expect_refused(r, huge, "is larger than 64 MiB");
  EXPECT_TRUE(contains(r.err, "--max-document-size")) << r.err;

  auto small = d.write("small.yaml", one_task("<+ 1 >") + repeat("# padding\n", 200));
  r = run_runner({"--max-document-size", "1KiB", "validate", small}, 30s);
  expect_refused(r, small, "is larger than 1024 bytes");
  r = run_runner({"validate", small}, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// `-` reads the document from standard input; one that never comes does
// not keep SIGTERM from ending the runner (the runner blocks the signal
// for its reactor, so a plain read would never return).
TEST(HostileDocuments, StandardInputIsReadAndASignalEndsAWaitForIt) {
  temp_dir d;
  auto file = d.write("g.yaml", one_task("<+ 1 >"));
  process ok({"/bin/sh", "-c", "exec \"$0\" validate - < \"$1\"", runner_binary(), file});
  auto r = ok.wait(30s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "-: ok (1 tasks)")) << r.out;

  // A FIFO opened read-write never ends and never has data.
  auto fifo = d.file("silent");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  process waiting({"/bin/sh", "-c", "exec \"$0\" validate - <> \"$1\"", runner_binary(), fifo});
  // Once the runner has blocked SIGTERM (before that, the signal would
  // simply kill it, which proves nothing).
  ASSERT_TRUE(eventually([&] { return sigterm_blocked(waiting.pid()); }));
  kill(waiting.pid(), SIGTERM);
  auto w = waiting.wait(10s);
  EXPECT_FALSE(w.timed_out) << "SIGTERM did not end a runner waiting for its document";
  EXPECT_TRUE(contains(w.err, "stopped by a signal while reading `-`")) << w.err;
}

TEST(HostileDocuments, ControlCharactersInNamesArePrintedEscaped) {
  temp_dir d;
  auto file = d.write("nul.yaml", "taskGroup:\n  - name: \"a\\0b\\e[31m\"\n"
                                  "    type: expression_evaluation\n"
                                  "    spec: {string_to_evaluate: x}\n");
  auto r = run_runner({"validate", file}, 30s);
  expect_refused(r, file, "task name `a\\x00b\\x1b[31m` is not valid");
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << "an escape sequence reached the terminal";
  EXPECT_TRUE(contains(r.err, "1 problem found")) << r.err;
}

}  // namespace
}  // namespace runner::test
