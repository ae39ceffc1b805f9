#include "actors/console_writer.hpp"

namespace runner {

namespace {

console_writer_actor::behavior_type writer_behavior(console_writer_actor::pointer self, FILE* out) {
  return {
      [=](write_atom, const std::string& text, const std::vector<flow_ticket>&) {
        // One write per batch, even on unbuffered stderr: lines stay whole.
        // The batch's tickets go with the message, once it is written: a task
        // that prints faster than this can write is slowed to its pace.
        std::fwrite(text.data(), 1, text.size(), out);
        std::fflush(out);
      },
      [=](done_atom) {
        std::fflush(out);
        self->quit();
        return done_atom::value;
      },
  };
}

}  // namespace

console_writer_actor spawn_console_writer(caf::local_actor* owner, FILE* out) {
  return owner->spawn<caf::detached + caf::linked>(writer_behavior, out);
}

}  // namespace runner
