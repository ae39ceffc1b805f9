// CAF 0.17.6 throws while it decodes some of its builtin types from bad
// bytes: a `@config_value` whose variant tag names no alternative raises
// std::runtime_error("invalid type found") (CAF_RAISE_ERROR in variant.hpp).
// Any peer past the BASP handshake may put such a type into a message, and
// thrown inside the BASP broker the exception ended the broker: the node
// then answered no connection at all, for 80 bytes of a certificate holder
// (or of any local process, on a `tls: off` node).
//
// This file defines caf::message::load(deserializer&), where every message
// a peer sends is decoded, as CAF's own (found with dlsym(RTLD_NEXT)) inside
// a try: what throws is a message that does not decode, and BASP drops it
// like any other. libcaf_core and libcaf_io call the function through its
// symbol, so the definition in the executable takes the place of CAF's; like
// sequence_length.cpp it is compiled into each executable that links
// runner_net.
#include <dlfcn.h>

#include <exception>

#include <caf/deserializer.hpp>
#include <caf/error.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace caf {

namespace {

// CAF's member function, called as the Itanium C++ ABI passes it: the
// result's address, then `this`, then the argument, as for this free function.
using message_load_fn = error (*)(message*, deserializer&);

message_load_fn cafs_own_load() {
  static const message_load_fn fn = reinterpret_cast<message_load_fn>(
      dlsym(RTLD_NEXT, "_ZN3caf7message4loadERNS_12deserializerE"));
  return fn;
}

}  // namespace

error message::load(deserializer& source) {
  message_load_fn own = cafs_own_load();
  if (own == nullptr)
    return sec::runtime_error;  // no libcaf_core after us: nothing decodes (the tests say so)
  try {
    return own(this, source);
  } catch (const std::exception&) {
    return sec::invalid_argument;
  }
}

}  // namespace caf
