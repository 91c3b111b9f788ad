// Session: how long a subscription routes messages, and the subscription_ended_event that
// says when each filter stops (session_settings::report_subscription_ends): unsubscribed,
// refused by a SUBACK (a resubscription's too), not sent, or the session closed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "session_harness.hpp"

namespace mqttws::test {
namespace {

session_options reporting(session_options o = test_options()) {
  o.report_subscription_ends = true;
  return o;
}

// Subscribes to `filters` (QoS 0) and answers the SUBACK with `codes`; returns the operation,
// its operation_event taken.
operation_id subscribed(scripted_broker& b, const std::vector<std::string_view>& filters,
                        const std::vector<reason_code>& codes) {
  std::vector<subscription> subs;
  for (std::string_view f : filters) subs.push_back({f, subscribe_options{}});
  const operation_id id = expect_id(b.subscribe(subs));
  b.suback(b.expect<subscribe>()->packet_id, codes);
  EXPECT_EQ(b.next_event<operation_event>().id, id);
  return id;
}
operation_id subscribed(scripted_broker& b, std::string_view filter) {
  return subscribed(b, {filter}, {reason_code::granted_qos_0});
}

// Unsubscribes `filters` and answers the UNSUBACK with `codes`; its operation_event taken.
void unsubscribed(scripted_broker& b, const std::vector<std::string_view>& filters,
                  const std::vector<reason_code>& codes) {
  const operation_id id = expect_id(b.unsubscribe(filters));
  b.unsuback(b.expect<unsubscribe>()->packet_id, codes);
  EXPECT_EQ(b.next_event<operation_event>().id, id);
}

std::vector<operation_id> routed(scripted_broker& b, std::string_view topic) {
  b.deliver(topic, "x");
  return sorted(b.next_event<message_event>().subscriptions);
}

void expect_end(const subscription_ended_event& e, operation_id op, std::string_view filter,
                subscription_end reason, reason_code code, bool last) {
  EXPECT_EQ(e.subscription, op);
  EXPECT_EQ(e.filter, filter);
  EXPECT_EQ(e.reason, reason);
  EXPECT_EQ(e.code, code);
  EXPECT_EQ(e.last, last);
}

// ---- unsubscribed -------------------------------------------------------------------------

TEST(SessionSubscriptionEnd, an_unsuback_ends_the_filter_after_the_unsubscribe_completes) {
  scripted_broker b(reporting());
  b.connect_ok();
  const operation_id op = subscribed(b, "home/#");
  unsubscribed(b, {"home/#"}, {reason_code::success});
  expect_end(b.next_event<subscription_ended_event>(), op, "home/#",
             subscription_end::unsubscribed, reason_code::success, true);
  b.no_more_events();
  EXPECT_EQ(routed(b, "home/door"), std::vector<operation_id>{});
}

TEST(SessionSubscriptionEnd, no_subscription_existed_also_ends_the_filter_with_that_code) {
  scripted_broker b(reporting());
  b.connect_ok();
  const operation_id op = subscribed(b, "a");
  unsubscribed(b, {"a"}, {reason_code::no_subscription_existed});
  expect_end(b.next_event<subscription_ended_event>(), op, "a", subscription_end::unsubscribed,
             reason_code::no_subscription_existed, true);
}

TEST(SessionSubscriptionEnd, a_refused_unsubscribe_ends_nothing) {
  scripted_broker b(reporting());
  b.connect_ok();
  const operation_id op = subscribed(b, "a");
  unsubscribed(b, {"a"}, {reason_code::not_authorized});
  b.no_more_events();
  EXPECT_EQ(routed(b, "a"), std::vector<operation_id>{op});
}

TEST(SessionSubscriptionEnd, v311_unsuback_ends_every_filter_it_names) {
  scripted_broker b(reporting(test_options(protocol_version::v311)));
  b.connect_ok();
  const operation_id op = subscribed(b, "a");
  unsubscribed(b, {"a"}, {});
  expect_end(b.next_event<subscription_ended_event>(), op, "a", subscription_end::unsubscribed,
             reason_code::success, true);
}

TEST(SessionSubscriptionEnd, one_filter_of_two_ends_without_last_then_the_other_with_it) {
  scripted_broker b(reporting());
  b.connect_ok();
  const operation_id op = subscribed(b, {"a", "b"}, {reason_code::granted_qos_0,
                                                     reason_code::granted_qos_0});
  unsubscribed(b, {"a"}, {reason_code::success});
  expect_end(b.next_event<subscription_ended_event>(), op, "a", subscription_end::unsubscribed,
             reason_code::success, false);
  EXPECT_EQ(routed(b, "b"), std::vector<operation_id>{op});
  unsubscribed(b, {"b"}, {reason_code::success});
  expect_end(b.next_event<subscription_ended_event>(), op, "b", subscription_end::unsubscribed,
             reason_code::success, true);
}

TEST(SessionSubscriptionEnd, a_filter_held_by_two_subscribes_ends_for_both_in_their_order) {
  scripted_broker b(reporting());
  b.connect_ok();
  const operation_id first = subscribed(b, "a/+");
  const operation_id second = subscribed(b, "a/+");
  unsubscribed(b, {"a/+"}, {reason_code::success});
  const std::vector<subscription_ended_event> ends = b.take_events<subscription_ended_event>();
  ASSERT_EQ(ends.size(), 2u);
  expect_end(ends[0], first, "a/+", subscription_end::unsubscribed, reason_code::success, true);
  expect_end(ends[1], second, "a/+", subscription_end::unsubscribed, reason_code::success, true);
}

TEST(SessionSubscriptionEnd, a_subscribe_made_while_the_unsubscribe_is_on_its_way_does_not_end) {
  scripted_broker b(reporting());
  b.connect_ok();
  const operation_id old_sub = subscribed(b, "a");
  const operation_id unsub = expect_id(b.unsubscribe({"a"}));
  const std::uint16_t unsub_id = b.expect<unsubscribe>()->packet_id;
  const operation_id new_sub = expect_id(b.subscribe("a"));
  const std::uint16_t sub_id = b.expect<subscribe>()->packet_id;
  b.unsuback(unsub_id, {reason_code::success});
  EXPECT_EQ(b.next_event<operation_event>().id, unsub);
  expect_end(b.next_event<subscription_ended_event>(), old_sub, "a",
             subscription_end::unsubscribed, reason_code::success, true);
  b.suback(sub_id, {reason_code::granted_qos_0});
  EXPECT_EQ(b.next_event<operation_event>().id, new_sub);
  b.no_more_events();
  EXPECT_EQ(routed(b, "a"), std::vector<operation_id>{new_sub});
}

TEST(SessionSubscriptionEnd, one_of_two_shared_groups_of_one_filter_keeps_its_route) {
  scripted_broker b(reporting());
  b.connect_ok();
  const operation_id op = subscribed(b, {"$share/g1/jobs", "$share/g2/jobs"},
                                     {reason_code::granted_qos_0, reason_code::granted_qos_0});
  unsubscribed(b, {"$share/g1/jobs"}, {reason_code::success});
  expect_end(b.next_event<subscription_ended_event>(), op, "$share/g1/jobs",
             subscription_end::unsubscribed, reason_code::success, false);
  EXPECT_EQ(routed(b, "jobs"), std::vector<operation_id>{op});
}

TEST(SessionSubscriptionEnd, unsubscribing_a_shared_group_keeps_the_plain_subscription_of_its_filter) {
  scripted_broker b(reporting());
  b.connect_ok();
  const operation_id plain = subscribed(b, "jobs");
  const operation_id shared = subscribed(b, "$share/g/jobs");
  unsubscribed(b, {"$share/g/jobs"}, {reason_code::success});
  expect_end(b.next_event<subscription_ended_event>(), shared, "$share/g/jobs",
             subscription_end::unsubscribed, reason_code::success, true);
  EXPECT_EQ(routed(b, "jobs"), std::vector<operation_id>{plain});
}

// ---- refused ------------------------------------------------------------------------------

TEST(SessionSubscriptionEnd, a_suback_refusal_ends_that_filter_with_its_code_after_the_completion) {
  scripted_broker b(reporting());
  b.connect_ok();
  const operation_id op = subscribed(b, {"ok", "secret"},
                                     {reason_code::granted_qos_0, reason_code::not_authorized});
  expect_end(b.next_event<subscription_ended_event>(), op, "secret", subscription_end::refused,
             reason_code::not_authorized, false);
  b.no_more_events();
  EXPECT_EQ(routed(b, "ok"), std::vector<operation_id>{op});
  EXPECT_EQ(routed(b, "secret"), std::vector<operation_id>{});
}

TEST(SessionSubscriptionEnd, a_subscribe_refused_whole_ends_each_filter_the_last_with_last) {
  scripted_broker b(reporting());
  b.connect_ok();
  const operation_id op = subscribed(b, {"x", "y"}, {reason_code::quota_exceeded,
                                                     reason_code::not_authorized});
  const std::vector<subscription_ended_event> ends = b.take_events<subscription_ended_event>();
  ASSERT_EQ(ends.size(), 2u);
  expect_end(ends[0], op, "x", subscription_end::refused, reason_code::quota_exceeded, false);
  expect_end(ends[1], op, "y", subscription_end::refused, reason_code::not_authorized, true);
}

TEST(SessionSubscriptionEnd, a_resubscription_the_broker_refuses_ends_and_stops_routing) {
  scripted_broker b(reporting(persistent_test_options()));
  b.connect_ok();
  const operation_id kept = subscribed(b, "kept");
  const operation_id lost = subscribed(b, "lost");
  b.lose_connection();
  b.connect_ok(false);  // the broker lost the session: both are subscribed again
  const std::vector<sent<subscribe>> again = b.take_all<subscribe>();
  ASSERT_EQ(again.size(), 2u);
  b.suback(again[0]->packet_id, {reason_code::granted_qos_0});
  b.suback(again[1]->packet_id, {reason_code::not_authorized});
  // A resubscription has no operation_event of its own; its refusal is reported this way.
  expect_end(b.next_event<subscription_ended_event>(), lost, "lost", subscription_end::refused,
             reason_code::not_authorized, true);
  b.no_more_events();
  EXPECT_EQ(routed(b, "lost"), std::vector<operation_id>{});
  EXPECT_EQ(routed(b, "kept"), std::vector<operation_id>{kept});
  // Nor is it subscribed again after the next lost session.
  b.lose_connection();
  b.connect_ok(false);
  const std::vector<sent<subscribe>> third = b.take_all<subscribe>();
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(items(third[0]->subscriptions),
            (std::vector<subscription>{{"kept", subscribe_options{}}}));
}

// ---- not sent -------------------------------------------------------------------------------

TEST(SessionSubscriptionEnd, a_subscribe_larger_than_the_brokers_maximum_packet_size_ends_not_sent) {
  scripted_broker b(reporting());
  properties limits;
  limits.maximum_packet_size = 64;
  b.connect_ok(false, limits);
  const std::string filter(80, 'f');
  const operation_id op = expect_id(b.subscribe(filter));
  const operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, op);
  EXPECT_TRUE(is_error(e.ec, errc::packet_too_large));
  expect_end(b.next_event<subscription_ended_event>(), op, filter, subscription_end::not_sent,
             reason_code::packet_too_large, true);
  b.no_more_packets();
  EXPECT_EQ(routed(b, filter), std::vector<operation_id>{});
}

TEST(SessionSubscriptionEnd, a_resubscription_larger_than_the_new_brokers_limit_ends_not_sent) {
  scripted_broker b(reporting(persistent_test_options()));
  b.connect_ok();
  const std::string filter(80, 'f');
  const operation_id op = subscribed(b, filter);
  b.lose_connection();
  properties limits;
  limits.maximum_packet_size = 64;
  b.connect_ok(false, limits);  // the session is lost, and the broker now takes less
  expect_end(b.next_event<subscription_ended_event>(), op, filter, subscription_end::not_sent,
             reason_code::packet_too_large, true);
  b.no_more_events();  // a resubscription has no operation_event of its own
  b.no_more_packets();
  EXPECT_EQ(routed(b, filter), std::vector<operation_id>{});
}

// ---- session closed -------------------------------------------------------------------------

TEST(SessionSubscriptionEnd, disconnect_ends_every_filter_in_subscription_order) {
  scripted_broker b(reporting());
  b.connect_ok();
  const operation_id one = subscribed(b, {"a", "b"}, {reason_code::granted_qos_0,
                                                      reason_code::granted_qos_0});
  const operation_id two = subscribed(b, "c");
  ASSERT_TRUE(ok(b.disconnect()));
  const std::vector<subscription_ended_event> ends = b.take_events<subscription_ended_event>();
  ASSERT_EQ(ends.size(), 3u);
  expect_end(ends[0], one, "a", subscription_end::session_closed, reason_code::success, false);
  expect_end(ends[1], one, "b", subscription_end::session_closed, reason_code::success, true);
  expect_end(ends[2], two, "c", subscription_end::session_closed, reason_code::success, true);
}

TEST(SessionSubscriptionEnd, a_subscribe_awaiting_its_suback_ends_with_the_session_after_its_completion) {
  scripted_broker b(reporting());
  b.connect_ok();
  const operation_id op = expect_id(b.subscribe("a"));
  ASSERT_TRUE(ok(b.disconnect()));
  const std::vector<operation_event> done = b.take_events<operation_event>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_TRUE(is_error(done[0].ec, errc::session_closed));
  const std::vector<subscription_ended_event> ends = b.take_events<subscription_ended_event>();
  ASSERT_EQ(ends.size(), 1u);
  expect_end(ends[0], op, "a", subscription_end::session_closed, reason_code::success, true);
}

TEST(SessionSubscriptionEnd, a_loss_without_reconnection_ends_the_subscriptions) {
  session_options o = reporting();
  o.reconnect = false;
  scripted_broker b(o);
  b.connect_ok();
  const operation_id op = subscribed(b, "a");
  b.drop(std::make_error_code(std::errc::connection_reset));
  EXPECT_FALSE(b.next_event<disconnected_event>().will_reconnect);
  expect_end(b.next_event<subscription_ended_event>(), op, "a", subscription_end::session_closed,
             reason_code::success, true);
  b.no_more_events();
}

TEST(SessionSubscriptionEnd, a_loss_with_reconnection_ends_nothing) {
  scripted_broker b(reporting(persistent_test_options()));
  b.connect_ok();
  const operation_id op = subscribed(b, "a");
  b.lose_connection();
  b.connect_ok(true);
  b.no_more_events();
  EXPECT_EQ(routed(b, "a"), std::vector<operation_id>{op});
}

// ---- what is not reported -----------------------------------------------------------------

TEST(SessionSubscriptionEnd, nothing_is_reported_unless_asked_for) {
  scripted_broker b(test_options());
  b.connect_ok();
  subscribed(b, {"a", "b"}, {reason_code::granted_qos_0, reason_code::not_authorized});
  unsubscribed(b, {"a"}, {reason_code::success});
  ASSERT_TRUE(ok(b.disconnect()));
  EXPECT_TRUE(b.take_events<subscription_ended_event>().empty());
}

TEST(SessionSubscriptionEnd, a_requests_response_subscription_is_not_reported) {
  scripted_broker b(reporting());
  b.connect_ok();
  mqttws::publish p;
  p.topic = "svc/ask";
  p.qos = qos::at_least_once;
  expect_id(b.request(p, std::chrono::seconds(5)));
  b.suback(b.expect<subscribe>()->packet_id, {reason_code::not_authorized});
  ASSERT_TRUE(ok(b.disconnect()));
  EXPECT_TRUE(b.take_events<subscription_ended_event>().empty());
}

// ---- resending unanswered commands ----------------------------------------------------------

TEST(SessionSubscriptionEnd, unanswered_commands_are_resent_in_the_order_issued_across_an_id_wrap) {
  scripted_broker b(reporting(persistent_test_options()));
  b.connect_ok();
  // Use up identifiers 1..65534, so the SUBSCRIBE gets 65535 and the UNSUBSCRIBE after it 1.
  for (int i = 1; i < 65535; ++i) {
    expect_id(b.publish("t", "x", qos::at_least_once));
    b.puback(b.expect<mqttws::publish>()->packet_id);
    b.next_event<operation_event>();
  }
  expect_id(b.subscribe("a"));
  ASSERT_EQ(b.expect<subscribe>()->packet_id, 65535);
  expect_id(b.unsubscribe({"a"}));
  ASSERT_EQ(b.expect<unsubscribe>()->packet_id, 1);
  b.lose_connection();
  b.connect_ok(true);
  const std::vector<sent_packet> resent = b.take_packets();
  ASSERT_EQ(resent.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<subscribe>(resent[0].get()));
  EXPECT_TRUE(std::holds_alternative<unsubscribe>(resent[1].get()));
}

}  // namespace
}  // namespace mqttws::test
