#include "drivers/github_action/action_store.hpp"
#include "schema/duration.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

extern char** environ;

namespace runner::gh {
namespace {

namespace fs = std::filesystem;

std::string encode_ref(const std::string& ref) {
  std::string out;
  for (char c : ref) {
    if (c == '/')
      out += "%2F";
    else if (c == '%')
      out += "%25";
    else
      out += c;
  }
  return out;
}

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The last lines of what git wrote, trimmed, for an error message.
std::string tail_of(const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' '))
    t.pop_back();
  constexpr size_t max_bytes = 1000;
  if (t.size() > max_bytes)
    t = "..." + t.substr(t.size() - max_bytes);
  return t.empty() ? "(git wrote nothing)" : t;
}

std::vector<std::string> git_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (kv.rfind("GIT_", 0) == 0)  // e.g. GIT_DIR from a hook must not redirect the clone
      continue;
    env.push_back(std::move(kv));
  }
  env.emplace_back("GIT_TERMINAL_PROMPT=0");  // a missing repository must not ask for a password
  env.emplace_back("LC_ALL=C");               // messages we can match on
  return env;
}

// Collects a git run's output and hands its end to a continuation.
class git_run : public process_listener {
 public:
  using continuation = std::function<void(const process_exit&, const std::string&)>;
  explicit git_run(continuation next) : next_(std::move(next)) {}
  void on_output(stream_kind, std::string_view data, const flow_ticket&) override {
    output_.append(data);
    constexpr size_t keep = 16 * 1024;
    if (output_.size() > 2 * keep)
      output_.erase(0, output_.size() - keep);
  }
  void on_exit(const process_exit& how) override { next_(how, output_); }

 private:
  continuation next_;
  std::string output_;
};

bool succeeded(const process_exit& how) {
  return how.spawn_error.empty() && how.exit_code && *how.exit_code == 0;
}

std::string describe_exit(const process_exit& how) {
  if (!how.spawn_error.empty())
    return "git could not be started: " + how.spawn_error;
  if (how.signal)
    return "git was ended by signal " + std::to_string(*how.signal);
  return "git exited with " + std::to_string(how.exit_code.value_or(-1));
}

}  // namespace

struct action_store::job {
  action_ref ref;
  callback done;
  std::string entry;
  std::string tmp;
  std::vector<std::string> urls;
  std::vector<std::string> clone_errors;
  int runs = 0;           // git runs so far: a timer only ends the one it was set for
  bool timed_out = false;

  void finish(action_resolution r) {
    if (!tmp.empty()) {
      std::error_code ec;
      fs::remove_all(tmp, ec);
      tmp.clear();
    }
    auto cb = std::move(done);
    cb(std::move(r));
  }
  void fail(std::string message) {
    action_resolution r;
    r.error = std::move(message);
    finish(std::move(r));
  }
  std::string name() const { return ref.owner + "/" + ref.repo; }
};

action_store::action_store(reactor& r, action_store_options options)
    : reactor_(r), options_(std::move(options)) {
  if (!options_.base_url.empty() && options_.base_url.back() != '/')
    options_.base_url += '/';
}

std::string action_store::entry_dir(const action_ref& ref) const {
  return options_.state_dir + "/actions/" + ref.owner + "/" + ref.repo + "/" +
         encode_ref(ref.ref);
}

void action_store::resolve(const action_ref& ref, callback done) {
  auto j = std::make_shared<job>();
  j->ref = ref;
  j->done = std::move(done);
  reactor_.post([this, j] { start(j); });
}

void action_store::start(std::shared_ptr<job> j) {
  const auto& ref = j->ref;
  if (ref.kind != uses_kind::repository)
    return j->fail("only repository actions (owner/repo@ref) are kept in the action store");
  std::string problem = check_repo_name("owner", ref.owner);
  if (problem.empty())
    problem = check_repo_name("repository", ref.repo);
  if (problem.empty())
    problem = check_git_ref(ref.ref);
  if (problem.empty() && !ref.sub_path.empty())
    problem = check_sub_path(ref.sub_path);
  if (!problem.empty())
    return j->fail("action " + j->name() + "@" + ref.ref + ": " + problem);

  j->entry = entry_dir(ref);
  if (is_dir(j->entry))
    return install(j, false);  // reused

  std::string parent = options_.state_dir + "/actions/" + ref.owner + "/" + ref.repo;
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec)
    return j->fail("cannot create the action store directory " + parent + ": " + ec.message());
  std::string templ = parent + "/.tmp-" + encode_ref(ref.ref) + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data()))
    return j->fail("cannot create a temporary directory in " + parent + ": " +
                   std::strerror(errno));
  j->tmp = buf.data();

  std::string base = options_.base_url + ref.owner + "/" + ref.repo;
  j->urls = {base, base + ".git"};
  clone(j, 0);
}

void action_store::clone(std::shared_ptr<job> j, size_t url_index) {
  process_spec ps;
  ps.argv = {options_.git, "clone", "--quiet", "--", j->urls[url_index], j->tmp + "/src"};
  ps.env = git_environment();
  run_git(j, std::move(ps),
                         [this, j, url_index](const process_exit& how, const std::string& out) {
                           if (succeeded(how))
                             return checkout(j);
                           if (!how.spawn_error.empty())
                             return j->fail("cannot clone " + j->urls[url_index] + ": " +
                                            describe_exit(how));
                           j->clone_errors.push_back(j->urls[url_index] + ": " + tail_of(out));
                           std::error_code ec;
                           fs::remove_all(j->tmp + "/src", ec);
                           if (url_index + 1 < j->urls.size())
                             return clone(j, url_index + 1);
                           std::string msg = "cannot clone action " + j->name() + " from " +
                                             j->urls.front() + " (" + describe_exit(how) + ")";
                           for (auto& e : j->clone_errors)
                             msg += "\n  " + e;
                           j->fail(std::move(msg));
                         });
}

void action_store::checkout(std::shared_ptr<job> j) {
  process_spec ps;
  ps.argv = {options_.git, "-c", "advice.detachedHead=false", "checkout", "--quiet", j->ref.ref};
  ps.env = git_environment();
  ps.working_dir = j->tmp + "/src";
  run_git(j, std::move(ps), [this, j](const process_exit& how, const std::string& out) {
                   if (!succeeded(how)) {
                     if (how.spawn_error.empty() &&
                         (out.find("did not match any") != std::string::npos ||
                          out.find("invalid reference") != std::string::npos ||
                          out.find("unknown revision") != std::string::npos))
                       return j->fail("action " + j->name() + ": unknown ref `" + j->ref.ref +
                                      "` (no such branch, tag or commit in " + j->urls.front() +
                                      ")");
                     return j->fail("cannot check out `" + j->ref.ref + "` of action " +
                                    j->name() + " (" + describe_exit(how) + "): " + tail_of(out));
                   }
                   // Atomic: either the whole checked-out tree appears or nothing.
                   if (::rename((j->tmp + "/src").c_str(), j->entry.c_str()) != 0) {
                     int err = errno;
                     if (!(err == EEXIST || err == ENOTEMPTY) || !is_dir(j->entry))
                       return j->fail("cannot move the clone of " + j->name() + " into " +
                                      j->entry + ": " + std::strerror(err));
                     // Another runner installed it first: use theirs.
                     return install(j, false);
                   }
                   install(j, true);
                 });
}

void action_store::run_git(std::shared_ptr<job> j, process_spec ps,
                           std::function<void(const process_exit&, const std::string&)> next) {
  const int run = ++j->runs;
  const auto timeout = options_.git_timeout;
  auto id = reactor_.spawn(
      ps, std::make_shared<git_run>([j, next, timeout](const process_exit& how,
                                                       const std::string& out) {
        if (!j->timed_out)
          return next(how, out);
        j->fail("git did not finish within " + format_duration(timeout) + " for action " +
                j->name() + " (" + j->urls.front() + "); is the server reachable?");
      }));
  reactor_.at(reactor::clock::now() + timeout, [this, j, run, id] {
    if (j->runs == run && j->done) {
      j->timed_out = true;
      reactor_.terminate(id, std::chrono::seconds(2));
    }
  });
}

void action_store::install(std::shared_ptr<job> j, bool cloned) {
  action_resolution r;
  r.entry_dir = j->entry;
  r.action_dir = j->ref.sub_path.empty() ? j->entry : j->entry + "/" + j->ref.sub_path;
  r.cloned = cloned;
  if (!is_dir(r.action_dir))
    return j->fail("action " + j->name() + "@" + j->ref.ref + " has no directory `" +
                   j->ref.sub_path + "`");
  r.ok = true;
  j->finish(std::move(r));
}

}  // namespace runner::gh
