#pragma once
// `vault` (SPEC.md §6): reads one secret from HashiCorp Vault over its HTTP
// API (drivers/vault_api) through the shared http_client, logging in first
// for AppRole and Kubernetes auth; or, with `artifact`, runs a pinned custom
// fetcher (drivers/artifact_fetcher). The secret becomes the output named by
// `secret_name`, and is always treated as confidential.
#include <chrono>
#include <memory>
#include <string>

#include "drivers/driver.hpp"
#include "drivers/http_client.hpp"
#include "drivers/reactor.hpp"
#include "drivers/vault_spec.hpp"

namespace runner {

class vault_driver : public driver {
 public:
  // `node`: the runner's own Vault access (may be unconfigured);
  // `cache_dir`: where downloaded fetchers are kept; `grace` as for os_exec.
  vault_driver(reactor& r, vault_node_access node, std::string cache_dir,
               std::chrono::milliseconds grace);
  ~vault_driver() override;

  std::string type() const override { return "vault"; }
  // Reading a secret is network I/O on the http thread; only an artifact
  // fetcher is a process, and it does not take a run slot.
  bool process_backed() const override { return false; }
  void check_spec(const task_decl& task, const std::string& file,
                  diagnostics& out) const override;
  std::string output_hint(const std::string& name) const override {
    return "a vault task produces one output, named by `secret_name` (`" + name + "` is not it)";
  }
  std::unique_ptr<running_task> start(task_invocation inv,
                                      std::shared_ptr<task_events> events) override;

 private:
  reactor& reactor_;
  std::unique_ptr<http_client> http_;  // its own thread, made with the driver
  vault_node_access node_;
  std::string cache_dir_;
  std::chrono::milliseconds grace_;
};

// What vault_driver::check_spec reports, without a driver (fuzzing).
void check_vault_spec(const task_decl& task, const std::string& file,
                      const vault_node_access& node, diagnostics& out);

}  // namespace runner
