// net/caf_bound/message_load.cpp: a message CAF throws on while decoding is
// a decoding error, in this executable as in the runner's.
#include <caf/all.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

TEST(CafMessageLoad, AConfigValueWithAnUnknownVariantTagIsAnErrorNotAThrow) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  // `@config_value` (a builtin), then a variant tag that names no alternative.
  const std::string bytes = std::string("\x00\x00\x11", 3) + "@<>+@config_value" + "\xee";
  caf::message msg;
  caf::binary_deserializer source{sys, bytes.data(), bytes.size()};
  // CAF alone throws std::runtime_error("invalid type found") here. Its
  // message loader drops the element's error, so what is checked is that
  // nothing was decoded.
  EXPECT_NO_THROW(source(msg));
  EXPECT_TRUE(msg.empty());
}

TEST(CafMessageLoad, MessagesStillDecode) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::vector<char> buf;
  {
    caf::binary_serializer sink{sys, buf};
    auto m = caf::make_message(std::string("hello"), int32_t{42}, caf::config_value{int64_t{7}});
    ASSERT_FALSE(sink(m));
  }
  caf::message back;
  caf::binary_deserializer source{sys, buf};
  ASSERT_FALSE(source(back));
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back.get_as<std::string>(0), "hello");
  EXPECT_EQ(back.get_as<int32_t>(1), 42);
  EXPECT_EQ(caf::get<int64_t>(back.get_as<caf::config_value>(2)), 7);
}

}  // namespace
