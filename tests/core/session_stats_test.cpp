// Session: stats(). The state through a connection's life, the in-flight and queued counts
// through QoS 1/2 flows and a full Receive Maximum window, the PING round trip on the virtual
// clock, reconnect attempts and connections, and exact packet/byte/message counters.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "session_harness.hpp"

namespace mqttws::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr protocol_version both_versions[] = {protocol_version::v311, protocol_version::v5};

/// The encoded size of `p` for `v`.
template <class P>
std::uint64_t size_of(const P& p, protocol_version v) {
  std::vector<std::uint8_t> out;
  EXPECT_TRUE(ok(encode(p, v, out)));
  return out.size();
}

/// Sum of the sizes of the packets the client sent.
std::uint64_t total_bytes(const std::vector<sent_packet>& v) {
  std::uint64_t n = 0;
  for (const sent_packet& s : v) n += s.bytes().size();
  return n;
}

/// What the broker has sent, for exact received counters: every packet goes through here.
struct broker_tally {
  scripted_broker& b;
  std::uint64_t packets = 0, bytes = 0;

  template <class P>
  void send(const P& p) {
    packets++;
    bytes += size_of(p, b.version());
    b.send(p);
  }
  void connack(const properties& props = {}) {
    mqttws::connack c;
    c.props = props;
    send(c);
  }
  void deliver(std::string_view topic, std::string_view payload, qos q, std::uint16_t id) {
    publish p;
    p.topic = topic;
    p.payload = payload;
    p.qos = q;
    p.packet_id = id;
    send(p);
  }
};

// ---- state -------------------------------------------------------------------------------------

TEST(SessionStats, state_follows_the_connection_lifecycle) {
  scripted_broker b(test_options());
  b.report_requested_close = false;  // to see `disconnecting` before the close is reported
  EXPECT_EQ(b.stats().state, session_state::idle);
  ASSERT_TRUE(ok(b.connect()));
  EXPECT_EQ(b.stats().state, session_state::connecting);
  b.open();
  EXPECT_EQ(b.stats().state, session_state::awaiting_connack);
  b.expect<connect>();
  b.connack();
  EXPECT_EQ(b.stats().state, session_state::connected);

  b.drop();
  EXPECT_EQ(b.stats().state, session_state::waiting_to_reconnect);
  ASSERT_TRUE(b.advance_to_next_timeout());
  EXPECT_EQ(b.stats().state, session_state::connecting);
  b.refuse();
  EXPECT_EQ(b.stats().state, session_state::waiting_to_reconnect);
  b.connect_ok();
  EXPECT_EQ(b.stats().state, session_state::connected);

  ASSERT_TRUE(ok(b.disconnect()));
  EXPECT_EQ(b.stats().state, session_state::disconnecting);
  b.drop(std::error_code());  // the transport reports the close it was asked for
  EXPECT_EQ(b.stats().state, session_state::closed);
  EXPECT_EQ(b.stats().state, b.state());
}

TEST(SessionStats, state_is_closed_after_a_refusal_that_reconnecting_cannot_fix) {
  scripted_broker b(test_options());
  ASSERT_TRUE(ok(b.connect()));
  b.open();
  b.expect<connect>();
  b.connack(false, {}, reason_code::not_authorized);
  const session_stats s = b.stats();
  EXPECT_EQ(s.state, session_state::closed);
  EXPECT_EQ(s.connections, 0u);
  EXPECT_EQ(s.reconnect_attempts, 0u);
}

TEST(SessionStats, state_is_closed_after_a_loss_without_reconnect) {
  session_options o = test_options();
  o.reconnect = false;
  scripted_broker b(o);
  b.connect_ok();
  b.drop();
  EXPECT_EQ(b.stats().state, session_state::closed);
  EXPECT_EQ(b.stats().reconnect_attempts, 0u);
}

// ---- in flight and queued ---------------------------------------------------------------------

TEST(SessionStats, qos1_is_in_flight_until_puback) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(test_options(v));
    b.connect_ok();
    expect_id(b.publish("t", "x", qos::at_least_once));
    sent<publish> p = b.expect<publish>();
    EXPECT_EQ(b.stats().inflight_outgoing, 1u);
    EXPECT_EQ(b.stats().queued, 0u);
    b.puback(p->packet_id);
    EXPECT_EQ(b.stats().inflight_outgoing, 0u);
    EXPECT_EQ(b.stats().inflight_incoming, 0u);
  }
}

TEST(SessionStats, qos2_is_in_flight_through_pubrec_until_pubcomp) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(test_options(v));
    b.connect_ok();
    expect_id(b.publish("t", "x", qos::exactly_once));
    sent<publish> p = b.expect<publish>();
    EXPECT_EQ(b.stats().inflight_outgoing, 1u);
    b.pubrec(p->packet_id);
    b.expect<pubrel>();
    EXPECT_EQ(b.stats().inflight_outgoing, 1u);
    b.pubcomp(p->packet_id);
    EXPECT_EQ(b.stats().inflight_outgoing, 0u);
  }
}

TEST(SessionStats, qos0_is_never_in_flight) {
  scripted_broker b(test_options());
  b.connect_ok();
  expect_id(b.publish("t", "x"));
  b.expect<publish>();
  const session_stats s = b.stats();
  EXPECT_EQ(s.inflight_outgoing, 0u);
  EXPECT_EQ(s.queued, 0u);
}

TEST(SessionStats, inbound_qos2_is_in_flight_incoming_until_pubrel) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(test_options(v));
    b.connect_ok();
    b.deliver("in", "1", qos::exactly_once, 10);
    b.deliver("in", "2", qos::exactly_once, 11);
    EXPECT_EQ(b.stats().inflight_incoming, 2u);
    b.deliver("in", "3", qos::at_least_once, 12);  // QoS 1 is answered at once
    EXPECT_EQ(b.stats().inflight_incoming, 2u);
    b.pubrel(10);
    EXPECT_EQ(b.stats().inflight_incoming, 1u);
    b.pubrel(11);
    EXPECT_EQ(b.stats().inflight_incoming, 0u);
    EXPECT_EQ(b.stats().inflight_outgoing, 0u);  // our PUBRECs/PUBCOMPs are not outgoing flows
  }
}

TEST(SessionStats, offline_publishes_are_queued_until_connack_then_in_flight) {
  scripted_broker b(test_options());
  expect_id(b.publish("t", "0", qos::at_most_once));
  expect_id(b.publish("t", "1", qos::at_least_once));
  expect_id(b.publish("t", "2", qos::exactly_once));
  session_stats s = b.stats();
  EXPECT_EQ(s.queued, 3u);
  EXPECT_EQ(s.inflight_outgoing, 0u);
  b.connect_ok();
  EXPECT_EQ(b.take_all<publish>().size(), 3u);
  s = b.stats();
  EXPECT_EQ(s.queued, 0u);
  EXPECT_EQ(s.inflight_outgoing, 2u);
}

TEST(SessionStats, full_receive_maximum_window_counts_the_rest_as_queued) {
  scripted_broker b(test_options());
  properties limits;
  limits.receive_maximum = 2;
  b.connect_ok(false, limits);
  expect_id(b.publish("t", "m1", qos::at_least_once));
  expect_id(b.publish("t", "m2", qos::exactly_once));
  expect_id(b.publish("t", "m3", qos::at_least_once));
  expect_id(b.publish("t", "m4", qos::exactly_once));
  expect_id(b.publish("t", "q0", qos::at_most_once));  // waits behind, in order
  std::vector<sent<publish>> out = b.take_all<publish>();
  ASSERT_EQ(out.size(), 2u);
  session_stats s = b.stats();
  EXPECT_EQ(s.inflight_outgoing, 2u);
  EXPECT_EQ(s.queued, 3u);

  b.puback(out[0]->packet_id);  // m1 done: m3 takes its place
  sent<publish> m3 = b.expect<publish>();
  EXPECT_EQ(m3->payload, "m3");
  s = b.stats();
  EXPECT_EQ(s.inflight_outgoing, 2u);
  EXPECT_EQ(s.queued, 2u);

  // A successful PUBREC does not free the slot (MQTT 5, 4.9): only PUBCOMP does.
  b.pubrec(out[1]->packet_id);
  b.expect<pubrel>();
  b.no_more_packets();
  s = b.stats();
  EXPECT_EQ(s.inflight_outgoing, 2u);
  EXPECT_EQ(s.queued, 2u);

  b.pubcomp(out[1]->packet_id);  // m2 done: m4 goes, and the QoS 0 behind it
  sent<publish> m4 = b.expect<publish>();
  sent<publish> q0 = b.expect<publish>();
  EXPECT_EQ(m4->payload, "m4");
  EXPECT_EQ(q0->payload, "q0");
  s = b.stats();
  EXPECT_EQ(s.inflight_outgoing, 2u);
  EXPECT_EQ(s.queued, 0u);

  b.puback(m3->packet_id);
  b.pubrec(m4->packet_id);
  b.expect<pubrel>();
  b.pubcomp(m4->packet_id);
  s = b.stats();
  EXPECT_EQ(s.inflight_outgoing, 0u);
  EXPECT_EQ(s.queued, 0u);
}

TEST(SessionStats, in_flight_and_queued_counts_survive_a_lost_connection) {
  scripted_broker b(persistent_test_options());
  b.connect_ok();
  expect_id(b.publish("t", "1", qos::at_least_once));
  expect_id(b.publish("t", "2", qos::exactly_once));
  std::vector<sent<publish>> out = b.take_all<publish>();
  ASSERT_EQ(out.size(), 2u);
  b.pubrec(out[1]->packet_id);
  b.expect<pubrel>();
  b.deliver("in", "x", qos::exactly_once, 3);
  b.clear_packets();
  b.clear_events();

  b.lose_connection();
  expect_id(b.publish("t", "3", qos::at_least_once));
  session_stats s = b.stats();
  EXPECT_EQ(s.inflight_outgoing, 2u);
  EXPECT_EQ(s.inflight_incoming, 1u);
  EXPECT_EQ(s.queued, 1u);

  b.connect_ok(true);
  s = b.stats();
  EXPECT_EQ(s.inflight_outgoing, 3u);  // the two resumed, and the one that waited
  EXPECT_EQ(s.inflight_incoming, 1u);
  EXPECT_EQ(s.queued, 0u);
}

TEST(SessionStats, session_not_present_completes_awaiting_pubcomp_and_requeues_the_rest) {
  scripted_broker b(persistent_test_options());
  b.connect_ok();
  expect_id(b.publish("t", "1", qos::at_least_once));
  expect_id(b.publish("t", "2", qos::exactly_once));
  std::vector<sent<publish>> out = b.take_all<publish>();
  ASSERT_EQ(out.size(), 2u);
  b.pubrec(out[1]->packet_id);
  b.deliver("in", "x", qos::exactly_once, 3);
  b.clear_packets();
  b.clear_events();
  b.lose_connection();

  b.connect_ok(false);
  const session_stats s = b.stats();
  EXPECT_EQ(s.inflight_outgoing, 1u);  // "1" again, as a new message; "2" is complete
  EXPECT_EQ(s.inflight_incoming, 0u);  // the broker's new session has no PUBREL to send
  EXPECT_EQ(s.queued, 0u);
}

// ---- PING round trip ---------------------------------------------------------------------------

TEST(SessionStats, last_ping_rtt_is_exact_on_the_virtual_clock) {
  session_options o = test_options();
  o.keep_alive = 10;
  scripted_broker b(o);
  b.connect_ok();
  EXPECT_FALSE(b.stats().last_ping_rtt.has_value());

  b.advance(seconds(10));
  b.expect<pingreq>();
  b.advance(milliseconds(250));
  EXPECT_FALSE(b.stats().last_ping_rtt.has_value());  // not before the PINGRESP
  b.send(pingresp{});
  ASSERT_TRUE(b.stats().last_ping_rtt.has_value());
  EXPECT_EQ(*b.stats().last_ping_rtt, milliseconds(250));

  // The next one replaces it.
  b.advance(seconds(10) - milliseconds(250));
  b.expect<pingreq>();
  b.advance(milliseconds(1500));
  b.send(pingresp{});
  EXPECT_EQ(*b.stats().last_ping_rtt, milliseconds(1500));

  // A PINGRESP nobody asked for measures nothing.
  b.advance(milliseconds(100));
  b.send(pingresp{});
  EXPECT_EQ(*b.stats().last_ping_rtt, milliseconds(1500));
  b.no_more_packets();
}

// ---- reconnect attempts and connections ---------------------------------------------------------

TEST(SessionStats, reconnect_attempts_count_every_failed_attempt_and_reset_on_connack) {
  scripted_broker b(test_options());
  b.connect_ok();
  EXPECT_EQ(b.stats().reconnect_attempts, 0u);
  EXPECT_EQ(b.stats().connections, 1u);

  EXPECT_EQ(b.lose_connection().attempt, 1u);
  EXPECT_EQ(b.stats().reconnect_attempts, 1u);

  // The transport does not open.
  ASSERT_TRUE(b.advance_to_next_timeout());
  b.refuse();
  EXPECT_EQ(b.stats().reconnect_attempts, 2u);

  // The broker refuses with a code worth retrying.
  while (!b.open_pending() && b.advance_to_next_timeout()) {
  }
  b.open();
  b.expect<connect>();
  b.connack(false, {}, reason_code::server_unavailable);
  EXPECT_EQ(b.stats().reconnect_attempts, 3u);

  // No CONNACK within connect_timeout.
  while (!b.open_pending() && b.advance_to_next_timeout()) {
  }
  b.open();
  b.expect<connect>();
  b.advance(test_options().connect_timeout);
  EXPECT_EQ(b.stats().reconnect_attempts, 4u);
  EXPECT_EQ(b.stats().connections, 1u);  // none of those connected

  b.clear_events();
  b.connect_ok();  // "since the last successful connection": back to 0
  EXPECT_EQ(b.stats().reconnect_attempts, 0u);
  EXPECT_EQ(b.stats().connections, 2u);

  EXPECT_EQ(b.lose_connection().attempt, 1u);  // counts from 1 again
  EXPECT_EQ(b.stats().reconnect_attempts, 1u);
}

TEST(SessionStats, reconnect_attempts_count_before_the_first_connection_too) {
  scripted_broker b(test_options());
  ASSERT_TRUE(ok(b.connect()));
  for (std::uint32_t i = 1; i <= 3; ++i) {
    while (!b.open_pending() && b.advance_to_next_timeout()) {
    }
    b.refuse();
    EXPECT_EQ(b.stats().reconnect_attempts, i);
  }
  b.clear_events();
  b.connect_ok();
  EXPECT_EQ(b.stats().reconnect_attempts, 0u);
  EXPECT_EQ(b.stats().connections, 1u);
}

TEST(SessionStats, connections_count_every_successful_connack_resumed_or_not) {
  scripted_broker b(persistent_test_options());
  b.connect_ok();
  b.lose_connection();
  b.connect_ok(true);
  b.lose_connection();
  b.connect_ok(false);
  EXPECT_EQ(b.stats().connections, 3u);
  ASSERT_TRUE(ok(b.disconnect()));
  EXPECT_EQ(b.stats().connections, 3u);
}

// ---- packets, bytes, messages -------------------------------------------------------------------

TEST(SessionStats, connect_and_connack_are_counted_to_the_byte) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(test_options(v));
    session_stats s = b.stats();
    EXPECT_EQ(s.packets_sent, 0u);
    EXPECT_EQ(s.bytes_sent, 0u);
    EXPECT_EQ(s.packets_received, 0u);
    EXPECT_EQ(s.bytes_received, 0u);
    b.connect_ok();
    s = b.stats();
    // CONNECT: fixed header 2, "MQTT" 6, level 1, flags 1, keep alive 2, (v5: properties 1),
    // client id 2 + 11. CONNACK: fixed header 2, flags 1, code 1, (v5: properties 1).
    EXPECT_EQ(s.packets_sent, 1u);
    EXPECT_EQ(s.bytes_sent, v == protocol_version::v5 ? 26u : 25u);
    EXPECT_EQ(s.packets_received, 1u);
    EXPECT_EQ(s.bytes_received, v == protocol_version::v5 ? 5u : 4u);
    EXPECT_EQ(s.messages_sent, 0u);
    EXPECT_EQ(s.messages_received, 0u);
  }
}

TEST(SessionStats, counters_are_exact_through_every_packet_flow) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    session_options o = test_options(v);
    o.keep_alive = 30;
    scripted_broker b(o);
    broker_tally in{b};
    ASSERT_TRUE(ok(b.connect()));
    b.open();
    in.connack();
    b.next_event<connected_event>();

    // Outbound QoS 0, 1 and 2.
    expect_id(b.publish("out/0", "zero"));
    expect_id(b.publish("out/1", "one", qos::at_least_once));
    expect_id(b.publish("out/2", "two", qos::exactly_once));
    std::vector<sent<publish>> pubs = b.take_all<publish>();
    ASSERT_EQ(pubs.size(), 3u);
    in.send(puback{pubs[1]->packet_id, reason_code::success, {}});
    in.send(pubrec{pubs[2]->packet_id, reason_code::success, {}});
    in.send(pubcomp{pubs[2]->packet_id, reason_code::success, {}});

    // Inbound QoS 0, 1 and 2.
    in.deliver("in/0", "a", qos::at_most_once, 0);
    in.deliver("in/1", "bb", qos::at_least_once, 21);
    in.deliver("in/2", "ccc", qos::exactly_once, 22);
    in.send(pubrel{22, reason_code::success, {}});

    // Subscribe, ping, disconnect.
    expect_id(b.subscribe("in/#", qos::exactly_once));
    std::vector<sent<subscribe>> subs = b.take_all<subscribe>();
    ASSERT_EQ(subs.size(), 1u);
    suback sa;
    sa.packet_id = subs[0]->packet_id;
    const std::vector<reason_code> granted = {reason_code::granted_qos_2};
    sa.codes = reason_code_list(granted);
    in.send(sa);
    b.advance(seconds(30));
    in.send(pingresp{});
    ASSERT_TRUE(ok(b.disconnect()));

    // Every packet the harness saw the client write: the PUBLISH and SUBSCRIBE taken above,
    // and the rest, in order CONNECT, PUBREL, PUBACK, PUBREC, PUBCOMP, PINGREQ, DISCONNECT.
    std::vector<sent_packet> everything = b.take_packets();
    ASSERT_EQ(everything.size(), 7u);
    EXPECT_EQ(everything.front().type(), packet_type::connect);
    EXPECT_EQ(everything.back().type(), packet_type::disconnect);
    for (const sent<publish>& p : pubs) everything.push_back(p.untyped());
    everything.push_back(subs[0].untyped());
    const session_stats s = b.stats();
    EXPECT_EQ(s.packets_sent, 11u);
    EXPECT_EQ(s.bytes_sent, total_bytes(everything));
    // CONNACK, PUBACK, PUBREC, PUBCOMP, 3 PUBLISH, PUBREL, SUBACK, PINGRESP.
    EXPECT_EQ(in.packets, 10u);
    EXPECT_EQ(s.packets_received, in.packets);
    EXPECT_EQ(s.bytes_received, in.bytes);
    EXPECT_EQ(s.messages_sent, 3u);
    EXPECT_EQ(s.messages_received, 3u);
  }
}

TEST(SessionStats, a_qos2_resend_from_the_broker_is_a_packet_but_not_a_message) {
  scripted_broker b(test_options());
  b.connect_ok();
  const session_stats before = b.stats();
  publish p;
  p.topic = "in";
  p.payload = "once";
  p.qos = qos::exactly_once;
  p.packet_id = 8;
  b.send(p);
  p.dup = true;
  b.send(p);
  EXPECT_EQ(b.take_events<message_event>().size(), 1u);
  const session_stats s = b.stats();
  EXPECT_EQ(s.packets_received - before.packets_received, 2u);
  EXPECT_EQ(s.bytes_received - before.bytes_received,
            size_of(p, protocol_version::v5) * 2);
  EXPECT_EQ(s.messages_received - before.messages_received, 1u);
  EXPECT_EQ(s.packets_sent - before.packets_sent, 2u);  // PUBREC twice
}

TEST(SessionStats, queued_messages_count_as_sent_when_they_go_out) {
  scripted_broker b(test_options());
  expect_id(b.publish("t", "1", qos::at_least_once));
  expect_id(b.publish("t", "2"));
  EXPECT_EQ(b.stats().messages_sent, 0u);
  EXPECT_EQ(b.stats().packets_sent, 0u);
  b.connect_ok();
  EXPECT_EQ(b.stats().messages_sent, 2u);
  EXPECT_EQ(b.stats().packets_sent, 3u);  // CONNECT and the two PUBLISH
}

TEST(SessionStats, counters_accumulate_across_connections) {
  scripted_broker b(test_options());
  b.connect_ok();
  expect_id(b.publish("t", "x"));
  b.deliver("in", "y");
  b.clear_packets();
  b.clear_events();
  const session_stats first = b.stats();
  b.lose_connection();
  EXPECT_EQ(b.stats().packets_sent, first.packets_sent);
  EXPECT_EQ(b.stats().bytes_received, first.bytes_received);
  b.connect_ok();
  const session_stats s = b.stats();
  EXPECT_EQ(s.packets_sent, first.packets_sent + 1);  // the second CONNECT
  EXPECT_EQ(s.packets_received, first.packets_received + 1);  // its CONNACK
  EXPECT_EQ(s.messages_sent, 1u);
  EXPECT_EQ(s.messages_received, 1u);
  EXPECT_EQ(s.connections, 2u);
}

TEST(SessionStats, v5_disconnect_for_a_protocol_error_is_counted_as_sent) {
  scripted_broker b(test_options());
  b.connect_ok();
  b.clear_packets();
  const session_stats before = b.stats();
  b.puback(1);  // harmless: not ours
  b.pubrec(1);  // v5: answered with PUBREL 0x92
  b.expect<pubrel>();
  b.send(connack{});  // a second CONNACK: Protocol Error
  sent<disconnect> d = b.expect<disconnect>();
  EXPECT_EQ(d->code, reason_code::protocol_error);
  const session_stats s = b.stats();
  EXPECT_EQ(s.packets_sent - before.packets_sent, 2u);  // PUBREL and DISCONNECT
  std::vector<std::uint8_t> pubrel_bytes;
  ASSERT_TRUE(ok(encode(pubrel{1, reason_code::packet_identifier_not_found, {}},
                        protocol_version::v5, pubrel_bytes)));
  EXPECT_EQ(s.bytes_sent - before.bytes_sent, pubrel_bytes.size() + d.bytes().size());
}

}  // namespace
}  // namespace mqttws::test
