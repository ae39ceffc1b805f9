// net/caf_bound/sequence_length.cpp: CAF's deserializer refuses a sequence
// longer than the bytes left, before it allocates, in this executable as in
// the runner's (the definition replaces CAF's own by symbol).
#include <caf/all.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include <sys/resource.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// A varbyte length of 0xFFFFFFF0 (5 bytes), as a peer would write it.
const std::string kHugeLength = "\xf0\xff\xff\xff\x0f";

TEST(CafSequenceBound, AByteVectorLongerThanTheInputIsRefusedUnallocated) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::string bytes = kHugeLength + "abc";
  std::vector<char> v;
  caf::binary_deserializer source{sys, bytes.data(), bytes.size()};
  EXPECT_TRUE(source(v));
  // CAF 0.17.6 alone resizes to 4 GiB here before it finds the bytes missing.
  EXPECT_LT(v.capacity(), 1024u);
}

TEST(CafSequenceBound, AMessageCarryingAHugeCharbufIsRefused) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::vector<char> buf;
  {
    caf::binary_serializer sink{sys, buf};
    auto msg = caf::make_message(std::vector<char>{'x', 'y'});
    ASSERT_FALSE(sink(msg));
  }
  std::string bytes(buf.begin(), buf.end());
  ASSERT_EQ(bytes.substr(bytes.size() - 3), std::string("\x02xy"));
  bytes = bytes.substr(0, bytes.size() - 3) + kHugeLength + "xy";
  // CAF 0.17.6 alone allocates and zeroes 4 GiB here (the peak RSS shows
  // it); bounded, decoding stops at the length. CAF's message loader drops
  // the element's error, so what is checked is that nothing was decoded.
  long before = peak_rss_kib();
  caf::message back;
  caf::binary_deserializer source{sys, bytes.data(), bytes.size()};
  source(back);
  EXPECT_TRUE(back.empty());
  EXPECT_EQ(source.remaining(), 2u) << "the length was read, the bytes were not";
  EXPECT_LT(peak_rss_kib() - before, 512 * 1024);
}

TEST(CafSequenceBound, SequencesThatFitStillDecode) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::vector<char> buf;
  std::vector<char> chars(300, 'c');
  std::vector<std::string> strings{"", "a", std::string(200, 'b')};
  {
    caf::binary_serializer sink{sys, buf};
    ASSERT_FALSE(sink(chars, strings));
  }
  std::vector<char> chars2;
  std::vector<std::string> strings2;
  caf::binary_deserializer source{sys, buf};
  ASSERT_FALSE(source(chars2, strings2));
  EXPECT_EQ(chars2, chars);
  EXPECT_EQ(strings2, strings);
  EXPECT_EQ(source.remaining(), 0u);
}

TEST(CafSequenceBound, ALengthOfMoreThanFiveVarbytesIsRefused) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::string bytes = "\x80\x80\x80\x80\x80\x00" + std::string(16, 'z');
  bytes[5] = '\0';
  std::vector<char> v;
  caf::binary_deserializer source{sys, bytes.data(), bytes.size()};
  EXPECT_TRUE(source(v));
}

}  // namespace
