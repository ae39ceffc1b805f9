#include "actors/console_observer.hpp"

#include <chrono>
#include <map>
#include <string>


namespace runner {

namespace {

using steady = std::chrono::steady_clock;
constexpr auto redraw_every = std::chrono::milliseconds(100);
constexpr size_t footer_tasks = 8;

struct observer_state {
  console_options opts;
  std::map<std::string, steady::time_point> running;
  std::map<task_status, size_t> counts;
  size_t footer_lines = 0;  // lines of footer currently on screen
  steady::time_point began = steady::now();
  static inline const char* name = "console_observer";
};

using self_ptr = observer_actor::stateful_pointer<observer_state>;

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
    std::fputs("\x1b[1A\x1b[2K", st.opts.out);
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
    std::fprintf(st.opts.out, "  %s▶%s %s  %s\n", paint(st, "\x1b[36m"), paint(st, "\x1b[0m"),
                 name.c_str(), seconds_text(now - since).c_str());
    ++shown;
  }
  st.footer_lines = shown;
  if (st.running.size() > shown) {
    std::fprintf(st.opts.out, "  … %zu more running\n", st.running.size() - shown);
    ++st.footer_lines;
  }
  size_t done = st.counts[task_status::success] + st.counts[task_status::failed] +
                st.counts[task_status::skipped] + st.counts[task_status::cancelled];
  std::fprintf(st.opts.out, "  %zu/%zu done · %zu running · %zu failed · %zu skipped · %s\n",
               done, st.opts.task_count, st.running.size(), st.counts[task_status::failed],
               st.counts[task_status::skipped], seconds_text(now - st.began).c_str());
  ++st.footer_lines;
  std::fflush(st.opts.out);
}

void print_line(observer_state& st, std::string text) {
  erase_footer(st);
  text.push_back('\n');  // one write per line, even on unbuffered stderr
  std::fwrite(text.data(), 1, text.size(), st.opts.out);
  if (!st.opts.live)
    std::fflush(st.opts.out);
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
    line += " (" + (r.duration_ms < 1000 ? std::to_string(r.duration_ms) + "ms"
                                         : seconds_text(std::chrono::milliseconds(r.duration_ms))) +
            ")";
  return line;
}

}  // namespace

observer_actor::behavior_type observer_behavior(self_ptr self, console_options opts) {
  self->state.opts = opts;
  if (opts.live)
    self->delayed_send(self, redraw_every, tick_atom::value);
  return {
      [=](started_atom, const std::string& task, int attempt) {
        auto& st = self->state;
        st.running[task] = steady::now();
        if (!st.opts.live && st.opts.task_lines)
          print_line(st, "[" + task + "] started" +
                             (attempt > 1 ? " (attempt " + std::to_string(attempt) + ")" : ""));
      },
      [=](const log_line& l) {
        auto& st = self->state;
        if (st.opts.task_lines)
          print_line(st, "[" + l.task + "] " + l.text);
      },
      [=](const task_report& r) {
        auto& st = self->state;
        st.running.erase(r.name);
        ++st.counts[r.status];
        if (st.opts.task_lines)
          print_line(st, status_line(st, r));
      },
      [=](tick_atom) {
        auto& st = self->state;
        draw_footer(st);
        self->delayed_send(self, redraw_every, tick_atom::value);
      },
      [=](summary_atom, const std::string& id, task_status status) -> done_atom {
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
        std::fflush(st.opts.out);
        self->quit();
        return done_atom::value;
      },
  };
}

observer_actor spawn_console_observer(caf::actor_system& sys, console_options opts) {
  return sys.spawn<caf::detached>(observer_behavior, std::move(opts));
}

}  // namespace runner
