// Session: publishing. Outbound QoS 0/1/2 flows and their completion, inbound QoS 0/1/2 flows
// (exactly-once delivery), packet identifier allocation, and what happens to messages in
// flight when a connection is lost and a session resumed or lost.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "session_harness.hpp"

namespace mqttws::test {
namespace {

constexpr protocol_version both_versions[] = {protocol_version::v311, protocol_version::v5};

// ---- outbound ------------------------------------------------------------------------------

TEST(SessionPublish, qos0_is_sent_at_once_and_completes_when_handed_to_the_transport) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(test_options(v));
    b.connect_ok();
    const operation_id id = expect_id(b.publish("home/kitchen/light", "on"));

    sent<publish> p = b.expect<publish>();
    EXPECT_EQ(p->topic, "home/kitchen/light");
    EXPECT_EQ(p->payload, "on");
    EXPECT_EQ(p->qos, qos::at_most_once);
    EXPECT_EQ(p->packet_id, 0);
    EXPECT_FALSE(p->dup);
    EXPECT_FALSE(p->retain);

    operation_event e = b.next_event<operation_event>();
    EXPECT_EQ(e.id, id);
    EXPECT_EQ(e.kind, operation_kind::publish);
    EXPECT_TRUE(ok(e.ec));
    EXPECT_TRUE(e.codes.empty());  // QoS 0 has no acknowledgement
    EXPECT_EQ(b.stats().inflight_outgoing, 0u);
    b.no_more_packets();
    b.no_more_events();
  }
}

TEST(SessionPublish, operation_ids_are_nonzero_unique_and_increasing) {
  scripted_broker b(test_options());
  b.connect_ok();
  operation_id last = 0;
  for (int i = 0; i < 5; ++i) {
    const operation_id id = expect_id(
        b.publish("t", "x", i % 2 ? qos::at_least_once : qos::at_most_once));
    EXPECT_GT(id, last);
    last = id;
  }
  const operation_id s = expect_id(b.subscribe("a/#"));
  EXPECT_GT(s, last);
}

TEST(SessionPublish, qos1_completes_on_puback_with_its_reason_code) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(test_options(v));
    b.connect_ok();
    const operation_id id = expect_id(b.publish("a/b", "payload", qos::at_least_once));

    sent<publish> p = b.expect<publish>();
    EXPECT_EQ(p->qos, qos::at_least_once);
    EXPECT_NE(p->packet_id, 0);
    EXPECT_FALSE(p->dup);
    EXPECT_EQ(p->topic, "a/b");
    EXPECT_EQ(p->payload, "payload");
    b.no_more_events();  // not before PUBACK
    EXPECT_EQ(b.stats().inflight_outgoing, 1u);

    b.puback(p->packet_id);
    operation_event e = b.next_event<operation_event>();
    EXPECT_EQ(e.id, id);
    EXPECT_EQ(e.kind, operation_kind::publish);
    EXPECT_TRUE(ok(e.ec));
    EXPECT_EQ(e.codes, std::vector<reason_code>{reason_code::success});
    EXPECT_EQ(b.stats().inflight_outgoing, 0u);
    b.no_more_packets();
    b.no_more_events();
  }
}

TEST(SessionPublish, v5_puback_success_code_other_than_0_is_reported_without_error) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id id = expect_id(b.publish("a/b", "x", qos::at_least_once));
  sent<publish> p = b.expect<publish>();
  b.puback(p->packet_id, reason_code::no_matching_subscribers);
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_TRUE(ok(e.ec));
  EXPECT_EQ(e.codes, std::vector<reason_code>{reason_code::no_matching_subscribers});
}

TEST(SessionPublish, v5_puback_failure_code_fails_the_operation_with_operation_failed) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id id = expect_id(b.publish("a/b", "x", qos::at_least_once));
  sent<publish> p = b.expect<publish>();
  properties props;
  props.reason_string = "not allowed to publish here";
  b.send(puback{p->packet_id, reason_code::not_authorized, props});

  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_TRUE(is_error(e.ec, errc::operation_failed));
  EXPECT_EQ(e.codes, std::vector<reason_code>{reason_code::not_authorized});
  EXPECT_EQ(e.reason_string, "not allowed to publish here");
  EXPECT_EQ(b.stats().inflight_outgoing, 0u);
  // A refused message is not a broken connection.
  EXPECT_EQ(b.state(), session_state::connected);
  b.no_more_events();
  b.no_more_packets();
}

TEST(SessionPublish, qos2_sends_pubrel_on_pubrec_and_completes_on_pubcomp) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(test_options(v));
    b.connect_ok();
    const operation_id id = expect_id(b.publish("a/b", "once", qos::exactly_once));

    sent<publish> p = b.expect<publish>();
    EXPECT_EQ(p->qos, qos::exactly_once);
    EXPECT_NE(p->packet_id, 0);
    EXPECT_FALSE(p->dup);

    b.pubrec(p->packet_id);
    sent<pubrel> rel = b.expect<pubrel>();
    EXPECT_EQ(rel->packet_id, p->packet_id);
    EXPECT_EQ(rel->code, reason_code::success);
    b.no_more_events();  // not before PUBCOMP
    EXPECT_EQ(b.stats().inflight_outgoing, 1u);

    b.pubcomp(p->packet_id);
    operation_event e = b.next_event<operation_event>();
    EXPECT_EQ(e.id, id);
    EXPECT_EQ(e.kind, operation_kind::publish);
    EXPECT_TRUE(ok(e.ec));
    EXPECT_EQ(e.codes, std::vector<reason_code>{reason_code::success});
    EXPECT_EQ(b.stats().inflight_outgoing, 0u);
    b.no_more_packets();
    b.no_more_events();
  }
}

TEST(SessionPublish, v5_pubrec_failure_code_ends_the_flow_without_pubrel) {
  // 4.3.3: PUBREL answers only a PUBREC below 0x80; a failure ends the exchange.
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id id = expect_id(b.publish("a/b", "x", qos::exactly_once));
  sent<publish> p = b.expect<publish>();
  b.pubrec(p->packet_id, reason_code::quota_exceeded);

  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_TRUE(is_error(e.ec, errc::operation_failed));
  EXPECT_EQ(e.codes, std::vector<reason_code>{reason_code::quota_exceeded});
  EXPECT_EQ(b.stats().inflight_outgoing, 0u);
  b.no_more_packets();
  b.no_more_events();
}

// PUBCOMP 0x92 (Packet Identifier not found) "is not an error during recovery, but at other
// times indicates a mismatch between the Session State on the Client and Server" (MQTT 5,
// 3.7.2.1). The header only says failure codes give operation_failed; whether this one
// outside recovery is a failure is not fixed, so only the reported code is checked here.
TEST(SessionPublish, v5_pubcomp_reason_code_is_reported) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id id = expect_id(b.publish("a/b", "x", qos::exactly_once));
  sent<publish> p = b.expect<publish>();
  b.pubrec(p->packet_id);
  b.expect<pubrel>();
  b.pubcomp(p->packet_id, reason_code::packet_identifier_not_found);

  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_EQ(e.codes, std::vector<reason_code>{reason_code::packet_identifier_not_found});
  EXPECT_EQ(b.stats().inflight_outgoing, 0u);
  b.no_more_packets();
  b.no_more_events();
}

TEST(SessionPublish, v5_pubcomp_packet_id_not_found_during_recovery_completes_without_error) {
  scripted_broker b(persistent_test_options());
  b.connect_ok();
  const operation_id id = expect_id(b.publish("a/b", "x", qos::exactly_once));
  sent<publish> p = b.expect<publish>();
  b.pubrec(p->packet_id);
  b.expect<pubrel>();
  b.lose_connection();
  b.connect_ok(true);
  EXPECT_EQ(b.expect<pubrel>()->packet_id, p->packet_id);
  // The broker had already completed the exchange: "not an error during recovery".
  b.pubcomp(p->packet_id, reason_code::packet_identifier_not_found);
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_TRUE(ok(e.ec));
  EXPECT_EQ(e.codes, std::vector<reason_code>{reason_code::packet_identifier_not_found});
}

TEST(SessionPublish, retain_flag_and_v5_message_properties_pass_through) {
  scripted_broker b(test_options());
  b.connect_ok();
  const std::vector<user_property> ups = {{"unit", "C"}, {"unit", "F"}};
  publish m;
  m.topic = "home/kitchen/temp";
  m.payload = "21.5";
  m.qos = qos::at_least_once;
  m.retain = true;
  m.packet_id = 777;  // ignored: the session assigns identifiers
  m.props.payload_format_indicator = 1;
  m.props.message_expiry_interval = 300;
  m.props.content_type = "text/plain";
  m.props.response_topic = "home/replies";
  m.props.correlation_data = "c-1";
  m.props.user_properties = ups;
  expect_id(b.publish(m));

  sent<publish> p = b.expect<publish>();
  EXPECT_TRUE(p->retain);
  EXPECT_EQ(p->qos, qos::at_least_once);
  EXPECT_NE(p->packet_id, 0);
  // Sent at once, so the Message Expiry Interval has not been reduced (3.3.2.3.3).
  expect_same_properties(m.props, p->props);
}

TEST(SessionPublish, v311_retain_flag_passes_through) {
  scripted_broker b(test_options(protocol_version::v311));
  b.connect_ok();
  expect_id(b.publish("status", "up", qos::at_most_once, true));
  EXPECT_TRUE(b.expect<publish>()->retain);
  expect_id(b.publish("status", "up", qos::at_most_once, false));
  EXPECT_FALSE(b.expect<publish>()->retain);
}

// ---- outbound: errors at once ----------------------------------------------------------------

TEST(SessionPublish, invalid_topic_fails_at_once_and_sends_nothing) {
  scripted_broker b(test_options());
  b.connect_ok();
  EXPECT_TRUE(fails_with(b.publish("a/+", "x"), errc::invalid_topic_name));
  EXPECT_TRUE(fails_with(b.publish("a/#", "x", qos::at_least_once), errc::invalid_topic_name));
  b.no_more_packets();
  b.no_more_events();
}

TEST(SessionPublish, qos_above_the_brokers_maximum_qos_is_qos_not_supported) {
  scripted_broker b(test_options());
  properties p;
  p.maximum_qos = qos::at_least_once;
  b.connect_ok(false, p);
  EXPECT_TRUE(fails_with(b.publish("a", "x", qos::exactly_once), errc::qos_not_supported));
  b.no_more_packets();
  expect_id(b.publish("a", "x", qos::at_least_once));
  b.expect<publish>();
}

TEST(SessionPublish, retained_publish_without_retain_available_is_retain_not_supported) {
  scripted_broker b(test_options());
  properties p;
  p.retain_available = false;
  b.connect_ok(false, p);
  EXPECT_TRUE(fails_with(b.publish("a", "x", qos::at_most_once, true),
                         errc::retain_not_supported));
  b.no_more_packets();
  b.no_more_events();
}

TEST(SessionPublish, publish_after_disconnect_is_invalid_state) {
  scripted_broker b(test_options());
  b.connect_ok();
  ASSERT_TRUE(ok(b.disconnect()));
  b.clear_packets();
  b.clear_events();
  EXPECT_TRUE(fails_with(b.publish("a", "x"), errc::invalid_state));
  EXPECT_TRUE(fails_with(b.publish("a", "x", qos::at_least_once), errc::invalid_state));
  b.no_more_events();
}

TEST(SessionPublish, disconnect_completes_unacknowledged_publishes_with_session_closed) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id q1 = expect_id(b.publish("a", "1", qos::at_least_once));
  const operation_id q2 = expect_id(b.publish("a", "2", qos::exactly_once));
  EXPECT_EQ(b.take_all<publish>().size(), 2u);
  ASSERT_TRUE(ok(b.disconnect()));
  b.expect<disconnect>();
  std::vector<operation_event> done = b.take_events<operation_event>();
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(sorted({done[0].id, done[1].id}), sorted({q1, q2}));
  for (const operation_event& e : done) {
    EXPECT_EQ(e.kind, operation_kind::publish);
    EXPECT_TRUE(is_error(e.ec, errc::session_closed));
  }
}

// ---- inbound --------------------------------------------------------------------------------

TEST(SessionPublish, inbound_qos0_is_delivered_without_answer) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(test_options(v));
    b.connect_ok();
    b.deliver("news/today", std::string_view("\x00\xffhi", 4));
    message_event m = b.next_event<message_event>();
    EXPECT_EQ(m.message.view().topic, "news/today");
    EXPECT_EQ(m.message.view().payload, std::string_view("\x00\xffhi", 4));
    EXPECT_EQ(m.message.view().qos, qos::at_most_once);
    EXPECT_TRUE(m.subscriptions.empty());  // no subscribe() made by this session
    b.no_more_packets();
    b.no_more_events();
    EXPECT_EQ(b.stats().messages_received, 1u);
  }
}

TEST(SessionPublish, inbound_qos1_is_delivered_and_acknowledged_with_puback) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(test_options(v));
    b.connect_ok();
    b.deliver("a/b", "one", qos::at_least_once, 7);
    message_event m = b.next_event<message_event>();
    EXPECT_EQ(m.message.view().topic, "a/b");
    EXPECT_EQ(m.message.view().payload, "one");
    EXPECT_EQ(m.message.view().qos, qos::at_least_once);
    sent<puback> ack = b.expect<puback>();
    EXPECT_EQ(ack->packet_id, 7);
    EXPECT_EQ(ack->code, reason_code::success);
    b.no_more_packets();
    b.no_more_events();
  }
}

// Runs the inbound QoS 2 flow for `id` with the broker re-sending the PUBLISH (DUP) before
// PUBREL; returns the message events seen over the whole exchange.
std::vector<message_event> inbound_qos2(scripted_broker& b, std::uint16_t id,
                                        std::string_view payload,
                                        chunking how = chunking::whole) {
  publish p;
  p.topic = "a/b";
  p.payload = payload;
  p.qos = qos::exactly_once;
  p.packet_id = id;
  b.send(p, how);
  sent<pubrec> rec = b.expect<pubrec>();
  EXPECT_EQ(rec->packet_id, id);
  EXPECT_EQ(rec->code, reason_code::success);
  EXPECT_EQ(b.stats().inflight_incoming, 1u);

  p.dup = true;  // the broker did not see our PUBREC and sends the message again
  b.send(p, how);
  sent<pubrec> rec2 = b.expect<pubrec>();
  EXPECT_EQ(rec2->packet_id, id);

  b.send(pubrel{id, reason_code::success, {}}, how);
  sent<pubcomp> comp = b.expect<pubcomp>();
  EXPECT_EQ(comp->packet_id, id);
  EXPECT_EQ(comp->code, reason_code::success);
  EXPECT_EQ(b.stats().inflight_incoming, 0u);
  b.no_more_packets();
  return b.take_events<message_event>();
}

TEST(SessionPublish, inbound_qos2_is_delivered_exactly_once_despite_a_dup_resend) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(test_options(v));
    b.connect_ok();
    std::vector<message_event> got = inbound_qos2(b, 9, "first");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].message.view().payload, "first");
    EXPECT_EQ(got[0].message.view().qos, qos::exactly_once);

    // Released: the identifier is free again and the next PUBLISH with it is a new message.
    got = inbound_qos2(b, 9, "second");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].message.view().payload, "second");
    b.no_more_events();
  }
}

TEST(SessionPublish, inbound_qos2_flow_works_byte_by_byte) {
  scripted_broker b(test_options());
  b.connect_ok();
  std::vector<message_event> got = inbound_qos2(b, 300, "fragmented", chunking::byte_by_byte);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message.view().payload, "fragmented");
}

TEST(SessionPublish, pubrel_for_an_unknown_id_is_answered_with_pubcomp) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(test_options(v));
    b.connect_ok();
    b.pubrel(42);
    sent<pubcomp> comp = b.expect<pubcomp>();
    EXPECT_EQ(comp->packet_id, 42);
    // MQTT 5 says why (0x92 Packet Identifier not found); 3.1.1 has no reason codes.
    EXPECT_EQ(comp->code, v == protocol_version::v5 ? reason_code::packet_identifier_not_found
                                                    : reason_code::success);
    EXPECT_EQ(b.state(), session_state::connected);
    b.no_more_events();
    b.no_more_packets();
  }
}

TEST(SessionPublish, inbound_retain_flag_and_v5_properties_reach_the_message_event) {
  scripted_broker b(test_options());
  b.connect_ok();
  const std::vector<user_property> ups = {{"origin", "sensor-4"}};
  publish p;
  p.topic = "home/hall/temp";
  p.payload = "19";
  p.qos = qos::at_least_once;
  p.packet_id = 3;
  p.retain = true;
  p.props.content_type = "text/plain";
  p.props.response_topic = "home/hall/reply";
  p.props.correlation_data = "abc";
  p.props.user_properties = ups;
  b.send(p);
  message_event m = b.next_event<message_event>();
  EXPECT_TRUE(m.message.view().retain);
  EXPECT_EQ(m.message.view().payload, "19");
  expect_same_properties(p.props, m.message.view().props);
  EXPECT_EQ(b.expect<puback>()->packet_id, 3);
}

TEST(SessionPublish, inbound_message_keeps_the_bytes_it_arrived_in) {
  // v5 PUBLISH QoS 1 id 5 to "a/b", properties in an order of the broker's choosing (Content
  // Type 0x03 before Payload Format Indicator 0x01), payload "hi": the message's encoding is
  // these very bytes, not a re-encoding of them.
  const std::vector<std::uint8_t> arrived = hex("3210" "0003612f62" "0005" "06" "030001" "74" "0101" "6869");
  ASSERT_EQ(arrived.size(), 18u);
  scripted_broker b(test_options());
  b.connect_ok();
  b.send_bytes(arrived);
  message_event m = b.next_event<message_event>();
  EXPECT_EQ(to_hex(m.message.bytes()), to_hex(arrived));
  EXPECT_EQ(m.message.view().topic, "a/b");
  EXPECT_EQ(m.message.view().props.content_type, std::optional<std::string_view>("t"));
  EXPECT_EQ(m.message.view().props.payload_format_indicator, std::optional<std::uint8_t>(1));
  EXPECT_EQ(m.message.view().payload, "hi");
  EXPECT_EQ(b.expect<puback>()->packet_id, 5);
}

TEST(SessionPublish, inbound_messages_in_one_read_each_keep_their_own_bytes) {
  const std::vector<std::uint8_t> first = hex("3005" "0001" "61" "00" "31");      // "a", "1"
  const std::vector<std::uint8_t> second = hex("3006" "0001" "62" "00" "3232");   // "b", "22"
  std::vector<std::uint8_t> both = first;
  both.insert(both.end(), second.begin(), second.end());
  scripted_broker b(test_options());
  b.connect_ok();
  b.send_bytes(both);
  EXPECT_EQ(to_hex(b.next_event<message_event>().message.bytes()), to_hex(first));
  EXPECT_EQ(to_hex(b.next_event<message_event>().message.bytes()), to_hex(second));
  b.no_more_events();
}

// ---- packet identifiers ---------------------------------------------------------------------

TEST(SessionPublish, packet_ids_are_never_reused_while_in_flight) {
  scripted_broker b(unpaced(test_options()));
  b.connect_ok();
  std::set<std::uint16_t> in_flight;
  std::vector<std::uint16_t> qos1_ids, qos2_ids;
  auto publish_batch = [&](int n) {
    for (int i = 0; i < n; ++i) {
      expect_id(b.publish("t", "x", i % 2 ? qos::exactly_once : qos::at_least_once));
      sent<publish> p = b.expect<publish>();
      EXPECT_NE(p->packet_id, 0);
      EXPECT_TRUE(in_flight.insert(p->packet_id).second)
          << "id " << p->packet_id << " reused while in flight";
      if (p->qos == qos::at_least_once) qos1_ids.push_back(p->packet_id);
      else qos2_ids.push_back(p->packet_id);
    }
  };
  publish_batch(300);
  // Complete every QoS 1 message; QoS 2 ones get PUBREC and stay in flight until PUBCOMP.
  for (std::uint16_t id : qos1_ids) {
    b.puback(id);
    in_flight.erase(id);
  }
  for (std::uint16_t id : qos2_ids) {
    b.pubrec(id);
    EXPECT_EQ(b.expect<pubrel>()->packet_id, id);
  }
  qos1_ids.clear();
  qos2_ids.clear();
  b.clear_events();
  publish_batch(300);
  b.no_more_packets();
}

TEST(SessionPublish, with_all_65535_ids_in_flight_the_next_publish_waits_for_a_free_id) {
  scripted_broker b(unpaced(test_options()));
  b.connect_ok();
  std::vector<bool> used(65536, false);
  for (int i = 0; i < 65535; ++i) {
    if (!b.publish("t", "", qos::at_least_once)) {
      ADD_FAILURE() << "publish " << i << " failed";
      break;
    }
    sent<publish> p = b.expect<publish>();
    if (!p || p->packet_id == 0 || used[p->packet_id]) {
      ADD_FAILURE() << "publish " << i << ": bad or reused id " << p->packet_id;
      break;
    }
    used[p->packet_id] = true;
  }
  ASSERT_FALSE(::testing::Test::HasFailure());
  EXPECT_EQ(b.stats().inflight_outgoing, 65535u);

  const operation_id waiting = expect_id(b.publish("t", "last", qos::at_least_once));
  b.no_more_packets();  // no identifier is free
  EXPECT_EQ(b.stats().queued, 1u);

  b.puback(12345);
  b.next_event<operation_event>();
  sent<publish> p = b.expect<publish>();
  EXPECT_EQ(p->packet_id, 12345);  // the only free identifier
  EXPECT_EQ(p->payload, "last");
  b.puback(12345);
  EXPECT_EQ(b.next_event<operation_event>().id, waiting);
}

// ---- connection loss: resume and lost session -----------------------------------------------

TEST(SessionPublish, resume_resends_unacknowledged_publishes_with_dup_and_pubrel_after_pubrec) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(unpaced(persistent_test_options(v)));
    b.connect_ok();
    const operation_id a = expect_id(b.publish("t/a", "A", qos::at_least_once));
    const operation_id bb = expect_id(b.publish("t/b", "B", qos::exactly_once));
    const operation_id c = expect_id(b.publish("t/c", "C", qos::exactly_once));
    const operation_id d = expect_id(b.publish("t/d", "D", qos::at_least_once));
    const sent<publish> pa = b.expect<publish>();
    const sent<publish> pb = b.expect<publish>();
    const sent<publish> pc = b.expect<publish>();
    const sent<publish> pd = b.expect<publish>();
    b.pubrec(pc->packet_id);  // C reached the broker: only its PUBREL is outstanding
    EXPECT_EQ(b.expect<pubrel>()->packet_id, pc->packet_id);
    b.no_more_packets();

    b.lose_connection();
    const operation_id e = expect_id(b.publish("t/e", "E", qos::at_least_once));  // offline
    b.no_more_packets();
    b.connect_ok(true);

    // MQTT-4.4.0-1 / 4.6: unacknowledged PUBLISH again in their original order, same ids,
    // DUP set; PUBREL (not the PUBLISH) for the message that got PUBREC; then what was
    // queued while offline, as a first transmission.
    std::vector<sent_packet> all = b.take_packets();
    std::vector<sent<publish>> pubs;
    std::vector<sent<pubrel>> rels;
    for (const sent_packet& s : all) {
      if (s.get_if<publish>()) pubs.emplace_back(s);
      else if (s.get_if<pubrel>()) rels.emplace_back(s);
      else ADD_FAILURE() << "unexpected " << s.describe();
    }
    ASSERT_EQ(pubs.size(), 4u);
    ASSERT_EQ(rels.size(), 1u);
    const sent<publish>* originals[] = {&pa, &pb, &pd};
    for (int i = 0; i < 3; ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(pubs[i]->packet_id, (*originals[i])->packet_id);
      EXPECT_EQ(pubs[i]->topic, (*originals[i])->topic);
      EXPECT_EQ(pubs[i]->payload, (*originals[i])->payload);
      EXPECT_EQ(pubs[i]->qos, (*originals[i])->qos);
      EXPECT_TRUE(pubs[i]->dup);
    }
    EXPECT_EQ(rels[0]->packet_id, pc->packet_id);
    ASSERT_TRUE(all.back().get_if<publish>());
    EXPECT_EQ(all.back().get_if<publish>()->payload, "E");  // after everything resent
    EXPECT_FALSE(pubs[3]->dup);
    const std::uint16_t pe = pubs[3]->packet_id;
    EXPECT_NE(pe, 0);
    for (std::uint16_t used : {pa->packet_id, pb->packet_id, pc->packet_id, pd->packet_id}) {
      EXPECT_NE(pe, used);
    }
    b.no_more_events();

    // The acknowledgements complete the original operations.
    b.puback(pa->packet_id);
    EXPECT_EQ(b.next_event<operation_event>().id, a);
    b.pubrec(pb->packet_id);
    EXPECT_EQ(b.expect<pubrel>()->packet_id, pb->packet_id);
    b.pubcomp(pb->packet_id);
    EXPECT_EQ(b.next_event<operation_event>().id, bb);
    b.pubcomp(pc->packet_id);
    EXPECT_EQ(b.next_event<operation_event>().id, c);
    b.puback(pd->packet_id);
    EXPECT_EQ(b.next_event<operation_event>().id, d);
    b.puback(pe);
    operation_event last = b.next_event<operation_event>();
    EXPECT_EQ(last.id, e);
    EXPECT_TRUE(ok(last.ec));
    EXPECT_EQ(b.stats().inflight_outgoing, 0u);
    b.no_more_packets();
    b.no_more_events();
  }
}

TEST(SessionPublish, lost_session_sends_unacknowledged_publishes_again_as_new_messages) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(persistent_test_options(v));
    b.connect_ok();
    const operation_id a = expect_id(b.publish("t/a", "A", qos::at_least_once));
    const operation_id c = expect_id(b.publish("t/c", "C", qos::exactly_once));
    EXPECT_EQ(b.take_all<publish>().size(), 2u);

    b.lose_connection();
    b.connect_ok(false);  // the broker has no session: nothing of the old one is known

    // A new session: the messages are published again as first transmissions (DUP 0), in
    // their original order; their identifiers are new ones in the new session.
    sent<publish> pa = b.expect<publish>();
    sent<publish> pc = b.expect<publish>();
    b.no_more_packets();
    EXPECT_EQ(pa->payload, "A");
    EXPECT_EQ(pa->qos, qos::at_least_once);
    EXPECT_FALSE(pa->dup);
    EXPECT_EQ(pc->payload, "C");
    EXPECT_EQ(pc->qos, qos::exactly_once);
    EXPECT_FALSE(pc->dup);
    EXPECT_NE(pa->packet_id, 0);
    EXPECT_NE(pc->packet_id, 0);
    EXPECT_NE(pa->packet_id, pc->packet_id);

    b.puback(pa->packet_id);
    EXPECT_EQ(b.next_event<operation_event>().id, a);
    b.pubrec(pc->packet_id);
    b.expect<pubrel>();
    b.pubcomp(pc->packet_id);
    EXPECT_EQ(b.next_event<operation_event>().id, c);
    b.no_more_events();
  }
}

TEST(SessionPublish, qos0_messages_already_sent_are_not_resent_on_resume) {
  scripted_broker b(persistent_test_options());
  b.connect_ok();
  expect_id(b.publish("t", "fire and forget"));
  b.expect<publish>();
  b.next_event<operation_event>();
  b.lose_connection();
  b.connect_ok(true);
  b.no_more_packets();
  b.no_more_events();
}

TEST(SessionPublish, resumed_session_inbound_qos2_awaiting_pubrel_is_not_delivered_again) {
  // The broker resends the PUBLISH (DUP) of a QoS 2 message we already received and
  // acknowledged with PUBREC before the connection dropped: it must not be delivered twice.
  scripted_broker b(persistent_test_options());
  b.connect_ok();
  publish p;
  p.topic = "a";
  p.payload = "once";
  p.qos = qos::exactly_once;
  p.packet_id = 5;
  b.send(p);
  b.expect<pubrec>();
  const std::size_t delivered = b.take_events<message_event>().size();

  b.lose_connection();
  b.connect_ok(true);
  p.dup = true;
  b.send(p);
  EXPECT_EQ(b.expect<pubrec>()->packet_id, 5);
  b.pubrel(5);
  EXPECT_EQ(b.expect<pubcomp>()->packet_id, 5);
  const std::size_t total = delivered + b.take_events<message_event>().size();
  EXPECT_EQ(total, 1u);
  b.no_more_events();
}

}  // namespace
}  // namespace mqttws::test
