// outbound_flow alone: the queue and the in-flight map of outgoing publishes, and the
// bookkeeping kept true of both (sequence order, bytes, expiry, packet id index, resends).
#include "outbound_flow.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mqttws {
namespace {

outbound_message message(std::uint64_t sequence, std::uint16_t packet_id = 0,
                         std::string_view payload = "x") {
  outbound_message m;
  m.sequence = sequence;
  publish p;
  p.topic = "t";
  p.payload = payload;
  p.qos = packet_id ? qos::at_least_once : qos::at_most_once;
  p.packet_id = packet_id;
  EXPECT_FALSE(owned_publish::make(p, protocol_version::v5, m.message));
  return m;
}

std::vector<std::uint64_t> queued_sequences(const outbound_flow& f) {
  std::vector<std::uint64_t> out;
  for (const outbound_message& m : f.queued()) out.push_back(m.sequence);
  return out;
}

TEST(OutboundFlow, a_message_back_from_flight_takes_its_place_in_sequence_order) {
  outbound_flow f;
  f.push(message(2));
  f.push(message(5));
  f.push(message(3));
  EXPECT_EQ(queued_sequences(f), (std::vector<std::uint64_t>{2, 3, 5}));
}

TEST(OutboundFlow, queued_bytes_count_what_is_queued_and_take_gives_them_back) {
  outbound_flow f;
  f.push(message(1, 0, "abc"));
  const std::size_t one = f.queued_bytes();
  f.push(message(2, 0, "abcdef"));
  EXPECT_EQ(f.queued_bytes(), one + one + 3);
  auto it = f.queued_begin();
  const outbound_message m = f.take(it);
  EXPECT_EQ(m.sequence, 1u);
  EXPECT_EQ(it->sequence, 2u);  // moved to the next
  EXPECT_EQ(f.queued_bytes(), one + 3);
}

TEST(OutboundFlow, the_earliest_expiry_follows_the_queue) {
  outbound_flow f;
  EXPECT_FALSE(f.earliest_expiry());
  outbound_message late = message(1), soon = message(2);
  late.expires_at = time_point(std::chrono::seconds(20));
  soon.expires_at = time_point(std::chrono::seconds(5));
  f.push(std::move(late));
  f.push(std::move(soon));
  EXPECT_EQ(*f.earliest_expiry(), time_point(std::chrono::seconds(5)));
  auto it = f.queued_begin();
  ++it;
  f.take(it);
  EXPECT_EQ(*f.earliest_expiry(), time_point(std::chrono::seconds(20)));
}

TEST(OutboundFlow, in_flight_messages_are_found_by_packet_id_until_taken) {
  outbound_flow f;
  f.put_in_flight(message(7, 42));
  ASSERT_NE(f.find(42), f.inflight_end());
  EXPECT_EQ(f.find(42)->first, 7u);
  EXPECT_EQ(f.find(43), f.inflight_end());
  f.take_in_flight(f.find(42));
  EXPECT_EQ(f.find(42), f.inflight_end());
  EXPECT_TRUE(f.empty());
}

TEST(OutboundFlow, a_pending_resend_taken_early_is_no_longer_counted) {
  outbound_flow f;
  f.resend_later(f.put_in_flight(message(1, 1)));
  f.resend_later(f.put_in_flight(message(2, 2)));
  f.resend_later(f.find(2)->second);  // twice is once
  EXPECT_EQ(f.pending_resends(), 2u);
  f.take_in_flight(f.find(1));
  EXPECT_EQ(f.pending_resends(), 1u);
  f.forget_resends();
  EXPECT_EQ(f.pending_resends(), 0u);
  EXPECT_FALSE(f.find(2)->second.resend_pending);
}

TEST(OutboundFlow, sequences_continue_after_the_highest_restored) {
  outbound_flow f;
  EXPECT_EQ(f.next_sequence(), 1u);
  f.sequence_seen(9);
  f.sequence_seen(4);
  EXPECT_EQ(f.next_sequence(), 10u);
  f.sequence_taken();
  EXPECT_EQ(f.next_sequence(), 11u);
}

TEST(OutboundFlow, clear_forgets_both_stages_and_their_indexes) {
  outbound_flow f;
  f.push(message(1));
  f.resend_later(f.put_in_flight(message(2, 5)));
  f.clear();
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(f.queued_bytes(), 0u);
  EXPECT_EQ(f.pending_resends(), 0u);
  EXPECT_EQ(f.find(5), f.inflight_end());
}

}  // namespace
}  // namespace mqttws
