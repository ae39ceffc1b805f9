#include "drivers/child_environment.hpp"

#include <cstdlib>
#include <cstring>

extern char** environ;

namespace runner {

std::map<std::string, std::string> base_child_environment(bool inherit) {
  std::map<std::string, std::string> env;
  if (inherit)
    for (char** e = environ; *e; ++e) {
      const char* eq = std::strchr(*e, '=');
      if (eq)
        env[std::string(*e, static_cast<size_t>(eq - *e))] = eq + 1;
    }
  for (auto [name, fallback] : {std::pair{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                                std::pair{"HOME", "/"}, std::pair{"LANG", "C.UTF-8"}}) {
    if (env.count(name))
      continue;
    const char* v = std::getenv(name);
    env[name] = v && *v ? v : fallback;
  }
  return env;
}

std::vector<std::string> environment_entries(const std::map<std::string, std::string>& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  for (auto& [k, v] : env)
    out.push_back(k + "=" + v);
  return out;
}

}  // namespace runner
