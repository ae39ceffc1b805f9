#include "drivers/registry.hpp"

namespace runner {

void driver_registry::add(std::shared_ptr<driver> d) {
  auto type = d->type();
  drivers_[type] = std::move(d);
}

bool driver_registry::add_external(std::shared_ptr<driver> d) {
  auto type = d->type();
  if (builtin(type))
    return false;
  std::lock_guard<std::mutex> lock(external_mtx_);
  return external_.emplace(type, std::move(d)).second;
}

void driver_registry::add_problem(std::string problem) {
  std::lock_guard<std::mutex> lock(external_mtx_);
  problems_.push_back(std::move(problem));
}

driver* driver_registry::find(const std::string& type) const {
  auto i = drivers_.find(type);
  if (i != drivers_.end())
    return i->second.get();
  std::lock_guard<std::mutex> lock(external_mtx_);
  auto e = external_.find(type);
  return e == external_.end() ? nullptr : e->second.get();
}

bool driver_registry::has(const std::string& type) const { return find(type) != nullptr; }

std::vector<std::string> driver_registry::names() const {
  std::vector<std::string> out;
  for (auto& kv : drivers_)
    out.push_back(kv.first);
  std::lock_guard<std::mutex> lock(external_mtx_);
  for (auto& kv : external_)
    out.push_back(kv.first);
  return out;
}

std::string driver_registry::unknown_type_note() const {
  std::lock_guard<std::mutex> lock(external_mtx_);
  std::string out;
  for (auto& p : problems_)
    out += (out.empty() ? "" : "; ") + p;
  return out;
}

void driver_registry::check_spec(const task_decl& task, const std::string& file,
                                 diagnostics& out) const {
  if (auto* d = find(task.type))
    d->check_spec(task, file, out);
}

}  // namespace runner
