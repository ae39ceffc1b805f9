#include "actors/console_observer.hpp"
#include "actors/console_writer.hpp"

#include <chrono>
#include <cstdarg>
#include <map>
#include <string>

namespace runner {

namespace {

// The observer_actor interface, plus the message with which the observer
// tells itself to hand its text to the writer.
using console_actor = observer_actor::extend<caf::reacts_to<flush_atom>>;

using steady = std::chrono::steady_clock;
constexpr auto redraw_every = std::chrono::milliseconds(100);
constexpr size_t footer_tasks = 8;

struct observer_state {
  console_options opts;
  std::map<std::string, steady::time_point> running;
  std::map<task_status, size_t> counts;
  size_t footer_lines = 0;  // lines of footer currently on screen
  steady::time_point began = steady::now();
  // Text not handed to the writer yet. A `flush` message to itself, queued
  // behind the messages already waiting, hands it over: one batch per run of
  // messages instead of a thread wake-up per line.
  std::string pending;
  // The output the pending text came from: released once the writer wrote it.
  std::vector<flow_ticket> pending_tickets;
  bool flush_queued = false;
  console_writer_actor writer;
  static inline const char* name = "console_observer";
};

using self_ptr = console_actor::stateful_pointer<observer_state>;

void append(observer_state& st, const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  int n = std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  if (n < 0)
    return;
  if (static_cast<size_t>(n) < sizeof buf) {
    st.pending.append(buf, static_cast<size_t>(n));
    return;
  }
  std::string big(static_cast<size_t>(n) + 1, '\0');
  va_start(args, format);
  std::vsnprintf(big.data(), big.size(), format, args);
  va_end(args);
  big.pop_back();
  st.pending += big;
}

void queue_flush(self_ptr self) {
  auto& st = self->state;
  if (st.flush_queued || st.pending.empty())
    return;
  st.flush_queued = true;
  self->send(self, flush_atom::value);
}

const char* paint(const observer_state& st, const char* code) {
  return st.opts.color ? code : "";
}

std::string seconds_text(steady::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs",
                std::chrono::duration_cast<std::chrono::milliseconds>(d).count() / 1000.0);
  return buf;
}

void erase_footer(observer_state& st) {
  for (; st.footer_lines > 0; --st.footer_lines)
    st.pending += "\x1b[1A\x1b[2K";
}

void draw_footer(observer_state& st) {
  if (!st.opts.live)
    return;
  erase_footer(st);
  auto now = steady::now();
  size_t shown = 0;
  for (auto& [name, since] : st.running) {
    if (shown == footer_tasks)
      break;
    append(st, "  %s▶%s %s  %s\n", paint(st, "\x1b[36m"), paint(st, "\x1b[0m"), name.c_str(),
           seconds_text(now - since).c_str());
    ++shown;
  }
  st.footer_lines = shown;
  if (st.running.size() > shown) {
    append(st, "  … %zu more running\n", st.running.size() - shown);
    ++st.footer_lines;
  }
  size_t done = st.counts[task_status::success] + st.counts[task_status::failed] +
                st.counts[task_status::skipped] + st.counts[task_status::cancelled];
  append(st, "  %zu/%zu done · %zu running · %zu failed · %zu skipped · %s\n", done,
         st.opts.task_count, st.running.size(), st.counts[task_status::failed],
         st.counts[task_status::skipped], seconds_text(now - st.began).c_str());
  ++st.footer_lines;
}

void print_line(observer_state& st, const std::string& text) {
  erase_footer(st);
  st.pending += text;
  st.pending.push_back('\n');
}

std::string status_line(const observer_state& st, const task_report& r) {
  const char* color = "";
  const char* mark = "";
  switch (r.status) {
    case task_status::success: color = "\x1b[32m"; mark = "✓"; break;
    case task_status::failed: color = "\x1b[31m"; mark = "✗"; break;
    case task_status::cancelled: color = "\x1b[33m"; mark = "■"; break;
    default: color = "\x1b[90m"; mark = "-"; break;
  }
  std::string line = "[" + r.name + "] " + paint(st, color) + mark + " " + to_string(r.status);
  if (!r.error.empty())
    line += ": " + r.error;
  line += paint(st, "\x1b[0m");
  if (r.started_at_ms != 0)
    line += std::string(r.cached ? " (cached, " : " (") +
            (r.duration_ms < 1000 ? std::to_string(r.duration_ms) + "ms"
                                  : seconds_text(std::chrono::milliseconds(r.duration_ms))) +
            ")";
  return line;
}

void print_start(observer_state& st, const std::string& task, int attempt) {
  if (!st.opts.live && st.opts.task_lines)
    print_line(st, "[" + task + "] started" +
                       (attempt > 1 ? " (attempt " + std::to_string(attempt) + ")" : ""));
}

}  // namespace

console_actor::behavior_type observer_behavior(self_ptr self, console_options opts) {
  self->state.opts = opts;
  self->state.writer = spawn_console_writer(self, opts.out);
  if (opts.live)
    self->delayed_send(self, redraw_every, tick_atom::value);
  return {
      [=](started_atom, const std::string& task, int attempt) {
        auto& st = self->state;
        st.running[task] = steady::now();
        print_start(st, task, attempt);
        queue_flush(self);
      },
      [=](const log_line& l) {
        auto& st = self->state;
        if (st.opts.task_lines) {
          print_line(st, "[" + l.task + "] " + l.text);
          keep_ticket(st.pending_tickets, l.hold);
        }
        queue_flush(self);
      },
      [=](const task_report& r) {
        auto& st = self->state;
        if (r.start_untold)
          print_start(st, r.name, r.attempts);
        st.running.erase(r.name);
        ++st.counts[r.status];
        if (st.opts.task_lines)
          print_line(st, status_line(st, r));
        queue_flush(self);
      },
      [=](flush_atom) {
        auto& st = self->state;
        st.flush_queued = false;
        if (!st.pending.empty())
          self->send(st.writer, write_atom::value, std::exchange(st.pending, std::string{}),
                     std::exchange(st.pending_tickets, {}));
      },
      [=](tick_atom) {
        auto& st = self->state;
        draw_footer(st);
        queue_flush(self);
        self->delayed_send(self, redraw_every, tick_atom::value);
      },
      [=](summary_atom, const std::string& id, task_status status) {
        auto& st = self->state;
        erase_footer(st);
        st.opts.live = false;
        if (st.opts.summary) {
          std::string text = "group " + id + ": " + to_string(status) + " — ";
          bool first = true;
          for (auto s : {task_status::success, task_status::failed, task_status::skipped,
                         task_status::cancelled})
            if (auto n = st.counts[s]) {
              text += (first ? "" : ", ") + std::to_string(n) + " " + to_string(s);
              first = false;
            }
          if (first)
            text += "no tasks";
          text += " in " + seconds_text(steady::now() - st.began);
          print_line(st, text);
        }
        // The asker may end the process once answered: everything written first.
        if (!st.pending.empty())
          self->send(st.writer, write_atom::value, std::exchange(st.pending, std::string{}),
                     std::exchange(st.pending_tickets, {}));
        auto answer = self->make_response_promise<done_atom>();
        self->request(st.writer, caf::infinite, done_atom::value)
            .then([=](done_atom) mutable {
                    answer.deliver(done_atom::value);
                    self->quit();
                  },
                  [=](caf::error&) mutable {
                    answer.deliver(done_atom::value);
                    self->quit();
                  });
        return answer;
      },
  };
}

observer_actor spawn_console_observer(caf::actor_system& sys, console_options opts) {
  return sys.spawn(observer_behavior, std::move(opts));
}

}  // namespace runner
