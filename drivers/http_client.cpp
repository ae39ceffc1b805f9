#include "drivers/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <stdexcept>

namespace runner {

namespace {

// curl_global_init is not thread-safe; every client is made before it matters,
// but a static keeps it to once per process regardless.
void global_init_once() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

using clock = std::chrono::steady_clock;

}  // namespace

struct http_client::transfer {
  http_request req;
  std::function<void(http_response)> done;
  http_response resp;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  char error[CURL_ERROR_SIZE] = {0};

  ~transfer() {
    if (headers)
      curl_slist_free_all(headers);
    if (easy)
      curl_easy_cleanup(easy);
  }

  static size_t on_body(char* data, size_t size, size_t n, void* self) {
    auto* t = static_cast<transfer*>(self);
    size_t bytes = size * n;
    if (t->resp.body.size() + bytes > t->req.max_response_bytes) {
      t->resp.too_large = true;
      return 0;  // makes curl end the transfer with CURLE_WRITE_ERROR
    }
    t->resp.body.append(data, bytes);
    return bytes;
  }
};

http_client::http_client() {
  global_init_once();
  multi_ = curl_multi_init();
  if (!multi_)
    throw std::runtime_error("libcurl: curl_multi_init failed");
  thread_ = std::thread([this] { loop(); });
}

http_client::~http_client() {
  {
    std::lock_guard<std::mutex> g(mtx_);
    stopping_ = true;
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  thread_.join();
  for (auto& [id, t] : running_)
    curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
  running_.clear();
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

http_client::request_id http_client::send(http_request req,
                                          std::function<void(http_response)> done) {
  auto t = std::make_unique<transfer>();
  t->req = std::move(req);
  t->done = std::move(done);
  request_id id;
  {
    std::lock_guard<std::mutex> g(mtx_);
    id = next_id_++;
    queued_.emplace_back(id, std::move(t));
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  return id;
}

void http_client::cancel(request_id id) {
  {
    std::lock_guard<std::mutex> g(mtx_);
    cancels_.push_back(id);
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
}

void http_client::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> g(mtx_);
    timers_to_add_.emplace_back(clock::now() + delay, std::move(fn));
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
}

void http_client::start(request_id id) {
  auto& t = *running_.at(id);
  const auto& r = t.req;
  t.easy = curl_easy_init();
  CURL* e = t.easy;
  curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, reinterpret_cast<void*>(static_cast<uintptr_t>(id)));
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &transfer::on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
  // Only http(s), and no redirects: a secret request must not be sent on to
  // wherever a response points (Vault itself answers 307 only on standbys
  // behind no load balancer, and then the address is the user's to fix).
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(r.max_response_bytes));
  if (!r.ca_file.empty())
    curl_easy_setopt(e, CURLOPT_CAINFO, r.ca_file.c_str());
  for (auto& h : r.headers)
    t.headers = curl_slist_append(t.headers, h.c_str());
  if (t.headers)
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
  if (r.method == "POST" || !r.body.empty()) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
  }
  if (r.method != "GET" && r.method != "POST")
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  curl_multi_add_handle(static_cast<CURLM*>(multi_), e);
}

void http_client::finish(void* easy_handle, int code_int) {
  CURL* e = static_cast<CURL*>(easy_handle);
  void* priv = nullptr;
  curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
  auto id = static_cast<request_id>(reinterpret_cast<uintptr_t>(priv));
  auto it = running_.find(id);
  if (it == running_.end())
    return;
  auto t = std::move(it->second);
  running_.erase(it);
  curl_multi_remove_handle(static_cast<CURLM*>(multi_), e);
  auto code = static_cast<CURLcode>(code_int);
  auto& resp = t->resp;
  if (code == CURLE_OK) {
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp.status);
    char* ct = nullptr;
    curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
    if (ct)
      resp.content_type = ct;
  } else {
    resp.body.clear();
    resp.transport_error = t->error[0] ? t->error : curl_easy_strerror(code);
    resp.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    resp.too_large = resp.too_large || code == CURLE_FILESIZE_EXCEEDED;
    resp.tls_problem = code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CONNECT_ERROR ||
                       code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CERTPROBLEM;
  }
  t->done(std::move(resp));
}

void http_client::run_due_timers() {
  auto now = clock::now();
  while (!timers_.empty() && timers_.begin()->first <= now) {
    auto fn = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    fn();
  }
}

void http_client::loop() {
  auto* multi = static_cast<CURLM*>(multi_);
  for (;;) {
    std::vector<std::pair<request_id, std::unique_ptr<transfer>>> queued;
    std::vector<request_id> cancels;
    decltype(timers_to_add_) timers;
    {
      std::lock_guard<std::mutex> g(mtx_);
      if (stopping_)
        return;
      queued.swap(queued_);
      cancels.swap(cancels_);
      timers.swap(timers_to_add_);
    }
    for (auto& [when, fn] : timers)
      timers_.emplace(when, std::move(fn));
    for (auto& [id, t] : queued) {
      running_.emplace(id, std::move(t));
      start(id);
    }
    for (request_id id : cancels) {
      auto it = running_.find(id);
      if (it == running_.end())
        continue;
      auto t = std::move(it->second);
      running_.erase(it);
      curl_multi_remove_handle(multi, t->easy);
      http_response r;
      r.cancelled = true;
      r.transport_error = "cancelled";
      t->done(std::move(r));
    }
    int still = 0;
    curl_multi_perform(multi, &still);
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left))
      if (m->msg == CURLMSG_DONE)
        finish(m->easy_handle, m->data.result);
    run_due_timers();
    int wait_ms = 1000;
    if (!timers_.empty()) {
      auto due = std::chrono::duration_cast<std::chrono::milliseconds>(timers_.begin()->first -
                                                                       clock::now());
      wait_ms = static_cast<int>(std::clamp<long long>(due.count() + 1, 0, 1000));
    }
    curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
  }
}

}  // namespace runner
