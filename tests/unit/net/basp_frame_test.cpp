// The gate's frame rules (net/basp_frame.hpp, net/gate_link.hpp): what a
// header may announce, in which order frames may come, how a header split
// across reads is judged once whole, and the shared bound on what
// unauthenticated connections may make a node hold.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "net/basp_frame.hpp"
#include "net/gate_link.hpp"

namespace runner {
namespace {

constexpr uint32_t kMax = 64u << 20;

basp_header header(basp_op op, uint32_t len, uint64_t data = 0, uint64_t src = 0,
                   uint64_t dst = 0) {
  basp_header h;
  h.operation = static_cast<uint8_t>(op);
  h.payload_len = len;
  h.operation_data = data;
  h.source_actor = src;
  h.dest_actor = dst;
  return h;
}

std::vector<uint8_t> bytes_of(const basp_header& h, size_t payload = 0) {
  std::vector<uint8_t> out(kBaspHeaderSize + payload, 0x5a);
  encode_basp_header(h, out.data());
  return out;
}

TEST(BaspFrame, EncodesBigEndianInCafsLayout) {
  auto b = bytes_of(header(basp_op::direct_message, 0x01020304, 0x1112131415161718, 7, 9));
  EXPECT_EQ(b[0], 2);
  EXPECT_EQ(b[1], 0);
  EXPECT_EQ(b[2], 0);
  EXPECT_EQ(b[4], 1);
  EXPECT_EQ(b[7], 4);
  EXPECT_EQ(b[8], 0x11);
  EXPECT_EQ(b[15], 0x18);
  EXPECT_EQ(b[23], 7);
  EXPECT_EQ(b[31], 9);
  basp_header back = decode_basp_header(b.data());
  EXPECT_EQ(back.operation, 2);
  EXPECT_EQ(back.payload_len, 0x01020304u);
  EXPECT_EQ(back.operation_data, 0x1112131415161718u);
  EXPECT_EQ(back.source_actor, 7u);
  EXPECT_EQ(back.dest_actor, 9u);
}

TEST(BaspFrame, AHandshakeComesFirstFromEachSide) {
  auto client = header(basp_op::client_handshake, 100);
  auto server = header(basp_op::server_handshake, 100, kBaspVersion);
  EXPECT_EQ(check_basp_header(client, basp_role::accepted, true, kMax), "");
  EXPECT_EQ(check_basp_header(server, basp_role::dialled, true, kMax), "");
  EXPECT_NE(check_basp_header(server, basp_role::accepted, true, kMax), "");
  EXPECT_NE(check_basp_header(client, basp_role::dialled, true, kMax), "");
  auto msg = header(basp_op::direct_message, 10, 0, 1, 2);
  EXPECT_NE(check_basp_header(msg, basp_role::accepted, true, kMax), "");
  EXPECT_EQ(check_basp_header(msg, basp_role::accepted, false, kMax), "");
  // A second server handshake on a dialled connection is not BASP.
  EXPECT_NE(check_basp_header(server, basp_role::dialled, false, kMax), "");
}

TEST(BaspFrame, AnotherBaspVersionIsNamed) {
  auto server = header(basp_op::server_handshake, 100, 2);
  EXPECT_NE(check_basp_header(server, basp_role::dialled, true, kMax).find("BASP version 2"),
            std::string::npos);
}

TEST(BaspFrame, UnknownOperationsAndMalformedFieldsAreRefused) {
  basp_header h = header(basp_op::heartbeat, 0);
  h.operation = 7;
  EXPECT_NE(check_basp_header(h, basp_role::accepted, false, kMax).find("unknown"),
            std::string::npos);
  // CAF's valid(): a direct message needs a receiver and a payload; a
  // heartbeat carries nothing.
  EXPECT_NE(check_basp_header(header(basp_op::direct_message, 10, 0, 1, 0), basp_role::accepted,
                              false, kMax),
            "");
  EXPECT_NE(check_basp_header(header(basp_op::direct_message, 0, 0, 1, 2), basp_role::accepted,
                              false, kMax),
            "");
  EXPECT_NE(check_basp_header(header(basp_op::heartbeat, 1), basp_role::accepted, false, kMax),
            "");
  EXPECT_EQ(check_basp_header(header(basp_op::heartbeat, 0), basp_role::accepted, false, kMax),
            "");
}

TEST(BaspFrame, LengthsAreBoundedByMaxMessageAndHandshakesTighter) {
  auto msg = [](uint32_t len) { return header(basp_op::direct_message, len, 0, 1, 2); };
  EXPECT_EQ(check_basp_header(msg(kMax), basp_role::accepted, false, kMax), "");
  std::string why = check_basp_header(msg(kMax + 1), basp_role::accepted, false, kMax);
  EXPECT_NE(why.find("transport.max_message"), std::string::npos) << why;
  EXPECT_NE(check_basp_header(msg(0xFFFFFFF0u), basp_role::dialled, false, kMax), "");
  auto hs = [](uint32_t len) { return header(basp_op::client_handshake, len); };
  EXPECT_EQ(check_basp_header(hs(kMaxBaspHandshake), basp_role::accepted, true, kMax), "");
  EXPECT_NE(check_basp_header(hs(kMaxBaspHandshake + 1), basp_role::accepted, true, kMax), "");
  // A max_message below the handshake bound bounds handshakes too.
  EXPECT_NE(check_basp_header(hs(100 * 1024), basp_role::accepted, true, 64 * 1024), "");
}

struct GateLinkFraming : ::testing::Test {
  gate_link link;
  unproven_budget budget{1 << 20, 0};
  GateLinkFraming() {
    link.role = basp_role::accepted;
    link.proven = false;
  }
  bool feed(const std::vector<uint8_t>& b) {
    return accept_peer_bytes(link, b.data(), b.size(), kMax, budget);
  }
};

TEST_F(GateLinkFraming, FramesPassWholeAndAHeaderSplitAcrossReadsIsJudgedOnceComplete) {
  auto hs = bytes_of(header(basp_op::client_handshake, 5), 5);
  auto msg = bytes_of(header(basp_op::direct_message, 3, 0, 1, 2), 3);
  std::vector<uint8_t> all = hs;
  all.insert(all.end(), msg.begin(), msg.end());
  for (uint8_t b : all)  // one byte per read
    ASSERT_TRUE(accept_peer_bytes(link, &b, 1, kMax, budget)) << link.close_reason;
  EXPECT_EQ(link.to_caf, all);
  EXPECT_FALSE(link.first_frame);
}

TEST_F(GateLinkFraming, ABadHeaderClosesTheLinkBeforeAnyOfItPasses) {
  ASSERT_TRUE(feed(bytes_of(header(basp_op::client_handshake, 0))));
  size_t passed = link.to_caf.size();
  auto huge = bytes_of(header(basp_op::direct_message, 0xFFFFFFF0u, 0, 1, 2));
  EXPECT_FALSE(feed(huge));
  EXPECT_TRUE(link.bad_frame);
  EXPECT_NE(link.close_reason.find("4294967280 bytes"), std::string::npos) << link.close_reason;
  EXPECT_EQ(link.to_caf.size(), passed);
}

TEST_F(GateLinkFraming, UnauthenticatedLinksShareOneBudgetAndHoldTheirLargestFrame) {
  ASSERT_TRUE(feed(bytes_of(header(basp_op::client_handshake, 200 * 1024))));
  EXPECT_EQ(budget.held, kBaspHeaderSize + 200 * 1024);
  gate_link other;
  other.role = basp_role::accepted;
  for (int i = 0; i < 4; ++i) {
    gate_link l;
    l.role = basp_role::accepted;
    auto b = bytes_of(header(basp_op::client_handshake, 200 * 1024));
    ASSERT_TRUE(accept_peer_bytes(l, b.data(), b.size(), kMax, budget));
  }
  auto b = bytes_of(header(basp_op::client_handshake, 200 * 1024));
  EXPECT_FALSE(accept_peer_bytes(other, b.data(), b.size(), kMax, budget));
  EXPECT_NE(other.close_reason.find("unauthenticated"), std::string::npos) << other.close_reason;
}

TEST_F(GateLinkFraming, AProvenLinkIsNotCountedAgainstTheBudget) {
  link.proven = true;
  ASSERT_TRUE(feed(bytes_of(header(basp_op::client_handshake, 200 * 1024))));
  EXPECT_EQ(budget.held, 0u);
}

}  // namespace
}  // namespace runner
