// reconnect_policy: endpoints in rounds, redirects, backoff, reconnect() at once.
#include <gtest/gtest.h>

#include "reconnect_policy.hpp"

namespace mqttws {
namespace {

using namespace std::chrono_literals;
const time_point t0{};

backoff_options no_jitter() {
  backoff_options b;
  b.initial_delay = 1s;
  b.max_delay = 8s;
  b.multiplier = 2.0;
  b.jitter = 0.0;
  return b;
}

TEST(reconnect_policy, the_first_attempt_uses_the_first_endpoint_and_nothing_is_due) {
  reconnect_policy p({"a", "b"}, no_jitter(), true);
  EXPECT_EQ(p.begin_attempt(), "a");
  EXPECT_EQ(p.due(), std::nullopt);
}

TEST(reconnect_policy, a_failed_attempt_moves_on_at_once_and_a_failed_round_waits) {
  reconnect_policy p({"a", "b"}, no_jitter(), true);
  p.begin_attempt();
  EXPECT_EQ(p.schedule(t0, false), 0s);
  EXPECT_EQ(p.upcoming_endpoint(), "b");
  EXPECT_EQ(p.begin_attempt(), "b");
  EXPECT_EQ(p.schedule(t0 + 1s, false), 1s);
  EXPECT_EQ(p.due(), t0 + 2s);
  EXPECT_EQ(p.upcoming_endpoint(), "a");
  EXPECT_EQ(p.attempts(), 2u);
}

TEST(reconnect_policy, a_lost_connection_retries_the_same_endpoint_after_the_backoff) {
  reconnect_policy p({"a", "b"}, no_jitter(), true);
  p.begin_attempt();
  p.connected();
  EXPECT_EQ(p.schedule(t0, true), 1s);
  EXPECT_EQ(p.schedule(t0, true), 2s);
  EXPECT_EQ(p.upcoming_endpoint(), "a");
}

TEST(reconnect_policy, connected_starts_count_and_backoff_over) {
  reconnect_policy p({"a"}, no_jitter(), true);
  p.schedule(t0, true);
  p.schedule(t0, true);
  p.connected();
  EXPECT_EQ(p.attempts(), 0u);
  EXPECT_EQ(p.schedule(t0, true), 1s);
}

TEST(reconnect_policy, a_redirect_is_followed_at_once_and_only_once) {
  reconnect_policy p({"a", "b"}, no_jitter(), true);
  p.begin_attempt();
  p.redirect_to("elsewhere");
  EXPECT_EQ(p.schedule(t0, true), 0s);
  EXPECT_EQ(p.upcoming_endpoint(), "elsewhere");
  EXPECT_EQ(p.begin_attempt(), "elsewhere");
  EXPECT_EQ(p.upcoming_endpoint(), "a");
}

TEST(reconnect_policy, retry_at_once_reconnects_now_even_when_reconnecting_is_off) {
  reconnect_policy p({"a", "b"}, no_jitter(), false);
  EXPECT_FALSE(p.will_retry(true));
  p.retry_at_once();
  EXPECT_TRUE(p.will_retry(true));
  EXPECT_FALSE(p.will_retry(false));
  EXPECT_EQ(p.schedule(t0, false), 0s);
  EXPECT_EQ(p.upcoming_endpoint(), "a");  // the same endpoint
  EXPECT_FALSE(p.will_retry(true));       // once
}

TEST(reconnect_policy, retry_now_makes_the_attempt_due_now_with_a_fresh_backoff) {
  reconnect_policy p({"a"}, no_jitter(), true);
  p.schedule(t0, true);
  p.schedule(t0, true);
  p.retry_now(t0 + 1s);
  EXPECT_EQ(p.due(), t0 + 1s);
  EXPECT_EQ(p.schedule(t0, true), 1s);
}

TEST(reconnect_policy, cancel_leaves_nothing_due) {
  reconnect_policy p({"a"}, no_jitter(), true);
  p.schedule(t0, true);
  p.cancel();
  EXPECT_EQ(p.due(), std::nullopt);
}

}  // namespace
}  // namespace mqttws
