#include "tools/runner/logging.hpp"
#include "schema/json_text.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace runner {

namespace {

// spdlog patterns cannot escape JSON, so the line is built with nlohmann.
class json_formatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto ms = duration_cast<milliseconds>(msg.time.time_since_epoch()).count();
    nlohmann::json j = {{"ts_ms", ms},
                        {"level", spdlog::level::to_string_view(msg.level).data()},
                        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    auto text = json_text(j);
    text.push_back('\n');
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

}  // namespace

std::string setup_logging(const std::string& format, const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off")
    return "unknown log level `" + level + "` (use trace, debug, info, warn, error or off)";
  // Called again when `runner serve` applies its config's `log` section.
  spdlog::drop("runner");
  auto logger = spdlog::stderr_logger_mt("runner");
  if (format == "json")
    logger->set_formatter(std::make_unique<json_formatter>());
  else if (format == "text")
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ runner: %v");
  else
    return "unknown log format `" + format + "` (use text or json)";
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
  return {};
}

}  // namespace runner
