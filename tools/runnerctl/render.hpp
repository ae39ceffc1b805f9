#pragma once
// runnerctl's output: aligned tables for people, JSON for scripts. Nothing
// here sees a variable's value: the node never sends one.
#include <string>

#include "net/wire.hpp"

namespace runner {

std::string render_text(const std::string& command, const admin_reply& r, const std::string& node);
std::string render_json(const std::string& command, const admin_reply& r, const std::string& node);

}  // namespace runner
