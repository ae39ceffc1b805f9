#include "drivers/github_action/step_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "schema/uuid.hpp"

namespace runner::gh {

namespace {

bool create_empty(const std::string& path, std::string& error) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot create " + path + ": " + std::strerror(errno);
    return false;
  }
  close(fd);
  return true;
}

}  // namespace

std::map<std::string, std::string> step_files::variables() const {
  return {{"GITHUB_OUTPUT", output},
          {"GITHUB_ENV", env},
          {"GITHUB_STATE", state},
          {"GITHUB_PATH", path},
          {"GITHUB_STEP_SUMMARY", step_summary}};
}

step_files create_step_files(const std::string& dir) {
  step_files f;
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    f.error = "cannot create " + dir + ": " + std::strerror(errno);
    return f;
  }
  const std::string id = make_uuid();
  f.output = dir + "/set_output_" + id;
  f.env = dir + "/set_env_" + id;
  f.state = dir + "/save_state_" + id;
  f.path = dir + "/add_path_" + id;
  f.step_summary = dir + "/step_summary_" + id;
  f.ok = create_empty(f.output, f.error) && create_empty(f.env, f.error) &&
         create_empty(f.state, f.error) && create_empty(f.path, f.error) &&
         create_empty(f.step_summary, f.error);
  if (!f.ok)
    remove_step_files(f);
  return f;
}

std::string read_step_file(const std::string& path, size_t limit, std::string& error) {
  // The reactor thread reads it: a step that put a FIFO, a device or a link
  // in its place must not make it wait or read someone else's file.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
  if (fd < 0) {
    // A step may delete its file; GitHub then reads nothing.
    if (errno != ENOENT)
      error = "cannot read " + path + ": " + std::strerror(errno);
    return {};
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    error = path.substr(path.rfind('/') + 1) + " is no longer a regular file";
    return {};
  }
  if (static_cast<size_t>(st.st_size) > limit) {
    close(fd);
    error = path.substr(path.rfind('/') + 1) + " is " + std::to_string(st.st_size) +
            " bytes, over the limit of " + std::to_string(limit) + " bytes";
    return {};
  }
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0)
      break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > limit) {
      error = path.substr(path.rfind('/') + 1) + " grew over the limit of " +
              std::to_string(limit) + " bytes";
      data.clear();
      break;
    }
  }
  close(fd);
  return data;
}

void remove_step_files(const step_files& f) {
  for (const std::string* p : {&f.output, &f.env, &f.state, &f.path, &f.step_summary})
    if (!p->empty())
      unlink(p->c_str());
}

}  // namespace runner::gh
