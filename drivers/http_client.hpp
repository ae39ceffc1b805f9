#pragma once
// One thread that does HTTP(S) for drivers (vault, artifact downloads) with
// libcurl's multi interface, so no actor or reactor thread waits on a network.
// Requests and timers are posted from any thread; their callbacks run on the
// client's thread and must only hand data on, never wait.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace runner {

struct http_request {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when non-empty (or for POST)
  std::string ca_file;               // empty: the system's CAs
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{30000};  // the whole exchange
  size_t max_response_bytes = 16 << 20;
};

struct http_response {
  long status = 0;  // 0 when no HTTP response arrived
  std::string body;
  std::string content_type;
  // Set when no response arrived: curl's own words, e.g. "Couldn't connect to server".
  std::string transport_error;
  bool timed_out = false;
  bool tls_problem = false;  // certificate or handshake: retrying will not help
  bool too_large = false;    // the body passed max_response_bytes
  bool cancelled = false;
};

class http_client {
 public:
  using request_id = uint64_t;

  http_client();
  ~http_client();  // aborts what is still in flight; callbacks are not called
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // Thread-safe. `done` runs exactly once on the client's thread, unless the
  // client is destroyed first.
  request_id send(http_request req, std::function<void(http_response)> done);
  // Thread-safe. A request still in flight ends with `cancelled`; one that
  // already ended is left alone.
  void cancel(request_id id);
  // Thread-safe: `fn` runs on the client's thread after `delay`.
  void after(std::chrono::milliseconds delay, std::function<void()> fn);

 private:
  struct transfer;
  void loop();
  void start(request_id id);
  void finish(void* easy, int code);
  void run_due_timers();

  void* multi_ = nullptr;  // CURLM*, kept out of this header
  std::mutex mtx_;         // guards queued_, cancels_, timers_to_add_, stopping_
  std::vector<std::pair<request_id, std::unique_ptr<transfer>>> queued_;
  std::vector<request_id> cancels_;
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::function<void()>>> timers_to_add_;
  bool stopping_ = false;
  request_id next_id_ = 1;

  // Client thread only.
  std::map<request_id, std::unique_ptr<transfer>> running_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> timers_;

  std::thread thread_;
};

}  // namespace runner
