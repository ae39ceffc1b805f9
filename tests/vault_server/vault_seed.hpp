#pragma once
// Reads the seed file (format: tests/vault_server/README.md) into a vault_state.
// Every problem is a seed_error whose message names the file and the field, e.g.
// "seed.json: namespaces.ns1.auth.approle.roles.app.role_id: expected a string".
#include <memory>
#include <stdexcept>
#include <string>

#include "tests/vault_server/vault_state.hpp"

namespace vault_stub {

struct seed_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::unique_ptr<vault_state> load_seed(const std::string& file);

}  // namespace vault_stub
