// Session: disconnect_after_drain(). The session ends once the outgoing QoS 1/2 publishes in
// flight or queued have completed, or at the drain timeout, with exactly what disconnect()
// does; meanwhile it refuses commands, and a plain disconnect() forces the end.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "session_harness.hpp"
#include "test_util.hpp"

namespace mqttws::test {
namespace {

using std::chrono::seconds;

constexpr duration drain_timeout = seconds(30);

std::error_code drain(scripted_broker& b, duration timeout = drain_timeout,
                      reason_code code = reason_code::normal_disconnection,
                      const properties& props = {}) {
  std::error_code ec = b.session().disconnect_after_drain(b.now(), timeout, code, props);
  b.pump();
  return ec;
}

properties receive_maximum(std::uint16_t n) {
  properties p;
  p.receive_maximum = n;
  return p;
}

/// The DISCONNECT is the next packet, a close follows it and the session ends with one
/// disconnected_event (ec clear) once the transport reports the close (the harness does).
void expect_disconnect_sent(scripted_broker& b, const char* hex_bytes = "e000",
                            here loc = {}) {
  sent<disconnect> d = b.expect<disconnect>(loc);
  EXPECT_EQ(to_hex(d.bytes()), hex_bytes) << "at " << loc.file << ":" << loc.line;
  b.no_more_packets(loc);
  b.expect_close(loc);
  disconnected_event e = b.next_event<disconnected_event>(loc);
  EXPECT_FALSE(e.ec) << "at " << loc.file << ":" << loc.line;
  EXPECT_FALSE(e.will_reconnect) << "at " << loc.file << ":" << loc.line;
  EXPECT_EQ(b.state(), session_state::closed) << "at " << loc.file << ":" << loc.line;
}

TEST(SessionDrain, qos1_in_flight_disconnect_comes_only_after_the_puback) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id op = expect_id(b.publish("t", "1", qos::at_least_once));
  sent<publish> p = b.expect<publish>();

  ASSERT_TRUE(ok(drain(b, drain_timeout, reason_code::disconnect_with_will_message)));
  b.no_more_packets();
  b.no_more_events();
  EXPECT_TRUE(b.actions().empty());
  EXPECT_EQ(b.state(), session_state::connected);

  b.puback(p->packet_id);
  operation_event done = b.next_event<operation_event>();
  EXPECT_EQ(done.id, op);
  EXPECT_FALSE(done.ec);
  expect_disconnect_sent(b, "e00104");  // the reason code given to the drain
  b.no_more_events();
}

TEST(SessionDrain, qos2_waits_for_pubcomp_not_pubrec) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id op = expect_id(b.publish("t", "2", qos::exactly_once));
  sent<publish> p = b.expect<publish>();
  ASSERT_TRUE(ok(drain(b)));

  b.pubrec(p->packet_id);
  EXPECT_EQ(b.expect<pubrel>()->packet_id, p->packet_id);
  b.no_more_packets();
  b.no_more_events();
  EXPECT_EQ(b.state(), session_state::connected);

  b.pubcomp(p->packet_id);
  operation_event done = b.next_event<operation_event>();
  EXPECT_EQ(done.id, op);
  EXPECT_FALSE(done.ec);
  expect_disconnect_sent(b);
}

TEST(SessionDrain, messages_queued_behind_receive_maximum_are_sent_and_waited_for) {
  scripted_broker b(test_options());
  b.connect_ok(false, receive_maximum(1));
  const operation_id first = expect_id(b.publish("t", "a", qos::at_least_once));
  const operation_id second = expect_id(b.publish("t", "b", qos::at_least_once));
  sent<publish> a = b.expect<publish>();
  b.no_more_packets();
  ASSERT_EQ(b.stats().queued, 1u);

  ASSERT_TRUE(ok(drain(b)));
  b.puback(a->packet_id);
  EXPECT_EQ(b.next_event<operation_event>().id, first);
  sent<publish> s = b.expect<publish>();  // the queued one goes out, and is waited for
  EXPECT_EQ(s->payload, "b");
  b.no_more_packets();
  b.no_more_events();

  b.puback(s->packet_id);
  EXPECT_EQ(b.next_event<operation_event>().id, second);
  expect_disconnect_sent(b);
}

TEST(SessionDrain, timeout_sends_disconnect_and_the_pending_publish_fails_with_session_closed) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id op = expect_id(b.publish("t", "1", qos::at_least_once));
  b.expect<publish>();
  ASSERT_TRUE(ok(drain(b, seconds(5))));

  b.advance(seconds(5) - duration(1));
  b.no_more_packets();
  b.no_more_events();
  b.advance(duration(1));
  operation_event failed = b.next_event<operation_event>();
  EXPECT_EQ(failed.id, op);
  EXPECT_TRUE(is_error(failed.ec, errc::session_closed));
  expect_disconnect_sent(b);
}

TEST(SessionDrain, next_timeout_reports_the_drain_deadline) {
  session_options o = test_options();
  o.keep_alive = 0;  // no keepalive deadline: the drain's is the only one
  scripted_broker b(o);
  b.connect_ok();
  expect_id(b.publish("t", "1", qos::at_least_once));
  b.expect<publish>();
  EXPECT_FALSE(b.session().next_timeout());

  const time_point start = b.now();
  ASSERT_TRUE(ok(drain(b, seconds(7))));
  EXPECT_EQ(b.session().next_timeout(), start + seconds(7));
}

TEST(SessionDrain, nothing_in_flight_disconnects_at_once) {
  scripted_broker b(test_options());
  b.connect_ok();
  expect_id(b.publish("t", "0", qos::at_most_once));  // QoS 0 on the wire counts as nothing
  EXPECT_EQ(b.next_event<operation_event>().ec, std::error_code());
  b.expect<publish>();

  ASSERT_TRUE(ok(drain(b)));
  expect_disconnect_sent(b);
  b.no_more_events();
}

TEST(SessionDrain, offline_disconnects_at_once) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id op = expect_id(b.publish("t", "1", qos::at_least_once));
  b.expect<publish>();
  b.lose_connection();
  ASSERT_EQ(b.state(), session_state::waiting_to_reconnect);

  ASSERT_TRUE(ok(drain(b)));
  operation_event failed = b.next_event<operation_event>();
  EXPECT_EQ(failed.id, op);
  EXPECT_TRUE(is_error(failed.ec, errc::session_closed));
  disconnected_event e = b.next_event<disconnected_event>();
  EXPECT_FALSE(e.ec);
  EXPECT_EQ(b.state(), session_state::closed);
  EXPECT_FALSE(b.session().next_timeout());
  b.no_more_packets();
  b.no_more_events();
}

TEST(SessionDrain, commands_during_the_drain_are_refused_and_change_nothing) {
  scripted_broker b(test_options());
  b.connect_ok();
  expect_id(b.publish("t", "1", qos::at_least_once));
  b.expect<publish>();
  ASSERT_TRUE(ok(drain(b)));
  const session_stats before = b.stats();

  EXPECT_TRUE(fails_with(b.publish("t", "2"), errc::invalid_state));
  EXPECT_TRUE(fails_with(b.publish("t", "3", qos::exactly_once), errc::invalid_state));
  EXPECT_TRUE(fails_with(b.subscribe("a/#"), errc::invalid_state));
  EXPECT_TRUE(fails_with(b.unsubscribe({"a/#"}), errc::invalid_state));
  publish q;
  q.topic = "svc";
  EXPECT_TRUE(fails_with(b.request(q, seconds(1)), errc::invalid_state));
  EXPECT_TRUE(is_error(b.reconnect(), errc::invalid_state));

  b.no_more_packets();
  b.no_more_events();
  EXPECT_TRUE(b.actions().empty());
  EXPECT_EQ(b.state(), session_state::connected);
  EXPECT_EQ(b.stats().inflight_outgoing, before.inflight_outgoing);
  EXPECT_EQ(b.stats().queued, 0u);
  EXPECT_EQ(b.stats().packets_sent, before.packets_sent);
}

TEST(SessionDrain, a_second_drain_is_invalid_state) {
  scripted_broker b(test_options());
  b.connect_ok();
  expect_id(b.publish("t", "1", qos::at_least_once));
  sent<publish> p = b.expect<publish>();
  ASSERT_TRUE(ok(drain(b, seconds(30))));

  EXPECT_TRUE(is_error(drain(b, seconds(1)), errc::invalid_state));
  EXPECT_EQ(b.session().next_timeout(), b.now() + seconds(30))
      << "the refused call kept the first drain's deadline";
  b.no_more_packets();
  b.puback(p->packet_id);
  b.next_event<operation_event>();
  expect_disconnect_sent(b);
}

TEST(SessionDrain, refused_like_disconnect_and_then_nothing_changed) {
  scripted_broker b(test_options());  // no Session Expiry Interval in the CONNECT
  b.connect_ok();
  properties revive;
  revive.session_expiry_interval = 60;  // 3.14.2.2.2: a session ending now cannot be revived
  EXPECT_TRUE(is_error(drain(b, drain_timeout, reason_code::normal_disconnection, revive),
                       errc::invalid_property_value));
  EXPECT_TRUE(is_error(drain(b, drain_timeout, reason_code::server_unavailable),  // CONNACK only
                       errc::invalid_reason_code));
  // Not draining: commands are taken, and a drain may still be started.
  expect_id(b.publish("t", "1", qos::at_least_once));
  sent<publish> p = b.expect<publish>();
  ASSERT_TRUE(ok(drain(b)));
  b.puback(p->packet_id);
  b.next_event<operation_event>();
  expect_disconnect_sent(b);
}

TEST(SessionDrain, plain_disconnect_during_the_drain_forces_it) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id op = expect_id(b.publish("t", "1", qos::at_least_once));
  b.expect<publish>();
  ASSERT_TRUE(ok(drain(b)));

  ASSERT_TRUE(ok(b.disconnect(reason_code::disconnect_with_will_message)));
  operation_event failed = b.next_event<operation_event>();
  EXPECT_EQ(failed.id, op);
  EXPECT_TRUE(is_error(failed.ec, errc::session_closed));
  expect_disconnect_sent(b, "e00104");  // the forcing call's reason code, not the drain's
  EXPECT_FALSE(b.session().next_timeout());
  b.no_more_events();
}

TEST(SessionDrain, connection_lost_during_the_drain_ends_the_session_without_reconnecting) {
  session_options o = persistent_test_options();
  memory_store store;
  scripted_broker b(o, &store);
  b.connect_ok();
  const operation_id op = expect_id(b.publish("t", "1", qos::at_least_once));
  b.expect<publish>();
  ASSERT_TRUE(ok(drain(b)));

  b.drop(std::make_error_code(std::errc::connection_reset));
  disconnected_event e = b.next_event<disconnected_event>();
  EXPECT_EQ(e.ec, std::make_error_code(std::errc::connection_reset));
  EXPECT_FALSE(e.will_reconnect);
  operation_event failed = b.next_event<operation_event>();
  EXPECT_EQ(failed.id, op);
  EXPECT_TRUE(is_error(failed.ec, errc::session_closed));
  b.no_more_events();  // no reconnecting_event
  EXPECT_EQ(b.state(), session_state::closed);
  EXPECT_FALSE(b.session().next_timeout());
  EXPECT_TRUE(b.actions().empty());
  b.no_more_packets();

  // The persistent store keeps the message for the session that resumes it.
  std::vector<stored_publish> kept;
  std::vector<std::uint16_t> incoming;
  ASSERT_TRUE(ok(store.load(kept, incoming)));
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].state, stored_publish::stage::awaiting_ack);
}

}  // namespace
}  // namespace mqttws::test
