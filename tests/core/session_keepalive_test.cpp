// Session: keepalive (MQTT 3.1.2.10 / 3.1.2.11, 3.12, 3.13). PINGREQ only after Keep Alive
// seconds without sending anything, the PINGRESP deadline (ping_timeout) and what a half-open
// connection leads to, the round-trip time in the stats, Server Keep Alive, long timelines and
// the harmlessness of early, late and repeated handle_timeout() calls.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "session_harness.hpp"

namespace mqttws::test {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

session_options keepalive_options(std::uint16_t keep_alive,
                                  protocol_version v = protocol_version::v5) {
  session_options o = test_options(v);
  o.keep_alive = keep_alive;
  o.ping_timeout = seconds(4);
  return o;
}

// ---- when PINGREQ is sent ----------------------------------------------------------------

TEST(SessionKeepalive, pingreq_exactly_when_nothing_was_sent_for_keep_alive_seconds) {
  for (protocol_version v : {protocol_version::v311, protocol_version::v5}) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(keepalive_options(10, v));
    const auto c = b.connect_ok();
    EXPECT_EQ(c.connect->keep_alive, 10);
    EXPECT_EQ(c.connected.keep_alive, 10);
    // The CONNECT was the last packet sent, at this instant.
    const time_point connect_sent = b.now();

    b.advance(milliseconds(9999));
    b.no_more_packets();
    // MQTT-3.1.2-23: the interval between two packets sent must not exceed Keep Alive, so
    // the PINGREQ goes out no later than Keep Alive after the CONNECT (and not earlier: the
    // session has nothing to say before then).
    b.advance(milliseconds(1));
    b.expect<pingreq>();
    EXPECT_EQ(b.elapsed(connect_sent), seconds(10));
    b.no_more_packets();
    b.no_more_events();
    EXPECT_TRUE(b.actions().empty()) << "no transport action while the connection is fine";
  }
}

TEST(SessionKeepalive, a_client_that_only_sends_still_pings_when_the_broker_falls_silent) {
  // QoS 0 into a dead link: the writes go into a socket buffer and "succeed", so sending
  // alone never proves the link. Keep Alive seconds of silence from the broker bring a
  // PINGREQ, and by default half a Keep Alive later the half-open link is closed: 1.5 x Keep
  // Alive after the last byte heard.
  session_options o = test_options();
  o.keep_alive = 10;  // ping_timeout left at its default
  scripted_broker b(o);
  b.connect_ok();
  const time_point t0 = b.now();
  for (int i = 0; i < 4; ++i) {
    b.advance(seconds(2));
    expect_id(b.publish("a/b", "x"));
    b.expect<publish>();
  }
  b.advance(seconds(2));  // t0 + 10: 10 s of silence
  b.expect<pingreq>();
  EXPECT_EQ(b.elapsed(t0), seconds(10));
  b.clear_events();
  b.report_requested_close = false;
  b.advance(seconds(5));  // t0 + 15 = 1.5 x Keep Alive
  EXPECT_EQ(b.elapsed(t0), seconds(15));
  b.expect_close();
  EXPECT_TRUE(is_error(b.next_event<disconnected_event>().ec, errc::keep_alive_timeout));
}

TEST(SessionKeepalive, the_default_ping_timeout_is_half_the_keep_alive_in_force) {
  session_options o = test_options();
  o.keep_alive = 60;
  scripted_broker b(o);
  properties server;
  server.server_keep_alive = 8;  // the broker's value wins
  b.connect_ok(false, server);
  const time_point t0 = b.now();
  b.advance(seconds(8));
  b.expect<pingreq>();
  b.clear_events();
  b.report_requested_close = false;
  b.advance(seconds(3));
  b.no_more_packets();
  EXPECT_TRUE(b.actions().empty());
  b.advance(seconds(1));  // 4 s = 8 / 2 after the PINGREQ
  b.expect_close();
  EXPECT_EQ(b.elapsed(t0), seconds(12));
}

TEST(SessionKeepalive, sending_any_packet_postpones_the_ping) {
  scripted_broker b(keepalive_options(10));
  b.connect_ok();
  const time_point t0 = b.now();

  b.advance(seconds(6));
  b.deliver("in", "heard", qos::at_most_once, 0);  // the broker is heard from at t0 + 6 too
  b.take_events<message_event>();
  expect_id(b.publish("a/b", "x"));  // QoS 0, sent at once
  b.expect<publish>();
  b.advance(seconds(9));             // t0 + 15: 9 s since the PUBLISH
  b.no_more_packets();
  b.advance(seconds(1));             // t0 + 16: 10 s since the PUBLISH
  b.expect<pingreq>();
  EXPECT_EQ(b.elapsed(t0), seconds(16));

  // An acknowledgement the client sends counts too: a QoS 1 message from the broker makes
  // the client send PUBACK, which postpones the next ping.
  b.reply(pingresp{});
  b.advance(seconds(3));  // t0 + 19
  b.deliver("a/b", "in", qos::at_least_once, 7);
  b.expect<puback>();
  b.take_events<message_event>();
  b.advance(milliseconds(9999));  // t0 + 28.999: PINGREQ was at 16, PUBACK at 19
  b.no_more_packets();
  b.advance(milliseconds(1));     // t0 + 29 = PUBACK + 10
  b.expect<pingreq>();
  EXPECT_EQ(b.elapsed(t0), seconds(29));
}

TEST(SessionKeepalive, receiving_does_not_postpone_the_ping) {
  // Keep Alive is about what the client sends (MQTT-3.1.2-23): packets from the broker do
  // not count.
  scripted_broker b(keepalive_options(10));
  b.connect_ok();
  const time_point t0 = b.now();
  b.advance(seconds(5));
  b.deliver("a/b", "x");  // QoS 0: the client answers nothing
  b.next_event<message_event>();
  b.no_more_packets();
  b.advance(seconds(5));
  b.expect<pingreq>();
  EXPECT_EQ(b.elapsed(t0), seconds(10));
}

TEST(SessionKeepalive, no_pingreq_before_connack) {
  session_options o = keepalive_options(2);
  o.connect_timeout = seconds(30);
  scripted_broker b(o);
  b.connect();
  b.open();
  b.expect<connect>();
  b.advance(seconds(20));
  b.no_more_packets();  // waiting for CONNACK: nothing but (MQTT 5) AUTH may be sent
  EXPECT_EQ(b.state(), session_state::awaiting_connack);
}

// ---- PINGRESP ---------------------------------------------------------------------------------

TEST(SessionKeepalive, pingresp_in_time_records_the_round_trip_exactly) {
  scripted_broker b(keepalive_options(10));
  b.connect_ok();
  EXPECT_FALSE(b.stats().last_ping_rtt.has_value());
  b.advance(seconds(10));
  b.expect<pingreq>();
  const time_point ping_sent = b.now();
  b.advance(milliseconds(1234));
  b.reply(pingresp{});
  ASSERT_TRUE(b.stats().last_ping_rtt.has_value());
  EXPECT_EQ(*b.stats().last_ping_rtt, milliseconds(1234));
  EXPECT_EQ(b.state(), session_state::connected);

  // The PINGREQ was the last packet sent: the next one is Keep Alive after it, and the late
  // PINGRESP does not hold it up.
  b.advance(seconds(10) - milliseconds(1234) - milliseconds(1));
  b.no_more_packets();
  b.advance(milliseconds(1));
  b.expect<pingreq>();
  EXPECT_EQ(b.elapsed(ping_sent), seconds(10));
  b.advance(milliseconds(7));
  b.reply(pingresp{});
  EXPECT_EQ(*b.stats().last_ping_rtt, milliseconds(7));
  b.no_more_events();
  EXPECT_TRUE(b.actions().empty());
}

TEST(SessionKeepalive, no_pingresp_within_ping_timeout_closes_and_reconnects) {
  for (protocol_version v : {protocol_version::v311, protocol_version::v5}) {
    SCOPED_TRACE(version_name(v));
    session_options o = keepalive_options(10, v);
    o.ping_timeout = seconds(4);
    o.backoff.initial_delay = seconds(3);
    scripted_broker b(o);
    b.connect_ok();
    b.advance(seconds(10));
    b.expect<pingreq>();

    b.advance(milliseconds(3999));
    EXPECT_TRUE(b.actions().empty());
    b.no_more_events();
    EXPECT_EQ(b.state(), session_state::connected);

    b.advance(milliseconds(1));
    // The connection is half-open: the client closes it (the broker might not even get a
    // DISCONNECT, and 3.1.1 has no reason code for this anyway).
    b.expect_close();
    EXPECT_FALSE(b.transport_open());
    for (const sent_packet& p : b.take_packets()) {
      EXPECT_EQ(p.type(), packet_type::disconnect) << "only a DISCONNECT may precede the close, "
                                                   << "got " << p.describe();
    }
    disconnected_event d = b.next_event<disconnected_event>();
    EXPECT_TRUE(is_error(d.ec, errc::keep_alive_timeout));
    EXPECT_FALSE(d.reason.has_value()) << "the broker gave no reason code";
    EXPECT_TRUE(d.will_reconnect);
    reconnecting_event r = b.next_event<reconnecting_event>();
    EXPECT_EQ(r.attempt, 1u);
    EXPECT_EQ(r.delay, seconds(3));
    EXPECT_EQ(r.endpoint, "ws://broker");
    b.no_more_events();
    EXPECT_EQ(b.state(), session_state::waiting_to_reconnect);

    // A PINGRESP that would come now has nowhere to go; the reconnection goes ahead.
    b.advance(seconds(3));
    EXPECT_EQ(b.expect_open_action(), "ws://broker");
    const auto c = b.connect_ok();
    EXPECT_EQ(c.connect->keep_alive, 10);
    EXPECT_EQ(b.stats().connections, 2u);
  }
}

TEST(SessionKeepalive, sending_other_packets_does_not_extend_the_pingresp_deadline) {
  scripted_broker b(keepalive_options(10));
  b.connect_ok();
  b.advance(seconds(10));
  b.expect<pingreq>();
  b.advance(seconds(2));
  const operation_id id = expect_id(b.publish("a/b", "x"));
  b.expect<publish>();
  EXPECT_EQ(b.next_event<operation_event>().id, id);
  b.advance(seconds(2));  // ping_timeout (4 s) after the PINGREQ
  b.expect_close();
  disconnected_event d = b.next_event<disconnected_event>();
  EXPECT_TRUE(is_error(d.ec, errc::keep_alive_timeout));
}

TEST(SessionKeepalive, a_slow_pingresp_does_not_suspend_the_keep_alive_duty) {
  // ping_timeout longer than Keep Alive (or simply a PINGRESP slower than Keep Alive): while
  // the first PINGREQ is unanswered, Keep Alive seconds pass without anything sent. MQTT
  // 3.1.2.10 / 3.1.2-23 (5.0): "It is the responsibility of the Client to ensure that the
  // interval between MQTT Control Packets being sent does not exceed the Keep Alive value. If
  // in the absence of sending any other MQTT Control Packets, the Client MUST send a PINGREQ
  // packet" — and a broker closes the connection after 1.5 x Keep Alive of silence.
  session_options o = keepalive_options(2);
  o.ping_timeout = seconds(5);
  scripted_broker b(o);
  b.connect_ok();
  b.advance(seconds(2));
  b.expect<pingreq>();
  const time_point first_ping = b.now();
  b.advance(seconds(2));  // Keep Alive since the PINGREQ, no PINGRESP yet
  EXPECT_EQ(b.take_all<pingreq>().size(), 1u)
      << "want another PINGREQ Keep Alive (2 s) after the unanswered one";
  b.no_more_packets();
  b.advance(milliseconds(500));
  b.reply(pingresp{});
  EXPECT_EQ(b.state(), session_state::connected);
  ASSERT_TRUE(b.stats().last_ping_rtt.has_value());
  EXPECT_LE(*b.stats().last_ping_rtt, b.elapsed(first_ping));
}

// ---- keep alive 0 and Server Keep Alive ---------------------------------------------------

TEST(SessionKeepalive, keep_alive_zero_never_pings) {
  for (protocol_version v : {protocol_version::v311, protocol_version::v5}) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(keepalive_options(0, v));
    const auto c = b.connect_ok();
    EXPECT_EQ(c.connect->keep_alive, 0);
    EXPECT_EQ(c.connected.keep_alive, 0);
    EXPECT_FALSE(b.session().next_timeout().has_value())
        << "nothing to wake up for while connected without keepalive";
    b.advance(hours(10));
    b.no_more_packets();
    b.no_more_events();
    EXPECT_EQ(b.state(), session_state::connected);
  }
}

TEST(SessionKeepalive, server_keep_alive_replaces_ours) {
  scripted_broker b(keepalive_options(60));
  properties p;
  p.server_keep_alive = 5;
  const auto c = b.connect_ok(false, p);
  EXPECT_EQ(c.connect->keep_alive, 60);
  EXPECT_EQ(c.connected.keep_alive, 5);  // MQTT-3.2.2-21: the client must use the server's
  const time_point t0 = b.now();
  b.advance(milliseconds(4999));
  b.no_more_packets();
  b.advance(milliseconds(1));
  b.expect<pingreq>();
  EXPECT_EQ(b.elapsed(t0), seconds(5));
}

TEST(SessionKeepalive, server_keep_alive_zero_disables_keepalive) {
  scripted_broker b(keepalive_options(30));
  properties p;
  p.server_keep_alive = 0;
  const auto c = b.connect_ok(false, p);
  EXPECT_EQ(c.connected.keep_alive, 0);
  b.advance(hours(2));
  b.no_more_packets();
  EXPECT_EQ(b.state(), session_state::connected);
}

TEST(SessionKeepalive, server_keep_alive_applies_per_connection) {
  // The next CONNACK decides again: without Server Keep Alive the requested value is back.
  scripted_broker b(keepalive_options(20));
  properties p;
  p.server_keep_alive = 5;
  EXPECT_EQ(b.connect_ok(false, p).connected.keep_alive, 5);
  b.lose_connection();
  const auto c = b.connect_ok();
  EXPECT_EQ(c.connect->keep_alive, 20);
  EXPECT_EQ(c.connected.keep_alive, 20);
  const time_point t0 = b.now();
  b.advance(seconds(19));
  b.no_more_packets();
  b.advance(seconds(1));
  b.expect<pingreq>();
  EXPECT_EQ(b.elapsed(t0), seconds(20));
}

// ---- long timelines -----------------------------------------------------------------------

TEST(SessionKeepalive, ten_hours_at_60_seconds_is_exactly_600_pings) {
  scripted_broker b(keepalive_options(60));
  b.answer_pings = true;  // PINGRESP at once; PINGREQs are counted, not queued
  b.connect_ok();
  const session_stats before = b.stats();
  b.advance(hours(10));
  const session_stats after = b.stats();
  EXPECT_EQ(after.packets_sent - before.packets_sent, 600u);
  EXPECT_EQ(after.packets_received - before.packets_received, 600u);
  ASSERT_TRUE(after.last_ping_rtt.has_value());
  EXPECT_EQ(*after.last_ping_rtt, milliseconds(0));
  EXPECT_EQ(after.connections, 1u);
  EXPECT_EQ(b.state(), session_state::connected);
  b.no_more_packets();
  b.no_more_events();
  EXPECT_EQ(b.closes_requested(), 0u);
}

TEST(SessionKeepalive, hour_of_pings_with_a_slow_broker_keeps_a_60_second_rhythm) {
  // Every PINGRESP takes 1.5 s: each PINGREQ is still 60 s after the previous one (it was the
  // last packet sent), and every round trip is recorded.
  scripted_broker b(keepalive_options(60));
  b.connect_ok();
  time_point last = b.now();
  for (int i = 0; i < 60; ++i) {
    SCOPED_TRACE("ping " + std::to_string(i + 1));
    b.advance(seconds(60) - (b.now() - last));
    b.expect<pingreq>();
    EXPECT_EQ(b.elapsed(last), seconds(60));
    last = b.now();
    b.advance(milliseconds(1500));
    b.reply(pingresp{});
    EXPECT_EQ(*b.stats().last_ping_rtt, milliseconds(1500));
    b.no_more_packets();
    if (HasFailure()) break;
  }
  b.no_more_events();
  EXPECT_EQ(b.state(), session_state::connected);
}

// ---- handle_timeout() calls that do not match a deadline --------------------------------------

TEST(SessionKeepalive, early_handle_timeout_does_nothing) {
  scripted_broker b(keepalive_options(10));
  b.connect_ok();
  const time_point t0 = b.now();
  for (int ms : {0, 1, 5000, 9999}) {
    b.session().handle_timeout(t0 + milliseconds(ms));
    b.pump();
  }
  b.no_more_packets();
  b.no_more_events();
  EXPECT_TRUE(b.actions().empty());
  ASSERT_TRUE(b.session().next_timeout().has_value());
  EXPECT_EQ(*b.session().next_timeout(), t0 + seconds(10));
  b.advance(seconds(10));
  b.expect<pingreq>();
  b.no_more_packets();
}

TEST(SessionKeepalive, repeated_handle_timeout_at_the_deadline_sends_one_pingreq) {
  scripted_broker b(keepalive_options(10));
  b.connect_ok();
  b.advance(seconds(10));
  b.expect<pingreq>();
  for (int i = 0; i < 5; ++i) {
    b.session().handle_timeout(b.now());
    b.pump();
  }
  b.no_more_packets();
  b.no_more_events();
  EXPECT_TRUE(b.actions().empty());
  // The deadline now is the PINGRESP wait.
  ASSERT_TRUE(b.session().next_timeout().has_value());
  EXPECT_EQ(*b.session().next_timeout(), b.now() + seconds(4));
}

TEST(SessionKeepalive, late_handle_timeout_sends_one_pingreq_and_waits_from_then) {
  scripted_broker b(keepalive_options(10));
  b.connect_ok();
  const time_point t0 = b.now();
  // The driver's timer fires 3 s late (a busy event loop): one PINGREQ, not several.
  const time_point late = t0 + seconds(13);
  b.session().handle_timeout(late);
  b.pump();
  b.expect<pingreq>();
  b.no_more_packets();
  // The PINGRESP wait counts from when the PINGREQ was actually sent.
  ASSERT_TRUE(b.session().next_timeout().has_value());
  EXPECT_EQ(*b.session().next_timeout(), late + seconds(4));
  b.advance(seconds(13));  // the harness clock catches up with the session's
  EXPECT_EQ(b.now(), late);
  b.advance(seconds(3));
  b.reply(pingresp{});
  EXPECT_EQ(*b.stats().last_ping_rtt, seconds(3));
  b.advance(seconds(1));  // past the (cancelled) PINGRESP deadline
  b.no_more_events();
  EXPECT_TRUE(b.actions().empty());
  EXPECT_EQ(b.state(), session_state::connected);
}

TEST(SessionKeepalive, handle_timeout_is_harmless_in_every_state) {
  scripted_broker b(keepalive_options(10));
  // Idle: nothing to do.
  b.session().handle_timeout(b.now());
  b.pump();
  EXPECT_EQ(b.state(), session_state::idle);
  EXPECT_TRUE(b.actions().empty());
  b.no_more_events();

  // Connecting, before the transport opens and before the connect timeout.
  b.connect();
  b.clear_actions();
  b.session().handle_timeout(b.now());
  b.pump();
  EXPECT_EQ(b.state(), session_state::connecting);
  EXPECT_TRUE(b.actions().empty());
  b.open();
  b.expect<connect>();
  b.session().handle_timeout(b.now() + seconds(1));
  b.pump();
  EXPECT_EQ(b.state(), session_state::awaiting_connack);
  b.no_more_packets();
  b.connack();
  b.next_event<connected_event>();

  // Closed: nothing at all.
  ASSERT_TRUE(ok(b.disconnect()));
  b.expect<disconnect>();
  b.clear_actions();
  b.clear_events();
  EXPECT_EQ(b.state(), session_state::closed);
  EXPECT_FALSE(b.session().next_timeout().has_value());
  for (int i = 0; i < 3; ++i) {
    b.session().handle_timeout(b.now() + hours(i));
    b.pump();
  }
  b.no_more_packets();
  b.no_more_events();
  EXPECT_TRUE(b.actions().empty());
  EXPECT_EQ(b.state(), session_state::closed);
}

// ---- ping(): a probe on demand -------------------------------------------------------------

TEST(SessionKeepalive, ping_sends_pingreq_at_once_and_the_ping_timeout_runs_from_it) {
  scripted_broker b(keepalive_options(60));
  b.connect_ok();
  b.advance(seconds(7));
  ASSERT_TRUE(ok(b.ping()));
  b.expect<pingreq>();
  b.no_more_packets();
  b.advance(milliseconds(3999));  // ping_timeout 4 s
  EXPECT_TRUE(b.actions().empty());
  b.advance(milliseconds(1));
  b.expect_close();
  EXPECT_TRUE(is_error(b.next_event<disconnected_event>().ec, errc::keep_alive_timeout));
}

TEST(SessionKeepalive, ping_answered_records_the_round_trip) {
  scripted_broker b(keepalive_options(60));
  b.connect_ok();
  ASSERT_TRUE(ok(b.ping()));
  b.expect<pingreq>();
  b.advance(milliseconds(35));
  b.send(pingresp{});
  ASSERT_TRUE(b.stats().last_ping_rtt.has_value());
  EXPECT_EQ(*b.stats().last_ping_rtt, milliseconds(35));
  EXPECT_EQ(b.state(), session_state::connected);
}

TEST(SessionKeepalive, ping_while_a_pingreq_is_unanswered_sends_nothing_more) {
  scripted_broker b(keepalive_options(60));
  b.connect_ok();
  ASSERT_TRUE(ok(b.ping()));
  b.expect<pingreq>();
  b.advance(seconds(2));
  ASSERT_TRUE(ok(b.ping()));
  b.no_more_packets();
  b.advance(seconds(2));  // 4 s after the first: its timeout, not a new one
  b.expect_close();
}

TEST(SessionKeepalive, ping_when_not_connected_is_invalid_state) {
  scripted_broker b(keepalive_options(60));
  EXPECT_TRUE(is_error(b.ping(), errc::invalid_state));
  b.connect();
  EXPECT_TRUE(is_error(b.ping(), errc::invalid_state)) << "no transport yet";
  b.open();
  b.expect<mqttws::connect>();
  EXPECT_TRUE(is_error(b.ping(), errc::invalid_state)) << "no PINGREQ before CONNACK";
  b.no_more_packets();
}

}  // namespace
}  // namespace mqttws::test
