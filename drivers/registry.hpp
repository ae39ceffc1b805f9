#pragma once
// Task type name -> driver. Validation asks it which types exist and lets each
// driver check its own spec; the engine asks it for the driver to start.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "drivers/driver.hpp"
#include "schema/validate.hpp"

namespace runner {

class driver_registry : public task_type_catalog {
 public:
  void add(std::shared_ptr<driver> d);
  driver* find(const std::string& type) const;

  bool has(const std::string& type) const override;
  std::vector<std::string> names() const override;
  void check_spec(const task_decl& task, const std::string& file,
                  diagnostics& out) const override;

 private:
  std::map<std::string, std::shared_ptr<driver>> drivers_;
};

}  // namespace runner
