#pragma once
// Task type name -> driver. Validation asks it which types exist and lets each
// driver check its own spec; the engine asks it for the driver to start.
//
// Built-in types are added before anything runs and read without a lock (the
// engine looks a driver up for every task). Types served by external drivers
// arrive later, once a driver has answered its handshake, possibly while
// groups run: they live apart, behind a mutex, and are only looked at for a
// type that is not built in.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "drivers/driver.hpp"
#include "schema/validate.hpp"

namespace runner {

class driver_registry : public task_type_catalog {
 public:
  // Before the registry is shared.
  void add(std::shared_ptr<driver> d);
  // Thread-safe. False (and nothing added) when the type is taken.
  bool add_external(std::shared_ptr<driver> d);
  // Thread-safe: why configured drivers serve no types (shown with an
  // unknown task type).
  void add_problem(std::string problem);

  driver* find(const std::string& type) const;
  bool builtin(const std::string& type) const { return drivers_.count(type) > 0; }

  bool has(const std::string& type) const override;
  std::vector<std::string> names() const override;
  std::string unknown_type_note() const override;
  void check_spec(const task_decl& task, const std::string& file,
                  diagnostics& out) const override;

 private:
  std::map<std::string, std::shared_ptr<driver>> drivers_;
  mutable std::mutex external_mtx_;
  std::map<std::string, std::shared_ptr<driver>> external_;
  std::vector<std::string> problems_;
};

}  // namespace runner
