#pragma once
// Runs the real `runner` binary the way a user does and captures what it
// prints. Every run has an upper time bound, so a hang fails a test instead of
// the whole suite; nothing here sleeps to synchronise.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace runner::test {

struct run_output {
  int exit_code = -1;  // 128+signal when killed
  std::string out;
  std::string err;
  bool timed_out = false;
  long max_rss_kib = 0;  // the process's peak resident memory (wait4's ru_maxrss)
};

// A temporary directory removed (with everything in it) when it goes out of scope.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// A started child process with captured output.
class process {
 public:
  explicit process(const std::vector<std::string>& argv);
  ~process();  // kills it if still running
  pid_t pid() const { return pid_; }
  // Reads output until it exits or `limit` passes (then kills it).
  run_output wait(std::chrono::milliseconds limit = std::chrono::seconds(120));

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
};

run_output run_runner(const std::vector<std::string>& args,
                      std::chrono::milliseconds limit = std::chrono::seconds(120));

std::string runner_binary();
std::string example(const std::string& name);  // path of examples/<name>

// Polls `condition` every few ms until it holds or `limit` passes. For waiting
// on an external effect (a file appearing), never as a stand-in for ordering.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds limit = std::chrono::seconds(30));

bool process_alive(pid_t pid);  // exists and is not a zombie
// Live processes whose environment holds `entry` ("NAME=value") exactly (a
// zombie's environment reads empty).
std::vector<pid_t> processes_with_env(const std::string& entry);
std::string read_file(const std::string& path);
// The pids a test's processes wrote to `path`, one per line (missing file: none).
std::vector<pid_t> read_pids(const std::string& path);
nlohmann::json parse_json(const std::string& text);

}  // namespace runner::test
