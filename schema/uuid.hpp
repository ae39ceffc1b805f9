#pragma once
// Random (version 4) UUIDs: the id of a group that has none, and of every task run.
#include <string>

namespace runner {

std::string make_uuid();

}  // namespace runner
