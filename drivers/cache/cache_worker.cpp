#include "drivers/cache/cache_worker.hpp"

#include <future>

namespace runner::cache {

cache_worker::cache_worker(std::string state_dir, std::chrono::milliseconds reopen_after)
    : state_dir_(std::move(state_dir)), reopen_after_(reopen_after), thread_([this] { loop(); }) {}

cache_worker::~cache_worker() {
  {
    std::lock_guard<std::mutex> g(mtx_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void cache_worker::post(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> g(mtx_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void cache_worker::drain() {
  std::promise<void> done;
  auto future = done.get_future();
  post([&done] { done.set_value(); });
  future.wait();
}

void cache_worker::loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mtx_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty())
        return;  // stopping, and nothing left to do
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

cache_store* cache_worker::opened() {
  // A store that would not open is tried again after a while, so that a
  // long-lived node recovers once someone repaired or removed the file.
  auto now = std::chrono::steady_clock::now();
  if (!store_ && (!open_tried_ || now - open_tried_at_ >= reopen_after_)) {
    open_tried_ = true;
    open_tried_at_ = now;
    auto r = cache_store::open(state_dir_);
    store_ = std::move(r.store);
    open_error_ = std::move(r.error);
  }
  return store_.get();
}

void cache_worker::lookup(std::string key, time_point now,
                          std::function<void(lookup_result)> done) {
  post([this, key = std::move(key), now, done = std::move(done)] {
    lookup_result r;
    if (cache_store* s = opened()) {
      r = s->get(key, now);
    } else {
      r.status = lookup_status::error;
      r.reason = open_error_;
    }
    done(std::move(r));
  });
}

void cache_worker::store(cache_entry entry, std::function<void(status_result)> done) {
  post([this, entry = std::move(entry), done = std::move(done)] {
    status_result r;
    if (cache_store* s = opened())
      r = s->put(entry);
    else
      r.error = open_error_;
    if (done)
      done(std::move(r));
  });
}

void cache_worker::lookup(cache_key key, time_point now, std::function<void(lookup_result)> done) {
  post([this, key = std::move(key), now, done = std::move(done)] {
    lookup_result r;
    cache_store* s = opened();
    if (!s) {
      r.status = lookup_status::error;
      r.reason = open_error_;
    } else if (filed_key f = s->file_key(key); !f.ok) {
      r.status = lookup_status::error;
      r.reason = std::move(f.error);
    } else {
      r = s->get(f.key, now);
    }
    done(std::move(r));
  });
}

void cache_worker::store(cache_key key, cache_entry entry,
                         std::function<void(status_result)> done) {
  post([this, key = std::move(key), entry = std::move(entry), done = std::move(done)]() mutable {
    status_result r;
    cache_store* s = opened();
    if (!s) {
      r.error = open_error_;
    } else if (filed_key f = s->file_key(key); !f.ok) {
      r.error = std::move(f.error);
    } else {
      entry.key = std::move(f.key);
      r = s->put(entry);
    }
    if (done)
      done(std::move(r));
  });
}

}  // namespace runner::cache
