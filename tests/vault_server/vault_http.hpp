#pragma once
// Vault's response format. Bodies are what Go's json.Encoder writes (keys of a
// struct in declaration order, map keys sorted, a trailing newline), errors are
// {"errors":[...]}, and errors that went through Vault's request handler are
// hashicorp/go-multierror strings ("1 error occurred:\n\t* permission denied\n\n").
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace vault_stub {

using ordered_json = nlohmann::ordered_json;

void send_json(httplib::Response& res, int status, const ordered_json& body);
void send_errors(httplib::Response& res, int status, const std::vector<std::string>& errors);
std::string multierror(const std::vector<std::string>& errors);

// The envelope of every logical response (http.LogicalResponse in Vault's source).
ordered_json envelope(ordered_json data, const std::string& mount_type, int64_t lease_duration = 0,
                      ordered_json auth = nullptr, ordered_json warnings = nullptr);

std::string rfc3339(int64_t unix_seconds);

}  // namespace vault_stub
