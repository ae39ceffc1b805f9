#include "tools/runner/drivers_setup.hpp"

#include "drivers/expression_evaluation.hpp"
#include "drivers/os_exec.hpp"

namespace runner {

std::unique_ptr<driver_registry> builtin_drivers(reactor& r, std::chrono::milliseconds grace) {
  auto reg = std::make_unique<driver_registry>();
  reg->add(std::make_shared<os_exec_driver>(r, grace));
  reg->add(std::make_shared<expression_evaluation_driver>());
  return reg;
}

}  // namespace runner
