#include "drivers/vault_driver.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "drivers/artifact_fetcher.hpp"
#include "drivers/vault_api.hpp"
#include "schema/duration.hpp"

namespace runner {

namespace {

// Reads a credential file (a token, a secret_id, a service account JWT),
// without its trailing newline. Small local files: fine on the http thread.
bool read_credential(const std::string& path, std::string& out, std::string& error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  out.clear();
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0 && out.size() < (1 << 20))
    out.append(buf, static_cast<size_t>(n));
  int err = n < 0 ? errno : 0;
  close(fd);
  if (err) {
    error = std::strerror(err);
    return false;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' '))
    out.pop_back();
  if (out.empty()) {
    error = "the file is empty";
    return false;
  }
  return true;
}

// One secret read: [read credential file] -> [login] -> read. Every step runs
// on the http client's thread, so the state needs no lock; stop() posts there.
class vault_fetch : public std::enable_shared_from_this<vault_fetch> {
 public:
  vault_fetch(http_client& http, vault_request q, std::shared_ptr<task_events> events)
      : http_(http), q_(std::move(q)), events_(std::move(events)) {}

  void begin() {
    auto self = shared_from_this();
    http_.after(std::chrono::milliseconds(0), [self] { self->authenticate(); });
  }

  void stop() {
    auto self = shared_from_this();
    http_.after(std::chrono::milliseconds(0), [self] {
      if (self->done_)
        return;
      self->stopped_ = true;
      if (self->in_flight_)
        self->http_.cancel(self->in_flight_);
      self->fail("stopped while reading the secret");
    });
  }

 private:
  void authenticate() {
    if (stopped_)
      return;
    std::string error;
    if (q_.auth == vault_auth::token) {
      if (q_.token_file.empty()) {
        read_secret(q_.token);
        return;
      }
      std::string token;
      if (!read_credential(q_.token_file, token, error)) {
        fail("cannot read the Vault token from `token_file` " + q_.token_file + ": " + error);
        return;
      }
      read_secret(token);
      return;
    }
    std::string credential;
    std::string file = q_.auth == vault_auth::approle ? q_.secret_id_file : q_.jwt_file;
    if (q_.auth == vault_auth::approle && q_.secret_id_file.empty()) {
      credential = q_.secret_id;
    } else if (!read_credential(file, credential, error)) {
      fail(std::string("cannot read the ") +
           (q_.auth == vault_auth::approle ? "AppRole secret_id from `secret_id_file` "
                                           : "Kubernetes service account token from `jwt_file` ") +
           file + ": " + error);
      return;
    }
    auto self = shared_from_this();
    exchange(vault_login_request(q_, credential), "log in to", [self](const http_response& r) {
      auto a = read_vault_login(self->q_, r);
      if (!a.ok)
        self->fail(a.error);
      else
        self->read_secret(a.value);
    });
  }

  void read_secret(const std::string& token) {
    auto self = shared_from_this();
    exchange(vault_read_request(q_, token), "read from", [self](const http_response& r) {
      auto a = read_vault_secret(self->q_, r);
      if (!a.ok) {
        self->fail(a.error);
        return;
      }
      driver_result res;
      res.success = true;
      res.outputs[self->q_.secret_name] = std::move(a.value);
      res.secret_outputs.push_back(self->q_.secret_name);
      self->finish(std::move(res));
    });
  }

  // Sends `req`; connection errors, timeouts, 429 and 5xx are retried with a
  // doubling backoff (250 ms, 500 ms, 1 s, ... at most 5 s) `retries` times.
  void exchange(http_request req, const char* what,
                std::function<void(const http_response&)> on_answer, int attempt = 1,
                std::chrono::milliseconds backoff = std::chrono::milliseconds(250)) {
    if (stopped_)
      return;
    auto self = shared_from_this();
    std::string url = req.url;
    in_flight_ = http_.send(req, [self, req, what, on_answer, attempt, backoff, url](http_response r) {
      self->in_flight_ = 0;
      if (self->done_ || r.cancelled)
        return;
      if (vault_worth_retrying(r) && attempt <= self->q_.retries) {
        self->events_->output(stream_kind::err,
                              "vault: attempt " + std::to_string(attempt) + " to " + what + " " +
                                  url + " failed (" + describe_vault_failure(r) +
                                  "); retrying in " + format_duration(backoff) + "\n");
        auto next = std::min(backoff * 2, std::chrono::milliseconds(5000));
        self->http_.after(backoff, [self, req, what, on_answer, attempt, next] {
          self->exchange(req, what, on_answer, attempt + 1, next);
        });
        return;
      }
      if (vault_worth_retrying(r)) {
        self->fail("cannot " + std::string(what) + " Vault at " + url + ": " + describe_vault_failure(r) +
                   " (" + std::to_string(attempt) + " attempts)");
        return;
      }
      if (r.tls_problem) {
        self->fail("TLS with Vault at " + url + " failed: " + r.transport_error +
                   (self->q_.ca_cert.empty() ? "; set `ca_cert` to the CA that signed Vault's certificate"
                                             : "; is `ca_cert` (" + self->q_.ca_cert +
                                                   ") the CA that signed Vault's certificate?"));
        return;
      }
      if (r.too_large) {
        self->fail("Vault at " + url + " sent more than 4 MiB: is `url` a Vault server?");
        return;
      }
      on_answer(r);
    });
  }

  void fail(std::string error) {
    driver_result r;
    r.error = std::move(error);
    r.stopped = stopped_;
    finish(std::move(r));
  }

  void finish(driver_result r) {
    if (done_)
      return;
    done_ = true;
    events_->finished(std::move(r));
  }

  http_client& http_;
  vault_request q_;
  std::shared_ptr<task_events> events_;
  http_client::request_id in_flight_ = 0;
  bool stopped_ = false;
  bool done_ = false;
};

class vault_run : public running_task {
 public:
  explicit vault_run(std::shared_ptr<vault_fetch> f) : fetch_(std::move(f)) {}
  void stop(stop_reason) override {
    if (fetch_)
      fetch_->stop();
  }

 private:
  std::shared_ptr<vault_fetch> fetch_;
};

// A fetcher's outputs are secrets like a Vault read's: every one is marked so.
class secret_outputs_events : public task_events {
 public:
  explicit secret_outputs_events(std::shared_ptr<task_events> inner) : inner_(std::move(inner)) {}
  void output(stream_kind s, std::string chunk, flow_ticket ticket) override {
    inner_->output(s, std::move(chunk), std::move(ticket));
  }
  void outputs_seen(std::map<std::string, std::string> o) override { inner_->outputs_seen(std::move(o)); }
  void finished(driver_result r) override {
    for (auto& [name, value] : r.outputs) r.secret_outputs.push_back(name);
    inner_->finished(std::move(r));
  }

 private:
  std::shared_ptr<task_events> inner_;
};

}  // namespace

vault_driver::vault_driver(reactor& r, vault_node_access node, std::string cache_dir,
                           std::chrono::milliseconds grace)
    : reactor_(r),
      http_(std::make_unique<http_client>()),
      node_(std::move(node)),
      cache_dir_(std::move(cache_dir)),
      grace_(grace) {}

vault_driver::~vault_driver() = default;

void vault_driver::check_spec(const task_decl& task, const std::string& file,
                              diagnostics& out) const {
  check_vault_spec(task, file, node_, out);
}

void check_vault_spec(const task_decl& task, const std::string& file,
                      const vault_node_access& node, diagnostics& out) {
  spec_problems problems(task, file, out);
  // With `artifact`, the rest of the spec is the fetcher's input, its to judge.
  if (task.spec.is_object() && task.spec.contains("artifact"))
    read_artifact_spec(task.spec["artifact"], &problems);
  else
    read_vault_spec(task.spec, node, &problems);
}

std::unique_ptr<running_task> vault_driver::start(task_invocation inv,
                                                  std::shared_ptr<task_events> events) {
  if (inv.spec.is_object() && inv.spec.contains("artifact")) {
    std::string error;
    auto a = read_artifact_spec(inv.spec["artifact"], error);
    if (!a) {
      driver_result r;
      r.error = error;
      events->finished(std::move(r));
      return std::make_unique<vault_run>(nullptr);
    }
    if (a->ca_file.empty() && inv.spec.contains("ca_cert") && inv.spec["ca_cert"].is_string())
      a->ca_file = inv.spec["ca_cert"].get<std::string>();
    return start_artifact_fetcher(reactor_, *http_, cache_dir_, std::move(*a), inv.spec, inv.limits,
                                  grace_, std::make_shared<secret_outputs_events>(std::move(events)));
  }
  // Validation passed, so only a template's value can make this fail.
  diagnostics ds;
  task_decl shown;  // names the task in the message; a rendered spec has no marks
  shown.name = inv.task_name;
  spec_problems problems(shown, "", ds);
  auto q = read_vault_spec(inv.spec, node_, &problems);
  if (!q) {
    driver_result r;
    r.error = ds.empty() ? "invalid vault spec" : ds.front().message + " (" + ds.front().hint + ")";
    events->finished(std::move(r));
    return std::make_unique<vault_run>(nullptr);
  }
  auto fetch = std::make_shared<vault_fetch>(*http_, std::move(*q), std::move(events));
  fetch->begin();
  return std::make_unique<vault_run>(fetch);
}

}  // namespace runner
