#include "tests/vault_server/vault_http.hpp"

#include <ctime>

#include "tests/vault_server/vault_state.hpp"

namespace vault_stub {

namespace {

// Go's json.Encoder escapes <, >, & and U+2028/U+2029 inside strings; outside
// strings a JSON text never holds them, so replacing everywhere is exact.
std::string go_escape(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else if (c == '\xe2' && i + 2 < json.size() && json[i + 1] == '\x80' && (json[i + 2] == '\xa8' || json[i + 2] == '\xa9')) {
      out += json[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void send_json(httplib::Response& res, int status, const ordered_json& body) {
  res.status = status;
  // Vault marks every API response uncacheable.
  res.set_header("Cache-Control", "no-store");
  res.set_content(go_escape(body.dump()) + "\n", "application/json");
}

void send_errors(httplib::Response& res, int status, const std::vector<std::string>& errors) {
  send_json(res, status, ordered_json{{"errors", errors}});
}

std::string multierror(const std::vector<std::string>& errors) {
  std::string out = errors.size() == 1 ? "1 error occurred:\n"
                                       : std::to_string(errors.size()) + " errors occurred:\n";
  for (const auto& e : errors) out += "\t* " + e + "\n";
  return out + "\n";
}

ordered_json envelope(ordered_json data, const std::string& mount_type, int64_t lease_duration,
                      ordered_json auth, ordered_json warnings) {
  // Field order and presence follow Vault 1.15's http.LogicalResponse; "mount_type"
  // (added in 1.14) is "" for logins, as Vault sends it.
  return ordered_json{{"request_id", random_uuid()},
                      {"lease_id", ""},
                      {"renewable", false},
                      {"lease_duration", lease_duration},
                      {"data", std::move(data)},
                      {"wrap_info", nullptr},
                      {"warnings", std::move(warnings)},
                      {"auth", std::move(auth)},
                      {"mount_type", mount_type}};
}

std::string rfc3339(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace vault_stub
