#include "drivers/artifact_fetcher.hpp"
#include "schema/json_text.hpp"
#include "drivers/signal_name.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>

#include "schema/duration.hpp"
#include "schema/suggest.hpp"

namespace runner {

namespace {

const std::vector<std::string> artifact_fields{"source", "sha256", "timeout"};

// How much of the fetcher's stderr an error quotes.
constexpr size_t tail_keep_bytes = 4096;  // kept while it runs
constexpr size_t tail_bytes = 2048;
constexpr size_t tail_lines = 20;

// A download is one exchange; the task's own timeout and stop() bound it too.
constexpr auto download_timeout = std::chrono::minutes(10);

std::string errno_text(int err) {
  return std::strerror(err);
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool starts_with_ci(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && lower(s.substr(0, prefix.size())) == prefix;
}

bool has_template(const std::string& s) {
  return s.find("{{") != std::string::npos;
}

std::string human_size(size_t bytes) {
  char buf[64];
  if (bytes < 1024 || bytes % 1024 != 0)
    std::snprintf(buf, sizeof buf, "%zu bytes", bytes);
  else if (bytes % (1u << 20) != 0)
    std::snprintf(buf, sizeof buf, "%zu KiB", bytes >> 10);
  else
    std::snprintf(buf, sizeof buf, "%zu MiB", bytes >> 20);
  return buf;
}

// SHA-256 with OpenSSL's EVP interface, fed in pieces.
class sha256_hasher {
 public:
  sha256_hasher() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
  }
  ~sha256_hasher() { EVP_MD_CTX_free(ctx_); }
  sha256_hasher(const sha256_hasher&) = delete;
  sha256_hasher& operator=(const sha256_hasher&) = delete;

  void update(const void* data, size_t n) { EVP_DigestUpdate(ctx_, data, n); }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, md, &len);
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
      out += digits[md[i] >> 4];
      out += digits[md[i] & 15];
    }
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

bool write_all(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// `dir` and its parents exist; `dir` itself is a directory of ours that only
// we can read (mode 0700: nobody else may plant or swap an executable there).
// Returns an error, or "".
std::string ensure_private_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::path p(dir);
  if (p.has_parent_path())
    std::filesystem::create_directories(p.parent_path(), ec);
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return "cannot create the artifact cache " + dir + ": " + errno_text(errno);
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0)
    return "cannot use the artifact cache " + dir + ": " + errno_text(errno);
  if (!S_ISDIR(st.st_mode))
    return "the artifact cache " + dir + " is not a directory";
  if (st.st_uid != geteuid())
    return "the artifact cache " + dir + " belongs to another user";
  if ((st.st_mode & 077) != 0 && chmod(dir.c_str(), 0700) != 0)
    return "cannot make the artifact cache " + dir + " private: " + errno_text(errno);
  return "";
}

// The hash of a cache entry, or "" when there is no usable one (missing, not
// a regular file of ours).
std::string hash_cached(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return "";
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
    close(fd);
    return "";
  }
  sha256_hasher h;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      close(fd);
      return "";
    }
    if (n == 0)
      break;
    h.update(buf, static_cast<size_t>(n));
  }
  close(fd);
  return h.hex();
}

// A file being written into the cache under a temporary name; renamed to
// `<sha256>` by commit(), removed if it never gets there.
class cache_writer {
 public:
  cache_writer(const std::string& cache_dir, const std::string& sha256)
      : final_(cache_dir + "/" + sha256), tmp_(cache_dir + "/." + sha256 + ".XXXXXX") {
    fd_ = mkostemp(tmp_.data(), O_CLOEXEC);
    if (fd_ < 0) {
      error_ = "cannot write into the artifact cache " + cache_dir + ": " + errno_text(errno);
      return;
    }
    created_ = true;
    if (fchmod(fd_, 0700) != 0)
      error_ = "cannot make " + tmp_ + " executable: " + errno_text(errno);
  }
  ~cache_writer() {
    if (fd_ >= 0)
      close(fd_);
    if (created_ && !committed_)
      unlink(tmp_.c_str());
  }
  cache_writer(const cache_writer&) = delete;
  cache_writer& operator=(const cache_writer&) = delete;

  const std::string& error() const { return error_; }
  bool write(const char* data, size_t n) {
    if (!error_.empty())
      return false;
    if (!write_all(fd_, data, n)) {
      error_ = "cannot write " + tmp_ + ": " + errno_text(errno);
      return false;
    }
    return true;
  }
  // The file's final path, or "" (see error()).
  std::string commit() {
    if (!error_.empty())
      return "";
    // Closed before it can be run: a file still open for writing cannot be
    // executed (ETXTBSY).
    int rc = close(fd_);
    fd_ = -1;
    if (rc != 0) {
      error_ = "cannot write " + tmp_ + ": " + errno_text(errno);
      return "";
    }
    // Atomic: whoever runs `<sha256>` sees a complete, verified file. Another
    // task may have put the same content there meanwhile; replacing it is fine.
    if (rename(tmp_.c_str(), final_.c_str()) != 0) {
      error_ = "cannot rename " + tmp_ + " to " + final_ + ": " + errno_text(errno);
      return "";
    }
    committed_ = true;
    return final_;
  }

 private:
  std::string final_, tmp_;
  int fd_ = -1;
  std::string error_;
  bool created_ = false;
  bool committed_ = false;
};

std::string mismatch(const std::string& source, const std::string& expected,
                     const std::string& actual) {
  return "artifact " + source + ": sha256 mismatch: expected " + expected + ", got " + actual +
         "; the fetcher was not run";
}

// The last lines of what the fetcher wrote on stderr: at most tail_lines
// lines, and no more of them than fit in tail_bytes.
std::string stderr_tail(const std::string& kept) {
  std::string_view text(kept);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  if (text.empty())
    return "";
  auto line_start_before = [&](size_t end) -> size_t {  // start of the line ending at `end`
    size_t nl = end == 0 ? std::string_view::npos : text.rfind('\n', end - 1);
    return nl == std::string_view::npos ? 0 : nl + 1;
  };
  size_t start = line_start_before(text.size());
  if (text.size() - start > tail_bytes) {
    // One last line longer than that: its end, not starting inside a UTF-8 sequence.
    start = text.size() - tail_bytes;
    while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
      ++start;
    return "…" + std::string(text.substr(start));
  }
  for (size_t lines = 1; lines < tail_lines && start > 0; ++lines) {
    size_t earlier = line_start_before(start - 1);  // text[start - 1] is its '\n'
    if (text.size() - earlier > tail_bytes)
      break;
    start = earlier;
  }
  return std::string(text.substr(start));
}

std::string with_tail(std::string message, const std::string& kept) {
  auto tail = stderr_tail(kept);
  if (tail.find_first_not_of(" \t\r\n") == std::string::npos)
    return message + " (it wrote nothing on stderr)";
  return message + ": " + tail;
}

// What stdout held instead of a JSON map, without quoting it: a fetcher that
// printed its secret bare must not have it shown in the error.
std::string describe_stdout(const std::string& out) {
  if (out.find_first_not_of(" \t\r\n") == std::string::npos)
    return "stdout was empty";
  try {
    json j = json::parse(out);
    return "stdout holds a JSON " + std::string(j.type_name()) + ", not a map of outputs";
  } catch (const json::parse_error& e) {
    return "stdout holds " + std::to_string(out.size()) +
           " bytes that are not JSON: syntax error at byte " + std::to_string(e.byte);
  } catch (const json::exception&) {  // a number too large for a double
    return "stdout holds " + std::to_string(out.size()) +
           " bytes that are not JSON: a number out of range";
  }
}

std::vector<std::string> minimal_environment() {
  const char* path = std::getenv("PATH");
  const char* home = std::getenv("HOME");
  const char* lang = std::getenv("LANG");
  return {std::string("PATH=") + (path && *path ? path : "/usr/local/bin:/usr/bin:/bin"),
          std::string("HOME=") + (home && *home ? home : "/"),
          std::string("LANG=") + (lang && *lang ? lang : "C.UTF-8")};
}

using reporter = std::function<void(const std::string& pointer, std::string message, std::string hint)>;

std::optional<artifact_spec> read_spec(const json& artifact, const reporter& report,
                                       bool templates_pending) {
  bool ok = true;
  auto problem = [&](const std::string& pointer, std::string message, std::string hint) {
    ok = false;
    report(pointer, std::move(message), std::move(hint));
  };
  if (!artifact.is_object()) {
    problem("/artifact", "`artifact` must be a mapping with `source` and `sha256`",
            "artifact: {source: ./fetch-token, sha256: <what `sha256sum FILE` prints>}");
    return std::nullopt;
  }
  artifact_spec a;
  for (auto& [key, value] : artifact.items()) {
    if (std::find(artifact_fields.begin(), artifact_fields.end(), key) == artifact_fields.end()) {
      auto guess = closest_match(key, artifact_fields);
      problem("/artifact/" + key, "unknown artifact field `" + key + "`",
              guess.empty() ? "artifact takes " + quoted_list(artifact_fields)
                            : "did you mean `" + guess + "`?");
    }
  }

  if (!artifact.contains("source")) {
    problem("/artifact", "`artifact` needs `source`",
            "the fetcher executable: a local path or an https:// URL");
  } else if (!artifact["source"].is_string()) {
    problem("/artifact/source", "`artifact.source` must be a string",
            "source: ./fetch-token  or  source: https://example.com/fetch-token");
  } else {
    a.source = artifact["source"].get<std::string>();
    bool pending = templates_pending && a.source.rfind("{{", 0) == 0;
    if (a.source.empty()) {
      problem("/artifact/source", "`artifact.source` is empty",
              "give a local path or an https:// URL of the fetcher executable");
    } else if (pending || starts_with_ci(a.source, "https://")) {
      // a URL (or a value known at run time)
    } else if (starts_with_ci(a.source, "http://")) {
      problem("/artifact/source",
              "`artifact.source` " + a.source +
                  " is plain HTTP: the fetcher is code that runs with the task's inputs, "
                  "so it is only downloaded over https (the sha256 must not be the only guard)",
              "use an https:// URL, or download the file and give its local path");
    } else if (auto scheme = a.source.find("://");
               scheme != std::string::npos &&
               a.source.find('/') == scheme + 1) {  // "ftp://x", not "./dir/a://b"
      problem("/artifact/source",
              "`artifact.source` " + a.source + ": only https:// URLs and local paths are supported",
              "use an https:// URL, or a local path");
    }
  }

  if (!artifact.contains("sha256")) {
    problem("/artifact", "`artifact` needs `sha256`",
            "the fetcher's SHA-256 as `sha256sum FILE` prints it: 64 hex digits");
  } else if (!artifact["sha256"].is_string()) {
    problem("/artifact/sha256", "`artifact.sha256` must be a string of 64 hex digits",
            "quote it: sha256: \"<64 hex digits>\"");
  } else {
    a.sha256 = lower(artifact["sha256"].get<std::string>());
    if (!(templates_pending && has_template(a.sha256))) {
      auto bad = a.sha256.find_first_not_of("0123456789abcdef");
      if (bad != std::string::npos)
        problem("/artifact/sha256",
                "`artifact.sha256` must be 64 hex digits; `" + a.sha256.substr(bad, 1) +
                    "` at position " + std::to_string(bad + 1) + " is not one",
                "copy it from what `sha256sum FILE` prints");
      else if (a.sha256.size() != 64)
        problem("/artifact/sha256",
                "`artifact.sha256` must be 64 hex digits, not " + std::to_string(a.sha256.size()),
                "copy it from what `sha256sum FILE` prints");
    }
  }

  if (artifact.contains("timeout")) {
    const auto& t = artifact["timeout"];
    const std::string hint = "write a duration such as `30s`, `5m` or `500ms` (a bare number "
                             "means seconds)";
    std::optional<std::chrono::milliseconds> d;
    if (t.is_number_integer()) {  // seconds; zero or less is caught below
      bool huge = t.is_number_unsigned() ? t.get<uint64_t>() > (uint64_t{1} << 40)
                                         : t.get<int64_t>() > (int64_t{1} << 40);
      if (huge)
        problem("/artifact/timeout", "`artifact.timeout` is too long", hint);
      else
        d = std::chrono::seconds(t.get<int64_t>());
    } else if (t.is_string()) {
      auto text = t.get<std::string>();
      if (templates_pending && has_template(text))
        d = a.timeout;
      else if (!(d = parse_duration(text)))
        problem("/artifact/timeout", "`artifact.timeout`: `" + text + "` is not a duration", hint);
    } else {
      problem("/artifact/timeout", "`artifact.timeout` must be a duration", hint);
    }
    if (d && d->count() <= 0)
      problem("/artifact/timeout", "`artifact.timeout` must be more than 0", hint);
    else if (d)
      a.timeout = *d;
  }
  if (!ok)
    return std::nullopt;
  return a;
}

// One fetcher run: preparing the executable on the http client's thread
// (hashing, copying, downloading), then the process on the reactor's.
class fetch_job : public process_listener, public std::enable_shared_from_this<fetch_job> {
 public:
  fetch_job(reactor& r, http_client& http, std::string cache_dir, artifact_spec a, json input,
            output_limits limits, std::chrono::milliseconds grace,
            std::shared_ptr<task_events> events)
      : reactor_(r),
        http_(http),
        cache_dir_(std::move(cache_dir)),
        spec_(std::move(a)),
        input_(std::move(input)),
        limits_(limits),
        grace_(grace),
        events_(std::move(events)) {}

  // http client thread. Hashing (and copying) a file of a few MB here takes
  // milliseconds; the largest download (max_artifact_bytes) about a second,
  // during which other requests of the client wait.
  void prepare() {
    if (stopped_before_start())
      return;
    // It names a file in the cache: nothing but hex digits may get there.
    if (spec_.sha256.size() != 64 ||
        spec_.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
      return fail("artifact " + spec_.source + ": `sha256` must be 64 hex digits");
    if (auto err = ensure_private_dir(cache_dir_); !err.empty())
      return fail(err, true);
    if (starts_with_ci(spec_.source, "https://"))
      return prepare_download();
    if (starts_with_ci(spec_.source, "http://"))
      return fail("artifact " + spec_.source +
                  ": plain http:// is refused; the fetcher is only downloaded over https");
    prepare_local();
  }

  // Any thread.
  void stop() {
    std::lock_guard<std::mutex> g(mtx_);
    if (stop_requested_)
      return;
    stop_requested_ = true;
    if (downloading_)
      http_.cancel(download_);
    if (started_ && !exited_)
      reactor_.terminate(pid_, grace_);
  }

  // Reactor thread.
  void on_output(stream_kind stream, std::string_view data, const flow_ticket& ticket) override {
    if (stream == stream_kind::out) {
      if (stdout_over_)
        return;
      if (stdout_.size() + data.size() > stdout_limit()) {
        // Ended rather than read on: its outputs are lost anyway, and memory
        // stays bounded whatever it prints.
        stdout_over_ = true;
        stdout_.clear();
        stdout_.shrink_to_fit();
        reactor_.terminate(pid_, grace_);
        return;
      }
      stdout_.append(data);
      return;
    }
    stderr_kept_.append(data);
    if (stderr_kept_.size() > 2 * tail_keep_bytes)
      stderr_kept_.erase(0, stderr_kept_.size() - tail_keep_bytes);
    events_->output(stream_kind::err, std::string(data), ticket);
  }

  // Reactor thread.
  void on_exit(const process_exit& how) override {
    bool stopped;
    {
      std::lock_guard<std::mutex> g(mtx_);
      exited_ = true;
      stopped = stop_requested_;
    }
    std::error_code ec;
    std::filesystem::remove_all(workdir_, ec);
    driver_result r;
    r.stopped = stopped;
    if (!how.spawn_error.empty()) {
      r.error = "artifact fetcher " + spec_.source + " could not start: " + how.spawn_error;
    } else if (stdout_over_) {
      r.error = "artifact fetcher printed more than " + human_size(stdout_limit()) +
                " on stdout and was ended (outputs may total " + human_size(limits_.total_bytes) +
                ")";
    } else if (timed_out_ && !stopped) {
      r.error = with_tail("artifact fetcher timed out after " + format_duration(spec_.timeout),
                          stderr_kept_);
    } else if (how.signal) {
      r.error = with_tail(stopped ? "artifact fetcher was stopped (" + signal_name(*how.signal) + ")"
                                  : "artifact fetcher was killed by " + signal_name(*how.signal),
                          stderr_kept_);
    } else if (how.exit_code && *how.exit_code != 0) {
      r.exit_code = how.exit_code;
      r.error = with_tail("artifact fetcher exited with status " + std::to_string(*how.exit_code),
                          stderr_kept_);
    } else {
      r.exit_code = 0;
      read_outputs(r);
    }
    finish(std::move(r));
  }

 private:
  size_t stdout_limit() const {
    // Room for names, quotes and escapes on top of the values themselves.
    return limits_.total_bytes + limits_.total_bytes / 4 + 4096;
  }

  void read_outputs(driver_result& r) {
    json j = json::parse(stdout_, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      r.error = with_tail("artifact fetcher printed no JSON map on stdout (" +
                              describe_stdout(stdout_) + ")",
                          stderr_kept_);
      return;
    }
    size_t total = 0;
    for (auto& [k, v] : j.items()) {
      std::string value;
      if (v.is_string()) {
        value = v.get<std::string>();
      } else if (v.is_number() || v.is_boolean()) {
        value = v.dump();
      } else {
        r.error = "artifact fetcher output `" + k + "` is not a single value (a JSON " +
                  v.type_name() + "): print a string, a number or a boolean";
        r.outputs.clear();
        return;
      }
      if (value.size() > limits_.value_bytes) {
        r.error = "artifact fetcher output `" + k + "` is " + human_size(value.size()) +
                  ", over the limit of " + human_size(limits_.value_bytes) + " for one value";
        r.outputs.clear();
        return;
      }
      total += value.size();
      if (total > limits_.total_bytes) {
        r.error = "artifact fetcher outputs total more than " + human_size(limits_.total_bytes) +
                  ", the limit for all outputs of a task";
        r.outputs.clear();
        return;
      }
      r.outputs.emplace(k, std::move(value));
    }
    // Masking learns confidential exports before a last partial stderr line is flushed.
    events_->outputs_seen(r.outputs);
    r.success = true;
  }

  bool stopped_before_start() {
    {
      std::lock_guard<std::mutex> g(mtx_);
      if (!stop_requested_)
        return false;
    }
    driver_result r;
    r.stopped = true;
    r.error = "stopped before the artifact fetcher started";
    finish(std::move(r));
    return true;
  }

  void fail(std::string error, bool infrastructure = false) {
    driver_result r;
    r.error = std::move(error);
    r.infrastructure = infrastructure;
    finish(std::move(r));
  }

  void finish(driver_result r) {
    {
      std::lock_guard<std::mutex> g(mtx_);
      if (finished_)
        return;
      finished_ = true;
    }
    events_->finished(std::move(r));
  }

  // http client thread. The local file is copied into the cache while it is
  // hashed and the copy is run: hashing it in place and running it by its path
  // would leave a window in which it could be swapped (time of check / time of
  // use); the 0700 cache is ours alone.
  void prepare_local() {
    std::string error;
    bool infrastructure = false;
    // The temporary file is gone before the failure is reported.
    auto path = copy_local(error, infrastructure);
    if (path.empty())
      return fail(error, infrastructure);
    launch(path);
  }

  // The path of the verified copy in the cache, or "" and why not.
  std::string copy_local(std::string& error, bool& infrastructure) {
    const auto& src = spec_.source;
    int fd = open(src.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = "artifact " + src + ": cannot read it: " + errno_text(errno);
      return "";
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      close(fd);
      error = "artifact " + src + ": not a regular file";
      return "";
    }
    if (static_cast<size_t>(st.st_size) > max_artifact_bytes) {
      close(fd);
      error = "artifact " + src + ": " + human_size(static_cast<size_t>(st.st_size)) +
              ", larger than the " + human_size(max_artifact_bytes) + " a fetcher may be";
      return "";
    }
    cache_writer out(cache_dir_, spec_.sha256);
    sha256_hasher h;
    char buf[65536];
    std::string read_error;
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0) {
        read_error = errno_text(errno);
        break;
      }
      if (n == 0)
        break;
      h.update(buf, static_cast<size_t>(n));
      out.write(buf, static_cast<size_t>(n));
    }
    close(fd);
    if (!read_error.empty()) {
      error = "artifact " + src + ": cannot read it: " + read_error;
      return "";
    }
    auto actual = h.hex();
    if (actual != spec_.sha256) {
      error = mismatch(src, spec_.sha256, actual);
      return "";
    }
    auto path = out.commit();
    if (path.empty()) {
      error = out.error();
      infrastructure = true;
    }
    return path;
  }

  // http client thread.
  void prepare_download() {
    std::string cached = cache_dir_ + "/" + spec_.sha256;
    auto have = hash_cached(cached);
    if (have == spec_.sha256)
      return launch(cached);
    if (!have.empty())
      unlink(cached.c_str());  // damaged: fetched again
    http_request req;
    req.url = spec_.source;
    req.ca_file = spec_.ca_file;
    req.timeout = download_timeout;
    req.max_response_bytes = max_artifact_bytes;
    {
      std::lock_guard<std::mutex> g(mtx_);
      if (!stop_requested_) {
        downloading_ = true;
        // The callback runs on this same thread, so not before this returns;
        // stop() cancels by the id, so it is set under the same lock.
        download_ = http_.send(std::move(req), [self = shared_from_this()](http_response resp) {
          self->downloaded(std::move(resp));
        });
        return;
      }
    }
    stopped_before_start();
  }

  // http client thread.
  void downloaded(http_response resp) {
    bool stopped;
    {
      std::lock_guard<std::mutex> g(mtx_);
      downloading_ = false;
      stopped = stop_requested_;
    }
    if (resp.cancelled || stopped) {
      driver_result r;
      r.stopped = true;
      r.error = "stopped while downloading the artifact fetcher " + spec_.source;
      return finish(std::move(r));
    }
    const std::string what = "artifact download " + spec_.source + " failed: ";
    if (resp.too_large)
      return fail(what + "larger than the " + human_size(max_artifact_bytes) + " a fetcher may be");
    if (!resp.transport_error.empty())
      return fail(what + resp.transport_error);
    if (resp.status != 200) {
      std::string why = "HTTP " + std::to_string(resp.status);
      if (resp.status >= 300 && resp.status < 400)
        why += " (a redirect: redirects are not followed, give the URL it points to)";
      return fail(what + why);
    }
    sha256_hasher h;
    h.update(resp.body.data(), resp.body.size());
    auto actual = h.hex();
    if (actual != spec_.sha256)
      return fail(mismatch(spec_.source, spec_.sha256, actual));
    std::string path, error;
    {
      cache_writer out(cache_dir_, spec_.sha256);
      out.write(resp.body.data(), resp.body.size());
      path = out.commit();
      error = out.error();
    }  // the temporary file is gone before a failure is reported
    if (path.empty())
      return fail(error, true);
    launch(path);
  }

  void launch(std::string path) {
    reactor_.post([self = shared_from_this(), path = std::move(path)] { self->spawn(path); });
  }

  // Reactor thread.
  void spawn(const std::string& path) {
    if (stopped_before_start())
      return;
    // A fresh working directory, removed when it exits: the fetcher may leave
    // files behind, and must not find another run's.
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/runner-artifact-XXXXXX";
    if (!mkdtemp(tmpl.data()))
      return fail("cannot create a working directory for the artifact fetcher: " +
                      errno_text(errno),
                  true);
    workdir_ = tmpl;
    // The input goes into a memory file the child reads as stdin: written
    // whole before it starts, so no pipe has to be fed while it runs.
    int in = memfd_create("artifact-input", MFD_CLOEXEC);
    std::string text = json_text(input_);
    if (in < 0 || !write_all(in, text.data(), text.size()) || lseek(in, 0, SEEK_SET) != 0) {
      int err = errno;
      if (in >= 0)
        close(in);
      std::error_code ec;
      std::filesystem::remove_all(workdir_, ec);
      return fail("cannot hand the artifact fetcher its input: " + errno_text(err), true);
    }
    process_spec ps;
    ps.argv = {path};
    ps.env = minimal_environment();
    ps.working_dir = workdir_;
    ps.stdin_fd = in;
    ps.separate_stdout = true;
    auto id = reactor_.spawn(ps, shared_from_this());
    close(in);
    bool stop_now;
    {
      std::lock_guard<std::mutex> g(mtx_);
      pid_ = id;
      started_ = true;
      // stop() may have come between the check above and now, and not known
      // whom to signal.
      stop_now = stop_requested_;
    }
    if (stop_now)
      reactor_.terminate(id, grace_);
    reactor_.at(reactor::clock::now() + spec_.timeout, [self = shared_from_this()] {
      bool running;
      {
        std::lock_guard<std::mutex> g(self->mtx_);
        running = !self->exited_;
      }
      if (running) {
        self->timed_out_ = true;
        self->reactor_.terminate(self->pid_, self->grace_);
      }
    });
  }

  reactor& reactor_;
  http_client& http_;
  const std::string cache_dir_;
  const artifact_spec spec_;
  const json input_;
  const output_limits limits_;
  const std::chrono::milliseconds grace_;
  const std::shared_ptr<task_events> events_;

  std::mutex mtx_;  // guards the fields up to finished_
  bool stop_requested_ = false;
  bool downloading_ = false;
  http_client::request_id download_ = 0;
  bool started_ = false;
  bool exited_ = false;
  reactor::process_id pid_ = 0;
  bool finished_ = false;

  // Reactor thread only.
  std::string workdir_;
  std::string stdout_;
  std::string stderr_kept_;
  bool stdout_over_ = false;
  bool timed_out_ = false;
};

class fetch_handle : public running_task {
 public:
  explicit fetch_handle(std::shared_ptr<fetch_job> job) : job_(std::move(job)) {}
  void stop(stop_reason) override { job_->stop(); }

 private:
  std::shared_ptr<fetch_job> job_;
};

}  // namespace

std::optional<artifact_spec> read_artifact_spec(const json& artifact, spec_problems* problems) {
  return read_spec(
      artifact,
      [&](const std::string& pointer, std::string message, std::string hint) {
        if (problems)
          problems->report(pointer, std::move(message), std::move(hint));
      },
      true);
}

std::optional<artifact_spec> read_artifact_spec(const json& artifact, std::string& error) {
  error.clear();
  return read_spec(
      artifact,
      [&](const std::string&, std::string message, std::string) {
        if (error.empty())
          error = std::move(message);
      },
      false);
}

std::unique_ptr<running_task> start_artifact_fetcher(reactor& r, http_client& http,
                                                     const std::string& cache_dir, artifact_spec a,
                                                     json input, output_limits limits,
                                                     std::chrono::milliseconds grace,
                                                     std::shared_ptr<task_events> events) {
  a.sha256 = lower(std::move(a.sha256));
  // Absolute: the fetcher is started from its own working directory.
  std::error_code ec;
  auto dir = std::filesystem::absolute(cache_dir, ec).lexically_normal().string();
  if (ec || cache_dir.empty())
    dir = cache_dir;
  while (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();
  auto job = std::make_shared<fetch_job>(r, http, dir, std::move(a), std::move(input), limits,
                                         grace, std::move(events));
  http.after(std::chrono::milliseconds(0), [job] { job->prepare(); });
  return std::make_unique<fetch_handle>(job);
}

}  // namespace runner
