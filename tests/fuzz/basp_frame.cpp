// The gate's frame checks (net/basp_frame.hpp, net/gate_link.hpp): the input
// is a byte saying which side the gate is on, whether the peer proved an
// identity and where reads end, then what the peer sent. Whatever it sends,
// only whole headers that pass check_basp_header reach CAF, each followed by
// its payload, as an exact prefix of what was sent; a connection that proved
// nothing holds no more than the unproven budget; and a header encodes back
// to its own bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "net/basp_frame.hpp"
#include "net/gate_link.hpp"

namespace {

using namespace runner;

constexpr uint32_t kMaxPayload = 1 << 20;

// Walks what was handed to CAF: every header must pass on its own.
void check_frames(const std::vector<uint8_t>& to_caf, basp_role role) {
  size_t at = 0;
  bool first = true;
  while (at + kBaspHeaderSize <= to_caf.size()) {
    basp_header h = decode_basp_header(to_caf.data() + at);
    if (!check_basp_header(h, role, first, kMaxPayload).empty())
      std::abort();
    uint8_t again[kBaspHeaderSize];
    encode_basp_header(h, again);
    if (std::memcmp(again + 3, to_caf.data() + at + 3, kBaspHeaderSize - 3) != 0 ||
        again[0] != to_caf[at])
      std::abort();
    first = false;
    at += kBaspHeaderSize + h.payload_len;
  }
  if (at < to_caf.size())
    std::abort();  // a partial header handed on
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  const uint8_t mode = data[0];
  const uint8_t* p = data + 1;
  size_t left = size - 1;

  gate_link link;
  link.role = mode & 1 ? basp_role::dialled : basp_role::accepted;
  link.proven = mode & 2;
  unproven_budget budget;
  budget.limit = 3 * kBaspHeaderSize + 2 * kMaxBaspHandshake;
  const unsigned cut = mode >> 2;
  size_t sent = 0;
  bool ok = true;
  for (size_t k = 0; left > 0 && ok; ++k) {
    size_t n = cut == 0 ? left : std::min<size_t>(left, 1 + (cut * (k + 7)) % 101);
    ok = accept_peer_bytes(link, p, n, kMaxPayload, budget);
    p += n;
    left -= n;
    sent += n;
  }
  if (ok != link.close_reason.empty() || ok == link.bad_frame)
    std::abort();
  if (budget.held > budget.limit || budget.held != (link.proven ? 0 : link.held))
    std::abort();
  // What CAF got is the start of what was sent, and while the link is open,
  // everything sent is with CAF or waits in the header buffer.
  if (link.to_caf.size() > sent ||
      (!link.to_caf.empty() && std::memcmp(link.to_caf.data(), data + 1, link.to_caf.size())))
    std::abort();
  if (ok && link.to_caf.size() + link.header_have != sent)
    std::abort();
  check_frames(link.to_caf, link.role);
  return 0;
}
