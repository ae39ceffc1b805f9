#pragma once
// The task types this runner binary knows, in one place.
#include <chrono>
#include <memory>

#include "drivers/reactor.hpp"
#include "drivers/registry.hpp"

namespace runner {

std::unique_ptr<driver_registry> builtin_drivers(reactor& r, std::chrono::milliseconds grace);

}  // namespace runner
