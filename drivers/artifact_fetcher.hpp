#pragma once
// The `artifact` custom fetcher of the `vault` task type (SPEC.md §6):
// `artifact: {source, sha256}` names an executable — a local path, or an https
// URL downloaded with libcurl — that is checked against `sha256` before it runs,
// gets the task's spec as JSON on stdin, and prints a JSON map of outputs on
// stdout. A non-zero exit, a timeout or anything but a JSON map on stdout fails
// the task with the end of the fetcher's stderr.
//
// Every executable runs from the fetcher cache (`cache_dir`, mode 0700), as the
// file `<sha256>`: a download or a copy of the local file is written under a
// temporary name, hashed while it is written, and renamed into place only when
// its hash matched. So a half-written, wrong or swapped file is never run.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "drivers/driver.hpp"
#include "drivers/http_client.hpp"
#include "drivers/reactor.hpp"
#include "drivers/spec_problems.hpp"

namespace runner {

struct artifact_spec {
  std::string source;  // absolute/relative (to the runner's cwd) local path, or an https:// URL
  std::string sha256;  // 64 hex digits, lower case once read
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};  // the fetcher's run
  std::string ca_file;  // for the download, empty = system CAs
};

// The largest executable a download may bring.
constexpr size_t max_artifact_bytes = size_t{256} << 20;

// Checks an `artifact` mapping of a spec (fields source, sha256, timeout: a
// duration such as "30s" or a number of seconds), reporting each problem
// through `problems` (nullable) at JSON pointers under `/artifact`. Returns the
// parsed value when it is valid. A field that holds a `{{ }}` template is only
// checked for its type (its value is known when the task runs).
std::optional<artifact_spec> read_artifact_spec(const json& artifact, spec_problems* problems);
// The same, for a spec whose templates are resolved (at run time): `error`
// receives the first problem ("`artifact.sha256` must be ...") when it fails.
std::optional<artifact_spec> read_artifact_spec(const json& artifact, std::string& error);

// Starts the fetcher; never blocks: file work (hashing, copying into the
// cache) and the download run on `http`'s thread, the process on `r`'s.
// `input` goes to its stdin as JSON. Reports stderr as output(stream_kind::err,
// ...) chunks, then finished(): outputs = the stdout JSON map (strings as they
// are, numbers and booleans as JSON text), or an error. stop() ends the
// download or the process (SIGTERM, SIGKILL after `grace`) and finished() says
// stopped = true. `r` and `http` must outlive the run.
std::unique_ptr<running_task> start_artifact_fetcher(reactor& r, http_client& http,
                                                     const std::string& cache_dir, artifact_spec a,
                                                     json input, output_limits limits,
                                                     std::chrono::milliseconds grace,
                                                     std::shared_ptr<task_events> events);

}  // namespace runner
