// keepalive: when a PINGREQ is due and when an unanswered one ends the connection.
#include <gtest/gtest.h>

#include "keepalive.hpp"

namespace mqttws {
namespace {

using namespace std::chrono_literals;
using action = keepalive::action;
const time_point t0{};

TEST(keepalive, a_ping_is_due_keep_alive_after_the_last_packet_sent_and_heard) {
  keepalive k(0s);
  k.start(10);
  k.sent(t0 + 4s);
  k.heard(t0 + 6s);
  EXPECT_EQ(k.deadline(), t0 + 14s);
  EXPECT_EQ(k.due(t0 + 13s), action::none);
  EXPECT_EQ(k.due(t0 + 14s), action::send_ping);
}

TEST(keepalive, silence_from_the_broker_makes_a_ping_due_even_while_sending) {
  keepalive k(0s);
  k.start(10);
  k.heard(t0 + 1s);
  k.sent(t0 + 9s);
  EXPECT_EQ(k.due(t0 + 11s), action::send_ping);
}

TEST(keepalive, keep_alive_zero_never_pings) {
  keepalive k(0s);
  k.start(0);
  EXPECT_EQ(k.deadline(), std::nullopt);
  EXPECT_EQ(k.due(t0 + 1000s), action::none);
}

TEST(keepalive, an_unanswered_ping_times_out_after_half_the_keep_alive_by_default) {
  keepalive k(0s);
  k.start(10);
  k.sent(t0 + 10s);  // the PINGREQ
  k.ping_sent(t0 + 10s);
  EXPECT_TRUE(k.awaiting_pingresp());
  EXPECT_EQ(k.due(t0 + 14s + 999ms), action::none);
  EXPECT_EQ(k.due(t0 + 15s), action::timed_out);
}

TEST(keepalive, the_ping_timeout_option_replaces_the_default) {
  keepalive k(2s);
  k.start(10);
  k.sent(t0 + 10s);
  k.ping_sent(t0 + 10s);
  EXPECT_EQ(k.deadline(), t0 + 12s);
  EXPECT_EQ(k.due(t0 + 12s), action::timed_out);
}

TEST(keepalive, only_the_first_unanswered_ping_times_the_round_trip) {
  keepalive k(0s);
  k.start(10);
  k.ping_sent(t0 + 10s);
  k.ping_sent(t0 + 12s);
  EXPECT_EQ(k.pingresp(t0 + 13s), std::optional<duration>(3s));
  EXPECT_FALSE(k.awaiting_pingresp());
}

TEST(keepalive, a_pingresp_without_a_ping_has_no_round_trip) {
  keepalive k(0s);
  k.start(10);
  EXPECT_EQ(k.pingresp(t0 + 1s), std::nullopt);
}

TEST(keepalive, while_a_ping_is_open_only_the_last_packet_sent_counts) {
  keepalive k(60s);
  k.start(10);
  k.sent(t0 + 10s);
  k.ping_sent(t0 + 10s);
  k.heard(t0 + 2s);
  EXPECT_EQ(k.due(t0 + 19s), action::none);
  EXPECT_EQ(k.due(t0 + 20s), action::send_ping);
}

TEST(keepalive, start_and_stop_forget_an_open_ping) {
  keepalive k(0s);
  k.start(10);
  k.ping_sent(t0 + 1s);
  k.stop();
  EXPECT_FALSE(k.awaiting_pingresp());
  k.ping_sent(t0 + 2s);
  k.start(20);
  EXPECT_FALSE(k.awaiting_pingresp());
  EXPECT_EQ(k.in_force(), 20);
}

}  // namespace
}  // namespace mqttws
