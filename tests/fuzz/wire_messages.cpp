// The runner's mesh messages as CAF decodes them from a peer (net/wire.hpp,
// actors/messages.hpp). The first byte picks how the rest is read: as a BASP
// direct message's payload (forwarding stack, then a message whose elements
// are looked up by name among the types add_wire_types registers), or as one
// registered type on its own. Any bytes give a value or an error, never a
// crash, and a value serializes to bytes that decode and serialize to the
// same bytes again: request hashes rely on it (each side hashes its copy).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "net/wire.hpp"

namespace {

using namespace runner;

caf::actor_system& wire_system() {
  struct holder {
    caf::actor_system_config cfg;
    std::unique_ptr<caf::actor_system> sys;
    holder() {
      add_wire_types(cfg);
      cfg.set("scheduler.max-threads", 1);
      sys = std::make_unique<caf::actor_system>(cfg);
    }
  };
  // Never destroyed: at exit, CAF's actor_system destructor would run after
  // the statics it uses are gone (a SEGV in ref_counted::deref).
  static holder* h = new holder;
  return *h->sys;
}

template <class T>
std::vector<char> serialized(caf::actor_system& sys, T& x) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  if (sink(x))
    std::abort();  // what was decoded can be encoded
  return buf;
}

template <class T>
void decode(caf::actor_system& sys, const char* p, size_t n) {
  T x;
  caf::binary_deserializer source{sys, p, n};
  if (source(x))
    return;
  std::vector<char> once = serialized(sys, x);
  T y;
  caf::binary_deserializer again{sys, once};
  if (again(y) || serialized(sys, y) != once)
    std::abort();
}

// What BASP does with a direct message's payload. Actor handles in it do not
// resolve (no proxies here): an error, as for a handle to a vanished actor.
void decode_payload(caf::actor_system& sys, const char* p, size_t n) {
  std::vector<caf::strong_actor_ptr> stack;
  caf::message msg;
  caf::binary_deserializer source{sys.dummy_execution_unit(), p, n};
  if (source(stack, msg))
    return;
  std::vector<char> once;
  {
    caf::binary_serializer sink{sys, once};
    if (sink(stack, msg))
      return;  // an element that cannot be sent back (none of the runner's)
  }
  caf::message again;
  std::vector<caf::strong_actor_ptr> stack2;
  caf::binary_deserializer source2{sys.dummy_execution_unit(), once};
  if (source2(stack2, again))
    std::abort();
  std::vector<char> twice;
  caf::binary_serializer sink{sys, twice};
  if (sink(stack2, again) || twice != once)
    std::abort();
}

using decoder = void (*)(caf::actor_system&, const char*, size_t);
const decoder kDecoders[] = {
    decode_payload,
    decode<credential>,     decode<route>,          decode<task_request>,
    decode<task_outcome>,   decode<group_request>,  decode<group_outcome>,
    decode<cancel_request>, decode<pause_request>,  decode<admin_request>,
    decode<admin_reply>,    decode<hello_reply>,    decode<std::vector<log_line>>,
    decode<task_report>,    decode<group_report>,   decode<dep_done>,
    decode<node_status>,    decode<std::vector<task_view>>,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  caf::actor_system& sys = wire_system();
  kDecoders[data[0] % std::size(kDecoders)](sys, reinterpret_cast<const char*>(data) + 1,
                                            size - 1);
  return 0;
}
