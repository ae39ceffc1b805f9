#pragma once
// The runner's store of repository actions: <state_dir>/actions/<owner>/<repo>/<ref>/
// ('/' and '%' in a ref are written %2F and %25), filled on first use by
// `git clone` of <base_url><owner>/<repo> (then <base_url><owner>/<repo>.git)
// and `git checkout <ref>`. A clone goes to a temporary directory next to the
// entry and is renamed into place once checked out, so concurrent runners or
// a crash never leave a half-filled entry; an existing entry is reused.
// git runs through the reactor, so no actor thread waits for it.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "drivers/github_action/action_ref.hpp"
#include "drivers/reactor.hpp"

namespace runner::gh {

struct action_store_options {
  std::string state_dir;                         // required
  std::string base_url = "https://github.com/";  // a missing trailing '/' is added
  std::string git = "git";                       // looked up in PATH
  // A git run that takes longer (a server that stalls) is ended and fails
  // the resolution; git itself has no such limit.
  std::chrono::milliseconds git_timeout{std::chrono::minutes(10)};
};

struct action_resolution {
  bool ok = false;
  std::string entry_dir;   // <state_dir>/actions/<owner>/<repo>/<ref>
  std::string action_dir;  // entry_dir, or entry_dir/<sub_path>
  bool cloned = false;     // false: an existing entry was reused
  std::string error;       // when !ok
};

class action_store {
 public:
  using callback = std::function<void(action_resolution)>;

  action_store(reactor& r, action_store_options options);

  // Where the entry for `ref` lives (whether or not it exists yet). `ref` must
  // be a repository reference that passed parse_action_ref's checks.
  std::string entry_dir(const action_ref& ref) const;

  // Thread-safe. `done` is called once, on the reactor thread; it must only
  // hand the result on (e.g. send an actor message).
  void resolve(const action_ref& ref, callback done);

 private:
  struct job;
  void start(std::shared_ptr<job> j);
  void clone(std::shared_ptr<job> j, size_t url_index);
  void checkout(std::shared_ptr<job> j);
  void install(std::shared_ptr<job> j, bool cloned);
  // Spawns one git run with the timeout; `next` sees its end.
  void run_git(std::shared_ptr<job> j, process_spec ps,
               std::function<void(const process_exit&, const std::string&)> next);

  reactor& reactor_;
  action_store_options options_;
};

}  // namespace runner::gh
