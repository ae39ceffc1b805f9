#pragma once
// A CAF scheduling policy: work sharing, except that an actor made runnable by
// an actor running on a worker (a message, a spawn) is queued with that worker,
// which runs it once the sender's activation ends. CAF's work sharing wakes a
// sleeping worker for every such message instead, so a supervisor and its
// task actors were handed back and forth between threads: a thread wake-up or
// two per task, more than the task itself cost (bench/README.md, "In-process
// engine throughput").
//
// Another worker takes such work only
//  - when `burst` jobs or more are queued: then it is worth a second thread;
//  - or after waiting `patience` on standby: a worker that is busy for long
//    (a slow in-process task) holds up the work queued behind it for at most
//    that long. A sleeping worker is put on standby by the next queued job;
//    one on standby is not woken again, so a steady stream of work costs at
//    most one wake-up per `patience`.
// Work from outside the workers (reactor, clock, detached actors, network)
// wakes a worker at once, as with CAF's work sharing.
//
// One lock guards every queue: the cost that mattered was waking threads,
// not taking this lock.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include <caf/policy/unprofiled.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

namespace runner {

class local_first_policy : public caf::policy::unprofiled {
 public:
  static constexpr size_t burst = 32;
  static constexpr std::chrono::milliseconds patience{1};

  struct coordinator_data {
    explicit coordinator_data(caf::scheduler::abstract_coordinator*) {}
    std::mutex lock;
    std::condition_variable cv;
    std::deque<caf::resumable*> shared;  // enqueued from outside the workers
    size_t queued = 0;                   // jobs in all queues
    size_t sleeping = 0;                 // workers waiting until notified
    size_t standing_by = 0;              // workers waiting at most `patience`
  };

  struct worker_data {
    explicit worker_data(caf::scheduler::abstract_coordinator*) {}
    worker_data(const worker_data&) {}  // every worker gets a queue of its own
    std::deque<caf::resumable*> own;    // guarded by coordinator_data::lock
  };

  template <class Coordinator>
  void central_enqueue(Coordinator* self, caf::resumable* job) {
    auto& c = d(self);
    bool wake;
    {
      std::lock_guard<std::mutex> guard(c.lock);
      c.shared.push_back(job);
      ++c.queued;
      wake = c.sleeping + c.standing_by > 0;
    }
    if (wake)
      c.cv.notify_one();
  }

  template <class Worker>
  void external_enqueue(Worker* self, caf::resumable* job) {
    central_enqueue(self->parent(), job);
  }

  // From an actor running on `self`.
  template <class Worker>
  void internal_enqueue(Worker* self, caf::resumable* job) {
    auto& c = d(self->parent());
    bool wake;
    {
      std::lock_guard<std::mutex> guard(c.lock);
      d(self).own.push_back(job);
      ++c.queued;
      wake = (c.queued >= burst && c.sleeping + c.standing_by > 0) ||
             (c.sleeping > 0 && c.standing_by == 0);
    }
    if (wake)
      c.cv.notify_one();
  }

  template <class Worker>
  void resume_job_later(Worker* self, caf::resumable* job) {
    internal_enqueue(self, job);
  }

  template <class Worker>
  caf::resumable* dequeue(Worker* self) {
    auto& c = d(self->parent());
    std::unique_lock<std::mutex> guard(c.lock);
    bool patient = false;  // waited on standby: take what others hold
    bool woken = false;    // woken from sleep: stand by before sleeping again
    for (;;) {
      if (auto* job = take(self, c, patient || c.queued >= burst)) {
        --c.queued;
        bool wake = c.queued >= burst && c.sleeping + c.standing_by > 0;
        guard.unlock();
        if (wake)
          c.cv.notify_one();
        return job;
      }
      if (!patient && (woken || c.queued > 0)) {
        ++c.standing_by;
        c.cv.wait_for(guard, patience);
        --c.standing_by;
        patient = true;
        woken = false;
        continue;
      }
      patient = false;
      ++c.sleeping;
      c.cv.wait(guard);
      --c.sleeping;
      woken = true;
    }
  }

  template <class Worker, class UnaryFunction>
  void foreach_resumable(Worker* self, UnaryFunction f) {
    std::deque<caf::resumable*> jobs;
    {
      std::lock_guard<std::mutex> guard(d(self->parent()).lock);
      jobs.swap(d(self).own);
    }
    for (auto* job : jobs)
      f(job);
  }

  template <class Coordinator, class UnaryFunction>
  void foreach_central_resumable(Coordinator* self, UnaryFunction f) {
    std::deque<caf::resumable*> jobs;
    {
      std::lock_guard<std::mutex> guard(d(self).lock);
      jobs.swap(d(self).shared);
    }
    for (auto* job : jobs)
      f(job);
  }

 private:
  // Under c.lock: work from outside first, then its own, then (if allowed)
  // what another worker holds.
  template <class Worker>
  static caf::resumable* take(Worker* self, coordinator_data& c, bool from_others) {
    if (auto* job = pop(c.shared))
      return job;
    if (auto* job = pop(d(self).own))
      return job;
    if (!from_others)
      return nullptr;
    auto* parent = self->parent();
    for (size_t i = 0; i < parent->num_workers(); ++i)
      if (auto* job = pop(d(parent->worker_by_id(i)).own))
        return job;
    return nullptr;
  }

  static caf::resumable* pop(std::deque<caf::resumable*>& q) {
    if (q.empty())
      return nullptr;
    auto* job = q.front();
    q.pop_front();
    return job;
  }
};

}  // namespace runner
