#pragma once
// The task types this runner binary knows, in one place.
#include <chrono>
#include <memory>

#include "config/node_config.hpp"
#include "drivers/reactor.hpp"
#include "drivers/registry.hpp"

namespace runner {

// `config`: the node's config when the runner has one (its `vault:` access and
// state directory); without it vault tasks need their own url and credentials.
std::unique_ptr<driver_registry> builtin_drivers(reactor& r, std::chrono::milliseconds grace,
                                                 const node_config* config = nullptr);

}  // namespace runner
