// Session: flow control. The broker's Receive Maximum (our send window), ours (enforced on
// the broker), Maximum Packet Size both ways, and the offline queue's bound and policies.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "session_harness.hpp"

namespace mqttws::test {
namespace {

properties receive_maximum(std::uint16_t n) {
  properties p;
  p.receive_maximum = n;
  return p;
}

// ---- the broker's Receive Maximum -----------------------------------------------------------

TEST(SessionFlowControl, broker_receive_maximum_bounds_messages_in_flight_and_the_rest_follow_in_order) {
  scripted_broker b(test_options());
  EXPECT_EQ(b.connect_ok(false, receive_maximum(2)).connected.receive_maximum, 2);
  std::vector<operation_id> ops;
  for (int i = 0; i < 5; ++i) {
    ops.push_back(expect_id(b.publish("t", std::to_string(i),
                                      i % 2 ? qos::exactly_once : qos::at_least_once)));
  }
  // 4.9 Flow Control (send quota): only two QoS>0 PUBLISH without acknowledgement.
  sent<publish> p0 = b.expect<publish>();
  sent<publish> p1 = b.expect<publish>();
  b.no_more_packets();
  EXPECT_EQ(p0->payload, "0");
  EXPECT_EQ(p1->payload, "1");
  EXPECT_EQ(b.stats().inflight_outgoing, 2u);
  EXPECT_EQ(b.stats().queued, 3u);

  b.puback(p0->packet_id);
  EXPECT_EQ(b.next_event<operation_event>().id, ops[0]);
  sent<publish> p2 = b.expect<publish>();
  EXPECT_EQ(p2->payload, "2");
  b.no_more_packets();

  b.puback(p2->packet_id);
  EXPECT_EQ(b.next_event<operation_event>().id, ops[2]);
  sent<publish> p3 = b.expect<publish>();
  EXPECT_EQ(p3->payload, "3");
  b.no_more_packets();

  // QoS 2 frees its slot on PUBCOMP only (4.9: the quota is returned by PUBCOMP).
  b.pubrec(p1->packet_id);
  b.expect<pubrel>();
  b.no_more_packets();
  b.pubcomp(p1->packet_id);
  EXPECT_EQ(b.next_event<operation_event>().id, ops[1]);
  sent<publish> p4 = b.expect<publish>();
  EXPECT_EQ(p4->payload, "4");
  EXPECT_FALSE(p4->dup);
  b.no_more_packets();
  EXPECT_EQ(b.stats().inflight_outgoing, 2u);
  EXPECT_EQ(b.stats().queued, 0u);
}

TEST(SessionFlowControl, qos2_holds_its_slot_until_pubcomp) {
  scripted_broker b(test_options());
  b.connect_ok(false, receive_maximum(1));
  expect_id(b.publish("t", "A", qos::exactly_once));
  expect_id(b.publish("t", "B", qos::at_least_once));
  sent<publish> a = b.expect<publish>();
  b.no_more_packets();
  b.pubrec(a->packet_id);
  EXPECT_EQ(b.expect<pubrel>()->packet_id, a->packet_id);
  b.no_more_packets();  // B still waits: A is not complete
  b.pubcomp(a->packet_id);
  EXPECT_EQ(b.expect<publish>()->payload, "B");
}

TEST(SessionFlowControl, v5_pubrec_failure_frees_its_slot) {
  scripted_broker b(test_options());
  b.connect_ok(false, receive_maximum(1));
  expect_id(b.publish("t", "A", qos::exactly_once));
  expect_id(b.publish("t", "B", qos::at_least_once));
  sent<publish> a = b.expect<publish>();
  b.pubrec(a->packet_id, reason_code::unspecified_error);
  b.next_event<operation_event>();
  EXPECT_EQ(b.expect<publish>()->payload, "B");  // no PUBREL before it
  b.no_more_packets();
}

TEST(SessionFlowControl, qos0_messages_do_not_use_up_the_window) {
  // MQTT 5 4.9: the send quota counts QoS 1 and 2 PUBLISH only; QoS 0 is never acknowledged,
  // so counting it would close the window for good.
  scripted_broker b(test_options());
  b.connect_ok(false, receive_maximum(1));
  for (int i = 0; i < 3; ++i) expect_id(b.publish("t", "q0", qos::at_most_once));
  EXPECT_EQ(b.take_all<publish>().size(), 3u);
  expect_id(b.publish("t", "q1", qos::at_least_once));
  EXPECT_EQ(b.expect<publish>()->payload, "q1");
  b.no_more_packets();
  EXPECT_EQ(b.stats().inflight_outgoing, 1u);
}

TEST(SessionFlowControl, resume_resends_the_window_and_the_queue_waits_for_acks) {
  scripted_broker b(persistent_test_options());
  b.connect_ok(false, receive_maximum(2));
  for (const char* m : {"0", "1", "2"}) expect_id(b.publish("t", m, qos::at_least_once));
  sent<publish> p0 = b.expect<publish>();
  sent<publish> p1 = b.expect<publish>();
  b.no_more_packets();

  b.lose_connection();
  b.connect_ok(true, receive_maximum(2));
  sent<publish> r0 = b.expect<publish>();
  sent<publish> r1 = b.expect<publish>();
  EXPECT_EQ(r0->packet_id, p0->packet_id);
  EXPECT_TRUE(r0->dup);
  EXPECT_EQ(r1->packet_id, p1->packet_id);
  EXPECT_TRUE(r1->dup);
  b.no_more_packets();  // "2" still waits for a slot
  b.puback(r0->packet_id);
  sent<publish> p2 = b.expect<publish>();
  EXPECT_EQ(p2->payload, "2");
  EXPECT_FALSE(p2->dup);
}

TEST(SessionFlowControl, resume_with_a_smaller_receive_maximum_resends_only_what_fits) {
  // MQTT-4.9.0-2 holds for resends too: four in flight under Receive Maximum 4, the broker
  // comes back with 2. Two DUPs now, the others as acknowledgements free slots, in order.
  scripted_broker b(persistent_test_options());
  b.connect_ok(false, receive_maximum(4));
  for (const char* m : {"0", "1", "2", "3"}) expect_id(b.publish("t", m, qos::at_least_once));
  std::vector<std::uint16_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(b.expect<publish>()->packet_id);
  b.no_more_packets();

  b.lose_connection();
  b.connect_ok(true, receive_maximum(2));
  sent<publish> r0 = b.expect<publish>();
  sent<publish> r1 = b.expect<publish>();
  EXPECT_EQ(r0->packet_id, ids[0]);
  EXPECT_EQ(r1->packet_id, ids[1]);
  EXPECT_TRUE(r0->dup && r1->dup);
  b.no_more_packets();
  EXPECT_EQ(b.stats().inflight_outgoing, 4u);

  b.puback(ids[1]);
  sent<publish> r2 = b.expect<publish>();
  EXPECT_EQ(r2->packet_id, ids[2]);
  EXPECT_TRUE(r2->dup);
  EXPECT_EQ(r2->payload, "2");
  b.no_more_packets();
  // A PUBACK for a message whose resend is still waiting ends it without a resend.
  b.puback(ids[3]);
  b.no_more_packets();
  b.puback(ids[0]);
  b.puback(ids[2]);
  b.no_more_packets();
  EXPECT_EQ(b.stats().inflight_outgoing, 0u);
  EXPECT_EQ(b.take_events<operation_event>().size(), 4u);
}

TEST(SessionFlowControl, resume_counts_messages_awaiting_pubcomp_against_the_window) {
  scripted_broker b(persistent_test_options());
  b.connect_ok(false, receive_maximum(3));
  expect_id(b.publish("t", "q2", qos::exactly_once));
  expect_id(b.publish("t", "a", qos::at_least_once));
  expect_id(b.publish("t", "b", qos::at_least_once));
  sent<publish> q2 = b.expect<publish>();
  sent<publish> a = b.expect<publish>();
  sent<publish> bb = b.expect<publish>();
  b.send(pubrec{q2->packet_id, reason_code::success, {}});
  b.expect<pubrel>();

  b.lose_connection();
  b.connect_ok(true, receive_maximum(2));
  EXPECT_EQ(b.expect<pubrel>()->packet_id, q2->packet_id);
  sent<publish> ra = b.expect<publish>();
  EXPECT_EQ(ra->packet_id, a->packet_id);
  b.no_more_packets();  // "b" waits: the QoS 2 exchange still holds a slot
  b.send(pubcomp{q2->packet_id, reason_code::success, {}});
  EXPECT_EQ(b.expect<publish>()->packet_id, bb->packet_id);
}

// ---- our Receive Maximum --------------------------------------------------------------------

session_options with_our_receive_maximum(std::uint16_t n) {
  session_options o = test_options();
  o.connect_properties.receive_maximum = n;
  return o;
}

void deliver_qos2(scripted_broker& b, std::uint16_t id, std::string_view payload,
                  bool dup = false) {
  publish p;
  p.topic = "in";
  p.payload = payload;
  p.qos = qos::exactly_once;
  p.packet_id = id;
  p.dup = dup;
  b.send(p);
}

TEST(SessionFlowControl, broker_exceeding_our_receive_maximum_gets_disconnect_0x93) {
  scripted_broker b(with_our_receive_maximum(2));
  EXPECT_EQ(b.connect_ok().connect->props.receive_maximum, std::optional<std::uint16_t>(2));
  deliver_qos2(b, 1, "one");
  deliver_qos2(b, 2, "two");
  EXPECT_EQ(b.take_all<pubrec>().size(), 2u);
  b.no_more_packets();
  std::vector<message_event> before = b.take_events<message_event>();
  b.clear_actions();

  deliver_qos2(b, 3, "three");  // a third unreleased QoS 2 message (3.3.4)
  sent<disconnect> d = b.expect<disconnect>();
  EXPECT_EQ(d->code, reason_code::receive_maximum_exceeded);
  b.no_more_packets();
  b.expect_close();
  disconnected_event e = b.next_event<disconnected_event>();
  EXPECT_TRUE(is_error(e.ec, errc::receive_maximum_exceeded));
  for (const message_event& m : before) EXPECT_NE(m.message.view().payload, "three");
  EXPECT_TRUE(b.take_events<message_event>().empty()) << "the excess message was delivered";
}

TEST(SessionFlowControl, our_receive_maximum_window_frees_on_pubrel) {
  scripted_broker b(with_our_receive_maximum(2));
  b.connect_ok();
  deliver_qos2(b, 1, "one");
  deliver_qos2(b, 2, "two");
  b.pubrel(1);
  EXPECT_EQ(b.take_all<pubrec>().size(), 2u);
  EXPECT_EQ(b.expect<pubcomp>()->packet_id, 1);
  deliver_qos2(b, 3, "three");
  EXPECT_EQ(b.expect<pubrec>()->packet_id, 3);
  b.no_more_packets();
  EXPECT_EQ(b.state(), session_state::connected);
  EXPECT_TRUE(b.take_events<disconnected_event>().empty());
}

TEST(SessionFlowControl, dup_resend_of_a_message_in_the_window_does_not_count_twice) {
  scripted_broker b(with_our_receive_maximum(2));
  b.connect_ok();
  deliver_qos2(b, 1, "one");
  deliver_qos2(b, 2, "two");
  deliver_qos2(b, 1, "one", true);  // the same message again, not a third one
  EXPECT_EQ(b.take_all<pubrec>().size(), 3u);
  b.no_more_packets();
  EXPECT_EQ(b.state(), session_state::connected);
  EXPECT_TRUE(b.take_events<disconnected_event>().empty());
}

TEST(SessionFlowControl, qos1_messages_acknowledged_at_once_never_exceed_our_receive_maximum) {
  scripted_broker b(with_our_receive_maximum(1));
  b.connect_ok();
  for (std::uint16_t id = 1; id <= 5; ++id) b.deliver("in", "m", qos::at_least_once, id);
  EXPECT_EQ(b.take_all<puback>().size(), 5u);
  EXPECT_EQ(b.take_events<message_event>().size(), 5u);
  EXPECT_EQ(b.state(), session_state::connected);
  b.no_more_packets();
  b.no_more_events();
}

// ---- Maximum Packet Size ---------------------------------------------------------------------

// A QoS 1 PUBLISH to "t" whose whole encoding (MQTT 5, packet id set) is exactly `size` bytes
// (for sizes that keep the remaining length in one byte).
std::string payload_for_size(std::size_t size) {
  publish p;
  p.topic = "t";
  p.qos = qos::at_least_once;
  p.packet_id = 1;
  std::size_t empty = 0;
  EXPECT_TRUE(ok(encoded_size(packet(p), protocol_version::v5, empty)));
  return std::string(size - empty, 'x');
}

TEST(SessionFlowControl, publish_larger_than_the_brokers_maximum_packet_size_fails_at_once) {
  scripted_broker b(test_options());
  properties p;
  p.maximum_packet_size = 64;
  EXPECT_EQ(b.connect_ok(false, p).connected.maximum_packet_size, 64u);

  const std::string fits = payload_for_size(64);
  const std::string too_big = payload_for_size(65);
  EXPECT_TRUE(fails_with(b.publish("t", too_big, qos::at_least_once), errc::packet_too_large));
  EXPECT_TRUE(fails_with(b.publish("t", too_big + "xx", qos::at_most_once),
                         errc::packet_too_large));
  b.no_more_packets();
  b.no_more_events();
  EXPECT_EQ(b.stats().queued, 0u);

  expect_id(b.publish("t", fits, qos::at_least_once));
  sent<publish> sent_fit = b.expect<publish>();
  EXPECT_EQ(sent_fit.bytes().size(), 64u);
  EXPECT_EQ(b.state(), session_state::connected);
}

TEST(SessionFlowControl, packet_larger_than_our_maximum_packet_size_gets_disconnect_0x95) {
  session_options o = test_options();
  o.connect_properties.maximum_packet_size = 64;
  scripted_broker b(o);
  b.connect_ok();

  b.deliver("t", payload_for_size(64), qos::at_least_once, 1);
  EXPECT_EQ(b.next_event<message_event>().message.view().payload.size(),
            payload_for_size(64).size());
  b.expect<puback>();
  b.clear_actions();

  b.deliver("t", payload_for_size(65), qos::at_least_once, 2);  // above our Maximum Packet Size (3.1.2.11.4)
  sent<disconnect> d = b.expect<disconnect>();
  EXPECT_EQ(d->code, reason_code::packet_too_large);
  b.no_more_packets();  // no PUBACK for it
  b.expect_close();
  disconnected_event e = b.next_event<disconnected_event>();
  EXPECT_TRUE(is_error(e.ec, errc::packet_too_large));
  EXPECT_TRUE(b.take_events<message_event>().empty());
}

// ---- the offline queue -------------------------------------------------------------------------

// A session started (connect()) whose transport is not open yet: offline.
session_options queue_options(std::size_t max, queue_full_policy policy) {
  session_options o = test_options();
  o.max_queued = max;
  o.when_queue_full = policy;
  return o;
}

TEST(SessionFlowControl, full_offline_queue_rejects_with_queue_full) {
  scripted_broker b(queue_options(2, queue_full_policy::reject));
  ASSERT_TRUE(ok(b.connect()));
  expect_id(b.publish("t", "1", qos::at_least_once));
  expect_id(b.publish("t", "2", qos::at_least_once));
  EXPECT_TRUE(fails_with(b.publish("t", "3", qos::at_least_once), errc::queue_full));
  EXPECT_EQ(b.stats().queued, 2u);
  b.no_more_events();

  b.connect_ok();
  EXPECT_EQ(b.expect<publish>()->payload, "1");
  EXPECT_EQ(b.expect<publish>()->payload, "2");
  b.no_more_packets();
}

TEST(SessionFlowControl, full_offline_queue_drops_the_oldest_with_dropped_from_queue) {
  scripted_broker b(queue_options(2, queue_full_policy::drop_oldest));
  ASSERT_TRUE(ok(b.connect()));
  const operation_id first = expect_id(b.publish("t", "1", qos::at_least_once));
  expect_id(b.publish("t", "2", qos::at_least_once));
  b.no_more_events();
  expect_id(b.publish("t", "3", qos::at_least_once));

  operation_event dropped = b.next_event<operation_event>();
  EXPECT_EQ(dropped.id, first);
  EXPECT_EQ(dropped.kind, operation_kind::publish);
  EXPECT_TRUE(is_error(dropped.ec, errc::dropped_from_queue));
  EXPECT_TRUE(dropped.codes.empty());
  EXPECT_EQ(b.stats().queued, 2u);
  b.no_more_events();

  b.connect_ok();
  EXPECT_EQ(b.expect<publish>()->payload, "2");
  EXPECT_EQ(b.expect<publish>()->payload, "3");
  b.no_more_packets();
}

TEST(SessionFlowControl, qos0_offline_is_invalid_state_without_queue_qos0_offline) {
  session_options o = test_options();
  o.queue_qos0_offline = false;
  scripted_broker b(o);
  ASSERT_TRUE(ok(b.connect()));
  EXPECT_TRUE(fails_with(b.publish("t", "0", qos::at_most_once), errc::invalid_state));
  expect_id(b.publish("t", "1", qos::at_least_once));  // QoS 1 still queues
  EXPECT_EQ(b.stats().queued, 1u);
  b.connect_ok();
  EXPECT_EQ(b.expect<publish>()->payload, "1");
  b.no_more_packets();
  // Connected, QoS 0 goes out.
  expect_id(b.publish("t", "0", qos::at_most_once));
  EXPECT_EQ(b.expect<publish>()->payload, "0");
}

TEST(SessionFlowControl, qos0_offline_is_queued_and_completes_once_sent_after_connack) {
  scripted_broker b(test_options());
  ASSERT_TRUE(ok(b.connect()));
  const operation_id id = expect_id(b.publish("t", "0", qos::at_most_once));
  b.no_more_events();  // not handed to a transport yet
  b.open();
  b.expect<connect>();
  // The spec would allow sending before CONNACK, but the broker's limits (Receive Maximum,
  // Maximum Packet Size, Maximum QoS) are only known from it: queued messages wait for it.
  b.no_more_packets();
  b.connack();
  b.next_event<connected_event>();
  EXPECT_EQ(b.expect<publish>()->payload, "0");
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_TRUE(ok(e.ec));
}

TEST(SessionFlowControl, max_queued_also_bounds_messages_waiting_for_the_window) {
  scripted_broker b(queue_options(1, queue_full_policy::reject));
  b.connect_ok(false, receive_maximum(1));
  expect_id(b.publish("t", "A", qos::at_least_once));  // in flight
  expect_id(b.publish("t", "B", qos::at_least_once));  // waits for the window
  EXPECT_TRUE(fails_with(b.publish("t", "C", qos::at_least_once), errc::queue_full));
  EXPECT_EQ(b.expect<publish>()->payload, "A");
  b.no_more_packets();
}

// "t" and a one-byte payload at QoS 1 on MQTT 5: fixed header 2, topic 2 + 1, packet id 2,
// property length 1, payload 1 — 9 bytes encoded.
constexpr std::size_t small_publish_bytes = 9;

session_options byte_bound_options(std::size_t max_bytes, queue_full_policy policy) {
  session_options o = queue_options(1000000, policy);
  o.max_queued_bytes = max_bytes;
  return o;
}

TEST(SessionFlowControl, stats_count_the_encoded_bytes_of_the_queue) {
  scripted_broker b(test_options());
  ASSERT_TRUE(ok(b.connect()));
  expect_id(b.publish("t", "1", qos::at_least_once));
  expect_id(b.publish("t", "2", qos::at_least_once));
  EXPECT_EQ(b.stats().queued_bytes, 2 * small_publish_bytes);
  b.connect_ok();
  EXPECT_EQ(b.stats().queued_bytes, 0u) << "sent: no longer queued";
}

TEST(SessionFlowControl, max_queued_bytes_bounds_the_queue_by_encoded_size) {
  scripted_broker b(byte_bound_options(2 * small_publish_bytes, queue_full_policy::reject));
  ASSERT_TRUE(ok(b.connect()));
  expect_id(b.publish("t", "1", qos::at_least_once));
  expect_id(b.publish("t", "2", qos::at_least_once));
  EXPECT_TRUE(fails_with(b.publish("t", "3", qos::at_least_once), errc::queue_full));
  EXPECT_EQ(b.stats().queued, 2u);
  EXPECT_EQ(b.stats().queued_bytes, 2 * small_publish_bytes);
  b.no_more_events();
}

TEST(SessionFlowControl, drop_oldest_under_a_byte_bound_drops_as_many_as_make_room) {
  scripted_broker b(byte_bound_options(3 * small_publish_bytes, queue_full_policy::drop_oldest));
  ASSERT_TRUE(ok(b.connect()));
  const operation_id a = expect_id(b.publish("t", "1", qos::at_least_once));
  const operation_id c = expect_id(b.publish("t", "2", qos::at_least_once));
  expect_id(b.publish("t", "3", qos::at_least_once));
  // Two bytes more than a small one: the two oldest must go.
  expect_id(b.publish("t", "4567", qos::at_least_once));
  operation_event d1 = b.next_event<operation_event>();
  operation_event d2 = b.next_event<operation_event>();
  EXPECT_EQ(d1.id, a);
  EXPECT_EQ(d2.id, c);
  EXPECT_TRUE(is_error(d1.ec, errc::dropped_from_queue));
  EXPECT_TRUE(is_error(d2.ec, errc::dropped_from_queue));
  b.no_more_events();
  EXPECT_EQ(b.stats().queued, 2u);
  EXPECT_EQ(b.stats().queued_bytes, 2 * small_publish_bytes + 3);
}

TEST(SessionFlowControl, a_message_larger_than_max_queued_bytes_is_queue_full_even_with_drop_oldest) {
  scripted_broker b(byte_bound_options(small_publish_bytes, queue_full_policy::drop_oldest));
  ASSERT_TRUE(ok(b.connect()));
  expect_id(b.publish("t", "1", qos::at_least_once));
  EXPECT_TRUE(fails_with(b.publish("t", "12", qos::at_least_once), errc::queue_full));
  b.no_more_events();
  EXPECT_EQ(b.stats().queued, 1u) << "nothing dropped for a message that could never fit";
}

TEST(SessionFlowControl, cancel_withdraws_a_queued_publish_and_completes_it_with_cancelled) {
  scripted_broker b(test_options());
  ASSERT_TRUE(ok(b.connect()));
  expect_id(b.publish("t", "1", qos::at_least_once));
  const operation_id gone = expect_id(b.publish("t", "2", qos::exactly_once));
  expect_id(b.publish("t", "3", qos::at_most_once));
  ASSERT_TRUE(ok(b.cancel(gone)));
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, gone);
  EXPECT_EQ(e.kind, operation_kind::publish);
  EXPECT_TRUE(is_error(e.ec, errc::cancelled));
  EXPECT_EQ(b.stats().queued, 2u);
  b.connect_ok();
  EXPECT_EQ(b.expect<publish>()->payload, "1");
  EXPECT_EQ(b.expect<publish>()->payload, "3");
  b.no_more_packets();
}

TEST(SessionFlowControl, cancel_of_a_message_waiting_for_the_window_keeps_the_order_of_the_rest) {
  scripted_broker b(test_options());
  b.connect_ok(false, receive_maximum(1));
  const operation_id a = expect_id(b.publish("t", "A", qos::at_least_once));
  const operation_id w = expect_id(b.publish("t", "B", qos::at_least_once));
  expect_id(b.publish("t", "C", qos::at_least_once));
  const sent<publish> pa = b.expect<publish>();
  ASSERT_TRUE(ok(b.cancel(w)));
  EXPECT_TRUE(is_error(b.next_event<operation_event>().ec, errc::cancelled));
  EXPECT_TRUE(is_error(b.cancel(a), errc::invalid_state)) << "A is in flight: it must finish";
  b.puback(pa->packet_id);
  EXPECT_EQ(b.next_event<operation_event>().id, a);
  EXPECT_EQ(b.expect<publish>()->payload, "C");
  b.no_more_packets();
}

TEST(SessionFlowControl, cancel_of_an_unknown_or_completed_operation_is_invalid_state) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id q0 = expect_id(b.publish("t", "x"));
  b.next_event<operation_event>();
  EXPECT_TRUE(is_error(b.cancel(q0), errc::invalid_state));
  EXPECT_TRUE(is_error(b.cancel(0), errc::invalid_state));
  EXPECT_TRUE(is_error(b.cancel(12345), errc::invalid_state));
  b.no_more_events();
}

}  // namespace
}  // namespace mqttws::test
