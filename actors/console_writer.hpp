#pragma once
// The part of the console observer that writes: a detached actor, because
// writing to a terminal or a pipe may block. The observer itself runs on the
// scheduler and hands text over in batches, so that a group of many short
// tasks does not wake this thread once per line.
#include <cstdio>

#include "actors/messages.hpp"

namespace runner {

// Linked to `owner`: it ends when the owner fails. `done` ends it otherwise.
console_writer_actor spawn_console_writer(caf::local_actor* owner, FILE* out);

}  // namespace runner
