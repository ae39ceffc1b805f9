#include "drivers/registry.hpp"

namespace runner {

void driver_registry::add(std::shared_ptr<driver> d) {
  auto type = d->type();
  drivers_[type] = std::move(d);
}

driver* driver_registry::find(const std::string& type) const {
  auto i = drivers_.find(type);
  return i == drivers_.end() ? nullptr : i->second.get();
}

bool driver_registry::has(const std::string& type) const {
  return drivers_.count(type) > 0;
}

std::vector<std::string> driver_registry::names() const {
  std::vector<std::string> out;
  for (auto& kv : drivers_)
    out.push_back(kv.first);
  return out;
}

void driver_registry::check_spec(const task_decl& task, const std::string& file,
                                 diagnostics& out) const {
  if (auto* d = find(task.type))
    d->check_spec(task, file, out);
}

}  // namespace runner
