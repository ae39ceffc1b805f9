#pragma once
// The messages between the reactor and its spawner process (spawner.hpp), in
// one place: length-prefixed binary frames on a unix stream socket; the
// descriptors a spawn hands over travel with its frame as SCM_RIGHTS.
//
//   frame = u32 length of the rest | u8 op | fields
//   u64 and u32 little-endian; a string is u32 length + bytes; a list is
//   u32 count + strings.
#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace runner::spawner_wire {

enum class op : uint8_t {
  // reactor -> spawner
  spawn = 1,      // spawn_request, with its descriptors
  signal = 2,     // id, signo: to the process's tree, if it has not ended
  terminate = 3,  // id: SIGTERM and SIGCONT to its tree; what was signalled is remembered
  kill = 4,       // id: SIGKILL to its tree and to what `terminate` remembered
  kill_all = 5,   // SIGKILL to every descendant of the spawner, frozen first
  // spawner -> reactor
  failed = 16,    // id, errno: it did not start (a start that worked is not answered)
  exited = 17,    // id, pid, wait status
};

// Frames from the reactor hold a command line and an environment (bounded by
// the kernel's ARG_MAX for exec anyway); anything larger is a broken stream.
constexpr uint32_t kMaxFrame = 64u << 20;

struct spawn_request {
  uint64_t id = 0;
  // The root runs under a keeper of its own (spawner.cpp), which ends what the
  // root leaves behind when it ends — for long-lived helpers such as external
  // drivers, whose tasks must not outlive them.
  bool contain = false;
  bool has_stdin = false;      // else /dev/null
  bool separate_err = false;   // else stderr shares stdout's descriptor
  std::string program;         // resolved path
  std::string working_dir;     // empty: the spawner's
  std::vector<std::string> argv;
  std::vector<std::string> env;
};

class writer {
 public:
  explicit writer(op o);
  writer& u32(uint32_t v);
  writer& u64(uint64_t v);
  writer& str(std::string_view s);
  writer& strs(const std::vector<std::string>& v);
  // The finished frame, length prefix filled in.
  const std::string& frame();

 private:
  std::string buf_;
};

class reader {
 public:
  explicit reader(std::string_view body) : rest_(body) {}
  bool u32(uint32_t& v);
  bool u64(uint64_t& v);
  bool str(std::string& s);
  bool strs(std::vector<std::string>& v);
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

std::string encode_spawn(const spawn_request& r);
bool decode_spawn(std::string_view body, spawn_request& r);

// Writes the whole frame, blocking; `fds` go with its first byte. False when
// the other side is gone.
bool send_frame(int fd, const std::string& frame, const std::vector<int>& fds = {});

// Reassembles frames from a stream socket, keeping the descriptors that
// arrived in order of arrival. Closes the ones never taken.
class inbox {
 public:
  enum class status { ok, again, closed, broken };
  inbox() = default;
  inbox(const inbox&) = delete;
  inbox& operator=(const inbox&) = delete;
  ~inbox();
  // One recvmsg; `again` when nothing was there (a non-blocking socket),
  // `broken` on a frame over kMaxFrame or truncated descriptors.
  status read_some(int fd);
  // What read_some does with the bytes it received (tests, fuzzing).
  status append(std::string_view bytes);
  // The next whole frame, if any.
  bool next(op& o, std::string& body);
  // The oldest received descriptor not yet taken, -1 if none.
  int take_fd();

 private:
  std::string buf_;
  std::deque<int> fds_;
  bool broken_ = false;
};

}  // namespace runner::spawner_wire
