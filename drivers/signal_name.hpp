#pragma once
// "SIGTERM" for 15: how errors name the signal that ended a process.
#include <csignal>
#include <cstring>
#include <string>

namespace runner {

inline std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

}  // namespace runner
