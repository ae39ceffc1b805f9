#include "drivers/spawner_wire.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace runner::spawner_wire {

namespace {

constexpr size_t kMaxFdsPerRead = 64;

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_le(std::string_view in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return v;
}

}  // namespace

writer::writer(op o) {
  buf_.assign(4, '\0');
  buf_.push_back(static_cast<char>(o));
}

writer& writer::u32(uint32_t v) {
  put_le(buf_, v, 4);
  return *this;
}

writer& writer::u64(uint64_t v) {
  put_le(buf_, v, 8);
  return *this;
}

writer& writer::str(std::string_view s) {
  u32(static_cast<uint32_t>(s.size()));
  buf_.append(s);
  return *this;
}

writer& writer::strs(const std::vector<std::string>& v) {
  u32(static_cast<uint32_t>(v.size()));
  for (auto& s : v)
    str(s);
  return *this;
}

const std::string& writer::frame() {
  auto len = static_cast<uint32_t>(buf_.size() - 4);
  for (int i = 0; i < 4; ++i)
    buf_[i] = static_cast<char>((len >> (8 * i)) & 0xff);
  return buf_;
}

bool reader::u32(uint32_t& v) {
  if (rest_.size() < 4)
    return false;
  v = static_cast<uint32_t>(get_le(rest_, 4));
  rest_.remove_prefix(4);
  return true;
}

bool reader::u64(uint64_t& v) {
  if (rest_.size() < 8)
    return false;
  v = get_le(rest_, 8);
  rest_.remove_prefix(8);
  return true;
}

bool reader::str(std::string& s) {
  uint32_t n = 0;
  if (!u32(n) || rest_.size() < n)
    return false;
  s.assign(rest_.substr(0, n));
  rest_.remove_prefix(n);
  return true;
}

bool reader::strs(std::vector<std::string>& v) {
  uint32_t n = 0;
  if (!u32(n) || n > rest_.size() / 4)  // each string takes at least its length
    return false;
  v.resize(n);
  for (auto& s : v)
    if (!str(s))
      return false;
  return true;
}

std::string encode_spawn(const spawn_request& r) {
  uint32_t flags = (r.contain ? 1u : 0u) | (r.has_stdin ? 2u : 0u) | (r.separate_err ? 4u : 0u);
  writer w(op::spawn);
  w.u64(r.id).u32(flags).str(r.program).str(r.working_dir).strs(r.argv).strs(r.env);
  return w.frame();
}

bool decode_spawn(std::string_view body, spawn_request& r) {
  reader rd(body);
  uint32_t flags = 0;
  if (!rd.u64(r.id) || !rd.u32(flags) || !rd.str(r.program) || !rd.str(r.working_dir) ||
      !rd.strs(r.argv) || !rd.strs(r.env) || !rd.done())
    return false;
  r.contain = flags & 1u;
  r.has_stdin = flags & 2u;
  r.separate_err = flags & 4u;
  return true;
}

bool send_frame(int fd, const std::string& frame, const std::vector<int>& fds) {
  size_t off = 0;
  bool fds_sent = fds.empty();
  while (off < frame.size()) {
    iovec iov{const_cast<char*>(frame.data() + off), frame.size() - off};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    std::vector<char> control;
    if (!fds_sent) {
      control.assign(CMSG_SPACE(sizeof(int) * fds.size()), 0);
      msg.msg_control = control.data();
      msg.msg_controllen = control.size();
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
      std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    fds_sent = true;
    off += static_cast<size_t>(n);
  }
  return true;
}

inbox::~inbox() {
  for (int fd : fds_)
    close(fd);
}

inbox::status inbox::read_some(int fd) {
  if (broken_)
    return status::broken;
  char data[65536];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerRead)];
  iovec iov{data, sizeof data};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (n < 0)
    return errno == EAGAIN || errno == EINTR ? status::again : status::closed;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int got;
      std::memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      fds_.push_back(got);
    }
  }
  if (msg.msg_flags & MSG_CTRUNC)
    broken_ = true;
  if (n == 0)
    return status::closed;
  return append(std::string_view(data, static_cast<size_t>(n)));
}

inbox::status inbox::append(std::string_view bytes) {
  buf_.append(bytes);
  if (buf_.size() >= 4 && get_le(buf_, 4) > kMaxFrame)
    broken_ = true;
  return broken_ ? status::broken : status::ok;
}

bool inbox::next(op& o, std::string& body) {
  if (broken_ || buf_.size() < 5)
    return false;
  auto len = static_cast<size_t>(get_le(buf_, 4));
  if (len > kMaxFrame) {
    broken_ = true;
    return false;
  }
  if (len == 0) {
    broken_ = true;
    return false;
  }
  if (buf_.size() < 4 + len)
    return false;
  o = static_cast<op>(static_cast<unsigned char>(buf_[4]));
  body.assign(buf_, 5, len - 1);
  buf_.erase(0, 4 + len);
  return true;
}

int inbox::take_fd() {
  if (fds_.empty())
    return -1;
  int fd = fds_.front();
  fds_.pop_front();
  return fd;
}

}  // namespace runner::spawner_wire
