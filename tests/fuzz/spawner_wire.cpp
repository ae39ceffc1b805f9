// The spawner wire (drivers/spawner_wire.hpp), both directions: the input is
// a byte that says where reads end (0: one read), then a byte stream,
// reassembled by the inbox from those reads, and each frame decoded as the spawner (spawn, signal, terminate,
// kill) and the reactor (failed, exited) decode it. Any bytes give frames or
// a broken stream, never a crash; a spawn request that decodes encodes back
// to one that decodes the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "drivers/spawner_wire.hpp"

namespace {

using namespace runner::spawner_wire;

bool same(const spawn_request& a, const spawn_request& b) {
  return a.id == b.id && a.contain == b.contain && a.has_stdin == b.has_stdin &&
         a.separate_err == b.separate_err && a.program == b.program &&
         a.working_dir == b.working_dir && a.argv == b.argv && a.env == b.env;
}

void decode(op o, const std::string& body) {
  if (o == op::spawn) {
    spawn_request r;
    if (!decode_spawn(body, r))
      return;
    std::string again = encode_spawn(r);
    spawn_request r2;
    if (again.size() < 5 || static_cast<op>(again[4]) != op::spawn ||
        !decode_spawn(std::string_view(again).substr(5), r2) || !same(r, r2))
      std::abort();
    return;
  }
  reader rd(body);
  uint64_t id = 0;
  uint32_t a = 0, b = 0;
  if (o == op::failed)
    (void)(rd.u64(id) && rd.u32(a));
  else if (o == op::exited)
    (void)(rd.u64(id) && rd.u32(a) && rd.u32(b));
  else if (o == op::signal)
    (void)(rd.u64(id) && rd.u32(a));
  else
    (void)rd.u64(id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  const unsigned cut = data[0];
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  inbox box;
  for (size_t k = 0; !stream.empty(); ++k) {
    size_t n = cut == 0 ? stream.size() : 1 + (cut * (k + 1)) % 257;
    std::string_view chunk = stream.substr(0, n);
    stream.remove_prefix(chunk.size());
    if (box.append(chunk) == inbox::status::broken)
      break;
    op o;
    std::string body;
    while (box.next(o, body))
      decode(o, body);
  }
  if (box.take_fd() != -1)
    std::abort();  // no descriptor came with these bytes
  return 0;
}
