// Secrets in the encodings other tools print them in, through the real binary:
// a task prints an imported confidential value the way base64, Python's
// urllib and json, Go and PHP write it, on stdout and stderr, and exports a
// value that holds it; none of it may show in the log or the result. Also the
// warning for a value too short to mask, and the config's masking.patterns.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/harness.hpp"
#include "tests/support/base64.hpp"

namespace runner::test {
namespace {

// Every character class an encoder treats differently: space, '/', '+', '"',
// < > &, '@', and non-ASCII.
const std::string kSecret = "p@ss w/rd<&>+\"x\"-S\xC3\xA9" "cret";
const std::string kCrSecret = "crpart-one\rcrpart-two";

const char kShow[] = R"(import base64, json, os, subprocess, sys, urllib.parse
s = os.environ["TOK"]
b = s.encode()
def out(label, text, err=False):
    print(label + ": " + text, file=sys.stderr if err else sys.stdout, flush=True)
out("plain", s)
out("form", urllib.parse.quote_plus(s))
out("every-upper", "".join("%%%02X" % c for c in b))
out("every-lower", "".join("%%%02x" % c for c in b), err=True)
out("php", json.dumps(s).replace("/", "\\/"))
out("go", json.dumps(s, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"), err=True)
out("unicode-lower", "".join("\\u%04x" % ord(c) for c in s))
out("unicode-upper", "".join("\\u%04X" % ord(c) for c in s), err=True)
out("cr", os.environ["CR"])
out("cr-split", os.environ["CR"].replace("\r", "\n"))
out("pin", os.environ["PIN"])
print("wrapped:", flush=True)
subprocess.run(["base64"], input=b"x" * 50 + b + b"\n", check=True)
print("end of wrapped", flush=True)
with open(os.environ["OUTPUT_FILE"], "a") as f:
    f.write("enc=" + urllib.parse.quote_plus(s) + "\n")
)";

struct masked_run {
  run_output raw;
  nlohmann::json result;
};

masked_run run_show(const temp_dir& tmp, const std::vector<std::string>& extra = {}) {
  tmp.write("secret", kSecret);
  tmp.write("cr", kCrSecret);
  auto show = tmp.write("show.py", kShow);
  auto group = tmp.write("group.yaml", R"(
taskGroup:
  - name: fetch
    type: os_exec
    spec:
      command: |
        { printf 'tok<<EOF\n'; cat )" + tmp.file("secret") + R"(; printf '\nEOF\n'
          printf 'cr<<EOF\n'; cat )" + tmp.file("cr") + R"(; printf '\nEOF\n'
          printf 'pin=7f3\n'; } >> "$OUTPUT_FILE"
    exports:
      - {name: tok, confidential: true, scope: global}
      - {name: cr, confidential: true, scope: global}
      - {name: pin, confidential: true, scope: global}
  - name: show
    type: os_exec
    imports:
      - {from: fetch, variable: tok}
      - {from: fetch, variable: cr}
      - {from: fetch, variable: pin}
    spec:
      command: ["python3", ")" + show + R"("]
      envs: {TOK: "{{ .fetch.tok }}", CR: "{{ .fetch.cr }}", PIN: "{{ .fetch.pin }}"}
    exports: [{name: enc, scope: global}]
)");
  std::vector<std::string> args{"run", group, "--output", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  masked_run r;
  r.raw = run_runner(args);
  EXPECT_FALSE(r.raw.timed_out);
  r.result = parse_json(r.raw.out);
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  for (auto& l : lines_of(text))
    if (l == line)
      return true;
  return false;
}

TEST(Masking, EveryEncodingOnBothStreamsAndInTheResult) {
  temp_dir tmp;
  auto r = run_show(tmp);
  ASSERT_EQ(r.raw.exit_code, 0) << r.raw.err;
  const std::string& log = r.raw.err;  // --output json: the task log is on stderr
  for (const char* label : {"plain", "form", "every-upper", "every-lower", "unicode-lower",
                            "unicode-upper", "cr"})
    EXPECT_TRUE(has_line(log, std::string("[show] ") + label + ": ***")) << label << "\n" << log;
  // Each part of a value with a '\r' inside, on a line of its own.
  EXPECT_TRUE(has_line(log, "[show] cr-split: ***")) << log;
  EXPECT_TRUE(has_line(log, "[show] ***")) << log;
  for (const char* label : {"php", "go"})  // json.dumps writes the quotes
    EXPECT_TRUE(has_line(log, std::string("[show] ") + label + ": \"***\"")) << label << "\n" << log;

  // base64 of 50 'x' and the secret: it starts at character 67 of the first
  // 76-character line and ends on the second; both lines show *** where they
  // carry it, and nothing else is changed.
  std::string full = base64(std::string(50, 'x') + kSecret + "\n");
  size_t begin = (8 * 50 + 5) / 6, end = 8 * (50 + kSecret.size()) / 6;
  ASSERT_LT(begin, 76u);
  ASSERT_GT(end, 76u);
  EXPECT_TRUE(has_line(log, "[show] " + full.substr(0, begin) + "***")) << log;
  EXPECT_TRUE(has_line(log, "[show] ***" + full.substr(end))) << log;
  EXPECT_TRUE(has_line(log, "[show] end of wrapped")) << log;

  // The exported value held the secret form-encoded: masked in the result.
  EXPECT_EQ(r.result["results"]["show"]["outputs"]["enc"], "***") << r.raw.out;
  for (const std::string& leak :
       {std::string("p@ss"), std::string("p%40ss"), std::string("crpart"),
        full.substr(begin, 8), full.substr(76, end - 76 > 8 ? 8 : end - 76)}) {
    EXPECT_EQ(log.find(leak), std::string::npos) << leak << "\n" << log;
    EXPECT_EQ(r.raw.out.find(leak), std::string::npos) << leak << "\n" << r.raw.out;
  }
}

TEST(Masking, AValueTooShortToMaskIsNamedOnceNeverShown) {
  temp_dir tmp;
  auto r = run_show(tmp);
  ASSERT_EQ(r.raw.exit_code, 0) << r.raw.err;
  const std::string warning =
      "[fetch] runner: the confidential value of `fetch.pin` is shorter than 4 characters and "
      "is not masked in output";
  size_t at = r.raw.err.find(warning);
  ASSERT_NE(at, std::string::npos) << r.raw.err;
  EXPECT_EQ(r.raw.err.find(warning, at + 1), std::string::npos) << "warned twice";
  // Not used as a mask: "7f3" is printed as it is, and the result keeps it confidential.
  EXPECT_TRUE(has_line(r.raw.err, "[show] pin: 7f3")) << r.raw.err;
  EXPECT_EQ(r.result["results"]["fetch"]["outputs"]["pin"], "***");
}

TEST(Masking, ConfigPatternsMaskWhatNobodyDeclared) {
  temp_dir tmp;
  auto config = tmp.write("runner.yaml", "name: node-a\ntls: off\nstate_dir: " +
                                             tmp.file("state") +
                                             "\nmasking:\n  patterns:\n"
                                             "    - 'gh[pousr]_[A-Za-z0-9]{36,}'\n");
  const std::string token = "ghp_" + std::string(36, 'Z');
  auto group = tmp.write("group.yaml", R"(
taskGroup:
  - name: leak
    type: os_exec
    spec:
      command: |
        echo "token )" + token + R"( here"
        echo "out=)" + token + R"(" >> "$OUTPUT_FILE"
    exports: [{name: out, scope: global}]
)");
  auto r = run_runner({"run", group, "--config", config, "--output", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has_line(r.err, "[leak] token *** here")) << r.err;
  EXPECT_EQ(parse_json(r.out)["results"]["leak"]["outputs"]["out"], "***") << r.out;
  EXPECT_EQ(r.err.find(token), std::string::npos);
  EXPECT_EQ(r.out.find(token), std::string::npos);
  // Without the config, nothing is masked: the rule did it.
  auto plain = run_runner({"run", group, "--output", "json"});
  EXPECT_NE(plain.err.find(token), std::string::npos) << plain.err;
}

TEST(Masking, ABadPatternIsAConfigErrorWithItsPlace) {
  temp_dir tmp;
  auto config = tmp.write("runner.yaml", "name: node-a\ntls: off\nmasking:\n  patterns:\n"
                                         "    - 'ok'\n    - '(unclosed'\n");
  auto group = tmp.write("group.yaml", "taskGroup:\n  - {name: t, type: os_exec, spec: {command: 'true'}}\n");
  auto r = run_runner({"run", group, "--config", config});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("runner.yaml:6:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not a valid RE2 expression"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace runner::test
