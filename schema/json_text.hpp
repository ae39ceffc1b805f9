// JSON text of a value that may hold any bytes. A task's output, a file's
// content and a string literal in a document need not be UTF-8, and
// nlohmann's dump() throws on invalid UTF-8 (type_error 316): in a message,
// a forwarded spec or a reply that would end the actor or the process. Every
// dump of such a value goes through here; invalid sequences become U+FFFD,
// as in results (actors/result_json.hpp).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace runner {

inline std::string json_text(const nlohmann::json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace runner
