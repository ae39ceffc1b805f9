#pragma once
// The task types this runner binary knows, in one place.
#include <chrono>
#include <memory>

#include "config/node_config.hpp"
#include "drivers/reactor.hpp"
#include "drivers/external/external_drivers.hpp"
#include "drivers/mask_rules.hpp"
#include "drivers/registry.hpp"

namespace runner {

// `config`: the node's config when the runner has one (its `vault:` access and
// state directory); without it vault tasks need their own url and credentials.
std::unique_ptr<driver_registry> builtin_drivers(reactor& r, std::chrono::milliseconds grace,
                                                 const node_config* config = nullptr);

// The config's `drivers:` (none without a config), started on first use;
// their types join `registry` then.
std::unique_ptr<ext::external_drivers> external_drivers_of(reactor& r, driver_registry& registry,
                                                           std::chrono::milliseconds grace,
                                                           const node_config* config);

// The config's `masking.patterns`, compiled; null without a config or patterns.
// The config's reader checked them already.
std::shared_ptr<const mask_rules> mask_patterns_of(const node_config* config);

// Validates the group at `path` against `registry`. When it names a type
// nothing serves yet and drivers are configured, that is their first use:
// starts them, waits for their handshakes (blocking: not on an actor thread)
// and validates again.
// A signal during that wait ends the process at once (exit 130).
checked_group validate_learning_types(const std::string& path, const driver_registry& registry,
                                      ext::external_drivers& externals, reactor& react);

}  // namespace runner
