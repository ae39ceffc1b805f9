#pragma once
// Backpressure for what a task prints: the runner reads a process's pipes
// only while what it read before is still on its way to fewer than `window`
// bytes. Every chunk read comes with a ticket; whoever holds part of the
// chunk (the task actor's line buffer, a log line in a mailbox, the console
// writer's batch, a batch sent to a submitter that has not acknowledged it)
// holds a copy of the ticket, and when the last copy goes the bytes count as
// delivered. A fast writer is slowed to the pace of the slowest consumer
// instead of being buffered: the runner's memory for one task's output stays
// near `window` however much it prints.
//
// Tickets are copied and dropped on any thread; the flow's owner (the
// reactor) learns through `on_credit` that a paused reader may go on.
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

namespace runner {

// A share of one or more chunks still on their way. Empty: nothing to release
// (output that was not read from a pipe). Copyable, any thread.
struct flow_ticket {
  std::shared_ptr<void> hold;
  explicit operator bool() const { return static_cast<bool>(hold); }
};

// Keeps the distinct tickets of several lines: a batch of lines from one
// chunk holds that chunk's ticket once.
void keep_ticket(std::vector<flow_ticket>& held, const flow_ticket& t);

class output_flow : public std::enable_shared_from_this<output_flow> {
 public:
  // `on_credit` is called (on whatever thread drops a ticket) once after
  // try_pause() succeeded, when what is on its way fell to half the window.
  output_flow(size_t window, std::function<void()> on_credit);

  // The reader's thread: `n` bytes were read; the ticket that releases them.
  flow_ticket take(size_t n);
  // Whether the reader may read more now.
  bool open() const { return in_flight_.load() < window_; }
  // The reader's thread, when open() is false: true if the reader must now
  // wait for on_credit; false if credit came back meanwhile (read on).
  bool try_pause();
  size_t in_flight() const { return in_flight_.load(); }

 private:
  friend struct flow_share;
  void give(size_t n);

  size_t window_;
  std::function<void()> on_credit_;
  std::atomic<size_t> in_flight_{0};
  std::atomic<bool> paused_{false};
};

// How much of one process's output may be on its way at once.
inline constexpr size_t kOutputWindow = size_t{1} << 20;

}  // namespace runner
