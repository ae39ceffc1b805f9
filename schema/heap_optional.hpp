#pragma once
// std::optional's interface with the value on the heap: one pointer when
// empty. For fields that most tasks leave out, so that a group of thousands
// of tasks does not carry room for them in every task.
#include <memory>
#include <optional>
#include <utility>

namespace runner {

template <class T>
class heap_optional {
 public:
  heap_optional() = default;
  heap_optional(std::nullopt_t) {}
  heap_optional(T value) : p_(std::make_unique<T>(std::move(value))) {}
  heap_optional(std::optional<T> value) {
    if (value)
      p_ = std::make_unique<T>(std::move(*value));
  }
  heap_optional(const heap_optional& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  heap_optional(heap_optional&&) noexcept = default;
  heap_optional& operator=(const heap_optional& o) {
    if (this != &o)
      p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  heap_optional& operator=(heap_optional&&) noexcept = default;

  bool has_value() const { return p_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }
  void reset() { p_.reset(); }

 private:
  std::unique_ptr<T> p_;
};

}  // namespace runner
