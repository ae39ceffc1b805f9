// CAF 0.17.6 reads a byte sequence (std::vector<char>, CAF's builtin
// `@charbuf`, which any message may carry) by taking its length from the
// peer's bytes and resizing to it before it checks that the bytes are there
// (data_processor::apply_sequence). A frame of a few bytes could so make a
// node allocate and zero up to 4 GiB while CAF decodes it, past every bound
// the gate puts on frames.
//
// This file defines caf::binary_deserializer::begin_sequence, the one place
// every sequence length is read, with the same wire format and one more
// rule: a sequence cannot have more elements than bytes remain (each element
// of every type the mesh sends takes at least one byte). libcaf_core.so
// calls the function through its symbol (PLT and vtable relocations), so the
// definition in the executable takes the place of CAF's own for every
// deserializer, BASP's included. It is compiled into each executable that
// links runner_net (an INTERFACE source): a definition in a static library
// would be left out of the link, nothing naming it.
#include <caf/binary_deserializer.hpp>
#include <caf/sec.hpp>

namespace caf {

error binary_deserializer::begin_sequence(size_t& list_size) {
  // Varbyte encoding: 7 bits a byte, low bits first; a 32-bit length takes
  // at most 5 bytes (CAF's own loop shifts past 32 bits on a sixth).
  uint32_t x = 0;
  for (int n = 0;; ++n) {
    if (n == 5)
      return sec::invalid_argument;
    uint8_t low7 = 0;
    if (auto err = apply_raw(1, &low7))
      return err;
    x |= static_cast<uint32_t>(low7 & 0x7F) << (7 * n);
    if (!(low7 & 0x80))
      break;
  }
  if (x > remaining())
    return sec::end_of_stream;
  list_size = x;
  return none;
}

}  // namespace caf
