#pragma once
// The run slots of a whole node, shared by every group it runs (`runner
// serve`): `max_parallel` in the node config bounds process-backed tasks
// across all groups, not per group. Supervisors acquire and release slots;
// the pool watches them, so a supervisor that ends (or dies) holding slots
// gives them back, and grants are never lost to a group that went away.
#include "actors/messages.hpp"

namespace runner {

slot_pool_actor spawn_slot_pool(caf::actor_system& sys, size_t slots);

}  // namespace runner
