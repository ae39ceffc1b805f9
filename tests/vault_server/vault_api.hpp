#pragma once
// The HTTP routes: the slice of Vault's API the `vault` task driver uses (KV v1
// and v2 reads, AppRole and Kubernetes logins, token lookup-self, sys/health),
// with Vault's token, ACL, namespace and error behaviour, plus the seed's fault
// knobs. One handler serves every listener (HTTP and HTTPS).
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <httplib.h>

#include "tests/vault_server/vault_state.hpp"

namespace vault_stub {

// Lets a deliberately slow request end as soon as the server is told to stop.
class stop_signal {
 public:
  void trigger();
  // Waits up to `d`; true when stopped meanwhile.
  bool wait_for(std::chrono::milliseconds d);

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

void install_routes(httplib::Server& server, vault_state& state, stop_signal& stop);

}  // namespace vault_stub
