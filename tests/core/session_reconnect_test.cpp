// Session: reconnection. The backoff sequence (it must be exactly mqttws::backoff's, reset by a
// successful CONNACK), reconnecting_event fields, the endpoint list (a whole round before any
// delay), MQTT 5 redirects (CONNACK and DISCONNECT with Server Reference), the offline queue
// and Message Expiry Interval across a reconnection, reconnect=false, and disconnect().
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "session_harness.hpp"

namespace mqttws::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

/// Options whose backoff has jitter, so equal sequences mean the same random draws.
session_options jittered_options() {
  session_options o = test_options();
  o.keep_alive = 0;  // keep the timeline to reconnection deadlines only
  o.backoff.initial_delay = milliseconds(500);
  o.backoff.max_delay = seconds(20);
  o.backoff.multiplier = 2.0;
  o.backoff.jitter = 0.5;
  o.backoff.seed = 42;
  return o;
}

/// `ec` is exactly the portable error `want` (transport errors the test injects).
::testing::AssertionResult is_std_error(std::error_code ec, std::errc want) {
  if (ec == std::make_error_code(want)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got \"" << describe_ec(ec) << "\", want \""
                                       << std::make_error_code(want).message() << "\"";
}

/// After a reconnecting_event promising `delay`: nothing opens before it, the open comes at
/// exactly `delay`. Returns the endpoint of that open.
std::string expect_open_after(scripted_broker& b, duration delay, here loc = {}) {
  if (delay > duration::zero()) {
    b.advance(delay - milliseconds(1), loc);
    if (b.open_pending()) {
      MQTTWS_HARNESS_FAIL(loc) << "opened " << (delay.count() - 1) << "ms or earlier, "
                               << "the reconnecting_event said " << delay.count() << "ms";
    }
    b.advance(milliseconds(1), loc);
  } else {
    b.advance(milliseconds(0), loc);
  }
  if (!b.open_pending()) {
    MQTTWS_HARNESS_FAIL(loc) << "no open " << delay.count() << "ms after the reconnecting_event";
    return {};
  }
  return b.pending_endpoint();
}

// ---- backoff ---------------------------------------------------------------------------------

TEST(SessionReconnect, failed_attempts_wait_exactly_the_backoff_sequence) {
  const session_options o = jittered_options();
  backoff expected(o.backoff);
  scripted_broker b(o);
  b.connect();
  for (std::uint32_t attempt = 1; attempt <= 10; ++attempt) {
    SCOPED_TRACE("attempt " + std::to_string(attempt));
    ASSERT_TRUE(b.open_pending());
    b.refuse();
    disconnected_event d = b.next_event<disconnected_event>();
    EXPECT_TRUE(is_std_error(d.ec, std::errc::connection_refused));
    EXPECT_TRUE(d.will_reconnect);
    reconnecting_event r = b.next_event<reconnecting_event>();
    const duration want = expected.next();
    EXPECT_EQ(r.delay, want);
    EXPECT_EQ(r.attempt, attempt);
    EXPECT_EQ(r.endpoint, "ws://broker");
    EXPECT_EQ(b.stats().reconnect_attempts, attempt);
    EXPECT_EQ(b.state(), session_state::waiting_to_reconnect);
    EXPECT_EQ(expect_open_after(b, want), "ws://broker");
    b.no_more_events();
    if (HasFailure()) return;
  }
  // The cap: 500 ms * 2^9 > 20 s.
  EXPECT_LE(expected.next(), seconds(20));
}

TEST(SessionReconnect, successful_connack_resets_the_backoff) {
  const session_options o = jittered_options();
  backoff expected(o.backoff);
  scripted_broker b(o);
  b.connect();
  for (int i = 0; i < 4; ++i) {
    b.refuse();
    b.next_event<disconnected_event>();
    EXPECT_EQ(b.next_event<reconnecting_event>().delay, expected.next());
    b.advance_to_next_timeout();
  }
  ASSERT_TRUE(b.open_pending());
  b.connect_ok();
  EXPECT_EQ(b.stats().reconnect_attempts, 0u) << "counted since the last successful connection";

  // Lost after a success: the delays start again from the initial delay (the random sequence
  // goes on: backoff::reset() keeps it).
  expected.reset();
  reconnecting_event r = b.lose_connection();
  EXPECT_EQ(r.attempt, 1u);
  EXPECT_EQ(r.delay, expected.next());
  EXPECT_EQ(r.endpoint, "ws://broker") << "the endpoint that worked is tried again";
  EXPECT_EQ(expect_open_after(b, r.delay), "ws://broker");
  b.refuse();
  b.next_event<disconnected_event>();
  r = b.next_event<reconnecting_event>();
  EXPECT_EQ(r.attempt, 2u);
  EXPECT_EQ(r.delay, expected.next());
}

TEST(SessionReconnect, connect_timeouts_count_as_failed_attempts) {
  session_options o = jittered_options();
  o.connect_timeout = seconds(3);
  backoff expected(o.backoff);
  scripted_broker b(o);
  b.connect();
  for (std::uint32_t attempt = 1; attempt <= 3; ++attempt) {
    SCOPED_TRACE("attempt " + std::to_string(attempt));
    b.open();
    b.expect<connect>();
    b.advance(seconds(3));
    disconnected_event d = b.next_event<disconnected_event>();
    EXPECT_TRUE(is_error(d.ec, errc::connect_timeout));
    reconnecting_event r = b.next_event<reconnecting_event>();
    EXPECT_EQ(r.attempt, attempt);
    EXPECT_EQ(r.delay, expected.next());
    expect_open_after(b, r.delay);
  }
}

// ---- endpoints ----------------------------------------------------------------------------

TEST(SessionReconnect, endpoints_are_tried_in_turn_and_only_a_failed_round_waits) {
  session_options o = jittered_options();
  o.endpoints = {"ws://a", "ws://b", "ws://c"};
  backoff expected(o.backoff);
  scripted_broker b(o);
  b.connect();
  std::uint32_t attempt = 0;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round + 1));
    for (const char* endpoint : {"ws://a", "ws://b", "ws://c"}) {
      SCOPED_TRACE(endpoint);
      ASSERT_TRUE(b.open_pending());
      EXPECT_EQ(b.pending_endpoint(), endpoint);
      b.refuse();
      b.next_event<disconnected_event>();
      reconnecting_event r = b.next_event<reconnecting_event>();
      EXPECT_EQ(r.attempt, ++attempt);
      const bool round_over = std::string(endpoint) == "ws://c";
      EXPECT_EQ(r.delay, round_over ? expected.next() : duration::zero());
      const char* next = round_over ? "ws://a" : std::string(endpoint) == "ws://a" ? "ws://b"
                                                                                 : "ws://c";
      EXPECT_EQ(r.endpoint, next);
      EXPECT_EQ(expect_open_after(b, r.delay), next);
      if (HasFailure()) return;
    }
  }
}

TEST(SessionReconnect, endpoint_list_after_a_success_on_the_second_endpoint) {
  session_options o = jittered_options();
  o.endpoints = {"ws://a", "ws://b"};
  backoff expected(o.backoff);
  scripted_broker b(o);
  b.connect();
  EXPECT_EQ(b.pending_endpoint(), "ws://a");
  b.refuse();
  b.clear_events();
  b.advance(milliseconds(0));
  EXPECT_EQ(b.pending_endpoint(), "ws://b");
  b.connect_ok();
  // Lost: the endpoint that worked first, after the first backoff delay.
  reconnecting_event r = b.lose_connection();
  EXPECT_EQ(r.endpoint, "ws://b");
  EXPECT_EQ(r.delay, expected.next());
  EXPECT_EQ(expect_open_after(b, r.delay), "ws://b");
}

TEST(SessionReconnect, transport_loss_during_connack_wait_moves_to_the_next_endpoint) {
  session_options o = jittered_options();
  o.endpoints = {"ws://a", "ws://b"};
  scripted_broker b(o);
  b.connect();
  b.open();
  b.expect<connect>();
  b.drop();
  disconnected_event d = b.next_event<disconnected_event>();
  EXPECT_TRUE(is_std_error(d.ec, std::errc::connection_reset));
  reconnecting_event r = b.next_event<reconnecting_event>();
  EXPECT_EQ(r.endpoint, "ws://b");
  EXPECT_EQ(r.delay, duration::zero());
}

// ---- redirects (MQTT 5) -------------------------------------------------------------------

TEST(SessionReconnect, connack_use_another_server_or_server_moved_redirects_the_next_open) {
  for (reason_code code : {reason_code::use_another_server, reason_code::server_moved}) {
    SCOPED_TRACE(describe_code(code, packet_type::connack));
    session_options o = jittered_options();
    o.endpoints = {"ws://a", "ws://b"};
    scripted_broker b(o);
    b.connect();
    b.open();
    b.expect<connect>();
    b.clear_actions();
    properties p;
    p.server_reference = "ws://elsewhere:8080/mqtt";
    p.reason_string = "moving";
    b.connack(false, p, code);

    b.expect_close();
    disconnected_event d = b.next_event<disconnected_event>();
    EXPECT_TRUE(is_error(d.ec, errc::connection_refused));
    EXPECT_EQ(d.reason, std::optional<reason_code>(code));
    EXPECT_EQ(d.reason_string, "moving");
    EXPECT_EQ(d.server_reference, "ws://elsewhere:8080/mqtt");
    EXPECT_TRUE(d.will_reconnect);
    reconnecting_event r = b.next_event<reconnecting_event>();
    EXPECT_EQ(r.endpoint, "ws://elsewhere:8080/mqtt");
    EXPECT_EQ(expect_open_after(b, r.delay), "ws://elsewhere:8080/mqtt");
    EXPECT_EQ(b.expect_open_action(), "ws://elsewhere:8080/mqtt");

    // The new server works.
    b.open();
    b.expect<connect>();
    b.connack();
    b.next_event<connected_event>();
    b.no_more_events();
  }
}

TEST(SessionReconnect, a_failed_redirect_target_falls_back_to_the_configured_endpoints) {
  session_options o = jittered_options();
  scripted_broker b(o);
  b.connect();
  b.open();
  b.expect<connect>();
  properties p;
  p.server_reference = "ws://other";
  b.connack(false, p, reason_code::use_another_server);
  b.clear_events();
  b.advance_to_next_timeout();
  ASSERT_EQ(b.pending_endpoint(), "ws://other");
  b.refuse();
  b.next_event<disconnected_event>();
  reconnecting_event r = b.next_event<reconnecting_event>();
  EXPECT_EQ(r.endpoint, "ws://broker") << "a redirect is tried once, not forever";
  EXPECT_EQ(expect_open_after(b, r.delay), "ws://broker");
}

TEST(SessionReconnect, connack_redirect_code_without_server_reference_retries_the_list) {
  session_options o = jittered_options();
  o.endpoints = {"ws://a", "ws://b"};
  scripted_broker b(o);
  b.connect();
  b.open();
  b.expect<connect>();
  b.connack(false, {}, reason_code::server_moved);
  disconnected_event d = b.next_event<disconnected_event>();
  EXPECT_TRUE(d.server_reference.empty());
  EXPECT_TRUE(d.will_reconnect);
  reconnecting_event r = b.next_event<reconnecting_event>();
  EXPECT_EQ(r.endpoint, "ws://b");
}

TEST(SessionReconnect, disconnect_with_server_reference_redirects_the_next_open) {
  for (reason_code code : {reason_code::use_another_server, reason_code::server_moved}) {
    SCOPED_TRACE(describe_code(code, packet_type::disconnect));
    session_options o = persistent_test_options();
    o.keep_alive = 0;
    scripted_broker b(o);
    b.connect_ok();
    b.clear_actions();
    mqttws::disconnect dis;
    dis.code = code;
    dis.props.server_reference = "wss://new-home";
    dis.props.reason_string = "maintenance";
    b.send(dis);

    b.expect_close();
    b.no_more_packets();  // the client does not answer a DISCONNECT (MQTT-3.14.4)
    disconnected_event d = b.next_event<disconnected_event>();
    EXPECT_TRUE(is_error(d.ec, errc::server_disconnected));
    EXPECT_EQ(d.reason, std::optional<reason_code>(code));
    EXPECT_EQ(d.reason_string, "maintenance");
    EXPECT_EQ(d.server_reference, "wss://new-home");
    EXPECT_TRUE(d.will_reconnect);
    reconnecting_event r = b.next_event<reconnecting_event>();
    EXPECT_EQ(r.attempt, 1u);
    EXPECT_EQ(r.endpoint, "wss://new-home");
    EXPECT_EQ(expect_open_after(b, r.delay), "wss://new-home");
    // The persistent session moves along: the new server is asked to resume it.
    b.open();
    EXPECT_FALSE(b.expect<connect>()->clean_start);
  }
}

// ---- offline queue and message expiry -------------------------------------------------------

TEST(SessionReconnect, offline_queue_drains_in_publication_order_after_reconnect) {
  for (protocol_version v : {protocol_version::v311, protocol_version::v5}) {
    SCOPED_TRACE(version_name(v));
    session_options o = persistent_test_options(v);
    o.keep_alive = 0;
    scripted_broker b(o);
    b.connect_ok();
    // One message in flight when the connection goes.
    const operation_id first = expect_id(b.publish("q/0", "0", qos::at_least_once));
    const std::uint16_t first_id = b.expect<publish>()->packet_id;
    b.lose_connection();

    std::vector<operation_id> ops;
    const qos levels[] = {qos::at_most_once, qos::exactly_once, qos::at_least_once,
                          qos::at_most_once, qos::at_least_once};
    for (int i = 0; i < 5; ++i) {
      ops.push_back(expect_id(b.publish("q/" + std::to_string(i + 1), std::to_string(i + 1),
                                        levels[i])));
    }
    b.no_more_packets();
    EXPECT_EQ(b.stats().queued, 5u);
    b.no_more_events();  // nothing completes while offline (QoS 0 included)

    b.connect_ok(true);
    // The resend first (MQTT-4.4.0-1), then the queue in publication order.
    sent<publish> resent = b.expect<publish>();
    EXPECT_EQ(resent->payload, "0");
    EXPECT_TRUE(resent->dup);
    EXPECT_EQ(resent->packet_id, first_id);
    std::vector<std::uint16_t> ids;
    for (int i = 0; i < 5; ++i) {
      sent<publish> p = b.expect<publish>();
      EXPECT_EQ(p->payload, std::to_string(i + 1));
      EXPECT_EQ(p->qos, levels[i]);
      EXPECT_FALSE(p->dup);
      if (p->qos != qos::at_most_once) ids.push_back(p->packet_id);
    }
    b.no_more_packets();
    EXPECT_EQ(b.stats().queued, 0u);
    // QoS 0 ones are done once written.
    std::vector<operation_id> done;
    for (const operation_event& e : b.take_events<operation_event>()) {
      EXPECT_TRUE(ok(e.ec));
      done.push_back(e.id);
    }
    EXPECT_EQ(sorted(done), sorted({ops[0], ops[3]}));

    b.puback(first_id);
    EXPECT_EQ(b.next_event<operation_event>().id, first);
    ASSERT_EQ(ids.size(), 3u);
    b.pubrec(ids[0]);
    b.expect<pubrel>();
    b.pubcomp(ids[0]);
    b.puback(ids[1]);
    b.puback(ids[2]);
    std::vector<operation_id> rest;
    for (const operation_event& e : b.take_events<operation_event>()) rest.push_back(e.id);
    EXPECT_EQ(rest, (std::vector<operation_id>{ops[1], ops[2], ops[4]}));
    EXPECT_EQ(b.stats().inflight_outgoing, 0u);
  }
}

TEST(SessionReconnect, messages_published_before_the_first_connect_are_sent_after_connack) {
  session_options o = test_options();
  o.keep_alive = 0;
  scripted_broker b(o);
  expect_id(b.publish("early/1", "a", qos::at_least_once));
  expect_id(b.publish("early/2", "b", qos::at_most_once));
  b.connect();
  b.open();
  b.expect<connect>();
  b.no_more_packets();  // not before CONNACK
  b.connack();
  b.next_event<connected_event>();
  EXPECT_EQ(b.expect<publish>()->payload, "a");
  EXPECT_EQ(b.expect<publish>()->payload, "b");
  b.no_more_packets();
}

TEST(SessionReconnect, queued_message_whose_expiry_passes_offline_is_not_sent) {
  session_options o = persistent_test_options();
  o.keep_alive = 0;
  o.backoff.initial_delay = seconds(10);
  o.backoff.max_delay = seconds(10);
  scripted_broker b(o);
  b.connect_ok();
  b.lose_connection();  // reconnection in 10 s

  publish short_lived;
  short_lived.topic = "expiring";
  short_lived.payload = "soon stale";
  short_lived.qos = qos::at_least_once;
  short_lived.props.message_expiry_interval = 5;
  const operation_id stale = expect_id(b.publish(short_lived));

  publish long_lived = short_lived;
  long_lived.payload = "still fresh";
  long_lived.props.message_expiry_interval = 60;
  const operation_id fresh = expect_id(b.publish(long_lived));

  publish no_expiry = short_lived;
  no_expiry.payload = "forever";
  no_expiry.props.message_expiry_interval.reset();
  expect_id(b.publish(no_expiry));

  const time_point published = b.now();
  b.advance(seconds(10));  // the backoff delay
  ASSERT_TRUE(b.open_pending());
  b.open();
  b.expect<connect>();
  b.connack(true);
  EXPECT_EQ(b.take_events<connected_event>().size(), 1u);
  EXPECT_EQ(b.elapsed(published), seconds(10));

  // The stale one was never sent and completed with message_expired (when exactly, at the
  // expiry or at the reconnection, the header leaves open).
  bool stale_done = false;
  for (const operation_event& e : b.take_events<operation_event>()) {
    if (e.id == stale) {
      stale_done = true;
      EXPECT_TRUE(is_error(e.ec, errc::message_expired));
    } else {
      ADD_FAILURE() << "operation " << e.id << " completed before being acknowledged";
    }
  }
  EXPECT_TRUE(stale_done);

  sent<publish> p = b.expect<publish>();
  EXPECT_EQ(p->payload, "still fresh");
  // The header does not say whether the interval sent is the original or what is left: the
  // spec only asks the broker to subtract the time a message waited (3.3.2.3.3). Either is
  // acceptable; it must be there and not longer than the original.
  ASSERT_TRUE(p->props.message_expiry_interval.has_value());
  EXPECT_GE(*p->props.message_expiry_interval, 50u);
  EXPECT_LE(*p->props.message_expiry_interval, 60u);
  EXPECT_EQ(b.expect<publish>()->payload, "forever");
  b.no_more_packets();
  b.puback(p->packet_id);
  EXPECT_EQ(b.next_event<operation_event>().id, fresh);
}

TEST(SessionReconnect, expired_queued_qos0_message_completes_with_message_expired) {
  session_options o = test_options();
  o.keep_alive = 0;
  scripted_broker b(o);
  b.connect();  // the transport takes its time to open
  publish m;
  m.topic = "t";
  m.payload = "x";
  m.props.message_expiry_interval = 2;
  const operation_id id = expect_id(b.publish(m));
  b.advance(seconds(3));
  b.open();
  b.expect<connect>();
  b.connack();
  EXPECT_EQ(b.take_events<connected_event>().size(), 1u);
  b.no_more_packets();
  const std::vector<operation_event> done = b.take_events<operation_event>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].id, id);
  EXPECT_TRUE(is_error(done[0].ec, errc::message_expired));
  b.no_more_events();
}

// ---- reconnect = false ----------------------------------------------------------------------

TEST(SessionReconnect, without_reconnect_a_loss_closes_the_session) {
  for (protocol_version v : {protocol_version::v311, protocol_version::v5}) {
    SCOPED_TRACE(version_name(v));
    session_options o = test_options(v);
    o.reconnect = false;
    o.keep_alive = 0;
    scripted_broker b(o);
    b.connect_ok();
    const operation_id pub = expect_id(b.publish("a", "1", qos::at_least_once));
    b.expect<publish>();
    const operation_id sub = expect_id(b.subscribe("s/#", qos::at_least_once));
    b.expect<subscribe>();
    b.clear_actions();

    b.drop();
    disconnected_event d = b.next_event<disconnected_event>();
    EXPECT_TRUE(is_std_error(d.ec, std::errc::connection_reset));
    EXPECT_FALSE(d.will_reconnect);
    EXPECT_EQ(b.state(), session_state::closed);
    // Pending operations end: errc::session_closed is "ended by disconnect() or a lost
    // session" (error.hpp).
    std::vector<operation_id> ended;
    for (const operation_event& e : b.take_events<operation_event>()) {
      ended.push_back(e.id);
      EXPECT_TRUE(is_error(e.ec, errc::session_closed)) << "operation " << e.id;
    }
    EXPECT_EQ(sorted(ended), sorted({pub, sub}));
    b.no_more_events();  // no reconnecting_event
    b.advance(std::chrono::hours(1));
    EXPECT_TRUE(b.actions().empty()) << "no open after the loss";
    EXPECT_FALSE(b.session().next_timeout().has_value());
    EXPECT_TRUE(fails_with(b.publish("a", "2", qos::at_least_once), errc::invalid_state));
  }
}

TEST(SessionReconnect, without_reconnect_a_failed_first_attempt_closes_the_session) {
  session_options o = test_options();
  o.reconnect = false;
  o.endpoints = {"ws://a", "ws://b"};
  scripted_broker b(o);
  b.connect();
  b.refuse();
  disconnected_event d = b.next_event<disconnected_event>();
  EXPECT_FALSE(d.will_reconnect);
  EXPECT_EQ(b.state(), session_state::closed);
  b.no_more_events();
  b.clear_actions();
  b.advance(std::chrono::minutes(5));
  EXPECT_TRUE(b.actions().empty());
}

// ---- disconnect() ---------------------------------------------------------------------------

TEST(SessionReconnect, disconnect_sends_disconnect_closes_and_never_reconnects) {
  for (protocol_version v : {protocol_version::v311, protocol_version::v5}) {
    SCOPED_TRACE(version_name(v));
    session_options o = persistent_test_options(v);
    o.keep_alive = 30;
    scripted_broker b(o);
    b.connect_ok();
    const operation_id q1 = expect_id(b.publish("a", "1", qos::at_least_once));
    const operation_id q2 = expect_id(b.publish("a", "2", qos::exactly_once));
    b.expect<publish>();
    sent<publish> p2 = b.expect<publish>();
    b.pubrec(p2->packet_id);
    b.expect<pubrel>();
    const operation_id sub = expect_id(b.subscribe("x/#"));
    b.expect<subscribe>();
    b.clear_actions();

    ASSERT_TRUE(ok(b.disconnect()));
    sent<disconnect> d = b.expect<disconnect>();
    EXPECT_EQ(d->code, reason_code::normal_disconnection);
    b.no_more_packets();
    b.expect_close();
    EXPECT_TRUE(b.actions().empty());

    std::vector<operation_id> ended;
    for (const operation_event& e : b.take_events<operation_event>()) {
      ended.push_back(e.id);
      EXPECT_TRUE(is_error(e.ec, errc::session_closed)) << "operation " << e.id;
    }
    EXPECT_EQ(sorted(ended), sorted({q1, q2, sub}));
    // The close the session asked for was reported: the session is over, without error.
    disconnected_event de = b.next_event<disconnected_event>();
    EXPECT_FALSE(de.will_reconnect);
    EXPECT_FALSE(de.ec) << de.ec.message();
    b.no_more_events();
    EXPECT_EQ(b.state(), session_state::closed);

    b.advance(std::chrono::hours(2));
    EXPECT_TRUE(b.actions().empty());
    b.no_more_events();
    EXPECT_TRUE(is_error(b.disconnect(), errc::invalid_state));
  }
}

TEST(SessionReconnect, disconnect_while_waiting_to_reconnect_cancels_the_reconnection) {
  session_options o = test_options();
  o.keep_alive = 0;
  scripted_broker b(o);
  b.connect_ok();
  b.lose_connection();
  const operation_id queued = expect_id(b.publish("a", "1", qos::at_least_once));
  b.clear_actions();
  ASSERT_TRUE(ok(b.disconnect()));
  b.no_more_packets();  // nothing to send it on
  EXPECT_EQ(b.state(), session_state::closed);
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, queued);
  EXPECT_TRUE(is_error(e.ec, errc::session_closed));
  b.advance(std::chrono::minutes(10));
  for (const transport_action& a : b.actions()) {
    EXPECT_NE(a.what, transport_action::kind::open) << "reconnected after disconnect()";
  }
  EXPECT_EQ(b.opens_requested(), 1u);
}

TEST(SessionReconnect, disconnect_while_connecting_closes_the_transport_being_opened) {
  scripted_broker b(test_options());
  b.connect();
  b.clear_actions();
  ASSERT_TRUE(b.open_pending());
  ASSERT_TRUE(ok(b.disconnect()));
  b.expect_close();
  b.no_more_packets();
  EXPECT_EQ(b.state(), session_state::closed);
  b.advance(std::chrono::minutes(1));
  EXPECT_EQ(b.opens_requested(), 1u);
}

// ---- disconnect() while not connected -------------------------------------------------------

TEST(SessionReconnect, disconnect_while_waiting_to_reconnect_ends_with_one_disconnected_event) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id pub = expect_id(b.publish("a", "1", qos::at_least_once));
  b.expect<publish>();
  b.lose_connection();
  ASSERT_EQ(b.state(), session_state::waiting_to_reconnect);

  ASSERT_TRUE(ok(b.disconnect()));
  operation_event op = b.next_event<operation_event>();
  EXPECT_EQ(op.id, pub);
  EXPECT_TRUE(is_error(op.ec, errc::session_closed));
  disconnected_event d = b.next_event<disconnected_event>();
  EXPECT_TRUE(ok(d.ec));
  EXPECT_FALSE(d.will_reconnect);
  b.no_more_events();
  EXPECT_EQ(b.state(), session_state::closed);
  b.advance(std::chrono::hours(1));
  b.no_more_events();
  EXPECT_EQ(b.opens_requested(), 1u) << "no reconnection after disconnect()";
}

TEST(SessionReconnect, disconnect_while_awaiting_connack_closes_and_ends_with_one_event) {
  scripted_broker b(test_options());
  b.connect();
  b.open();
  b.expect<connect>();
  b.clear_actions();
  ASSERT_TRUE(ok(b.disconnect()));
  b.expect_close();
  b.no_more_packets();  // no DISCONNECT before CONNACK
  disconnected_event d = b.next_event<disconnected_event>();
  EXPECT_TRUE(ok(d.ec));
  EXPECT_FALSE(d.will_reconnect);
  b.no_more_events();
  EXPECT_EQ(b.state(), session_state::closed);
}

// ---- reconnect(): at once ------------------------------------------------------------------

TEST(SessionReconnect, reconnect_while_waiting_starts_the_attempt_now_and_the_backoff_over) {
  const session_options o = jittered_options();
  backoff expected(o.backoff);
  scripted_broker b(o);
  b.connect();
  for (int i = 0; i < 3; ++i) {
    b.refuse();
    b.next_event<disconnected_event>();
    EXPECT_EQ(b.next_event<reconnecting_event>().delay, expected.next());
    if (i < 2) b.advance_to_next_timeout();
  }
  ASSERT_FALSE(b.open_pending()) << "waiting out the third delay";
  ASSERT_TRUE(ok(b.reconnect()));
  b.advance(milliseconds(0));
  ASSERT_TRUE(b.open_pending()) << "the attempt starts at the time of reconnect()";
  b.no_more_events();
  // The backoff starts over: the next failure waits the first delay again.
  b.refuse();
  b.next_event<disconnected_event>();
  expected.reset();
  EXPECT_EQ(b.next_event<reconnecting_event>().delay, expected.next());
}

TEST(SessionReconnect, reconnect_when_connected_sends_disconnect_0x00_and_opens_again_at_once) {
  for (protocol_version v : {protocol_version::v311, protocol_version::v5}) {
    SCOPED_TRACE(version_name(v));
    session_options o = persistent_test_options(v);
    o.backoff.initial_delay = seconds(5);
    scripted_broker b(o);
    b.connect_ok();
    const operation_id id = expect_id(b.publish("t", "A", qos::at_least_once));
    const sent<publish> first = b.expect<publish>();

    ASSERT_TRUE(ok(b.reconnect()));
    const sent<mqttws::disconnect> d = b.expect<mqttws::disconnect>();
    EXPECT_EQ(d->code, reason_code::normal_disconnection) << "0x00: the broker drops the will";
    b.expect_close();
    disconnected_event lost = b.next_event<disconnected_event>();
    EXPECT_TRUE(is_error(lost.ec, errc::reconnect_requested));
    EXPECT_TRUE(lost.will_reconnect);
    reconnecting_event r = b.next_event<reconnecting_event>();
    EXPECT_EQ(r.attempt, 1u);
    EXPECT_EQ(r.delay, duration::zero()) << "not the 5 s backoff";
    EXPECT_EQ(r.endpoint, "ws://broker");
    b.no_more_events();

    // Nothing pending failed: the message is resent with DUP on the resumed session.
    b.connect_ok(true);
    const sent<publish> again = b.expect<publish>();
    EXPECT_EQ(again->packet_id, first->packet_id);
    EXPECT_TRUE(again->dup);
    b.puback(again->packet_id);
    EXPECT_EQ(b.next_event<operation_event>().id, id);
    EXPECT_EQ(b.stats().connections, 2u);
  }
}

TEST(SessionReconnect, reconnect_during_an_attempt_restarts_it_on_the_same_endpoint) {
  session_options o = test_options();
  o.endpoints = {"ws://one", "ws://two"};
  scripted_broker b(o);
  b.connect();
  ASSERT_EQ(b.pending_endpoint(), "ws://one");
  b.open();
  b.expect<mqttws::connect>();  // awaiting CONNACK
  ASSERT_TRUE(ok(b.reconnect()));
  b.expect_close();
  EXPECT_TRUE(is_error(b.next_event<disconnected_event>().ec, errc::reconnect_requested));
  reconnecting_event r = b.next_event<reconnecting_event>();
  EXPECT_EQ(r.delay, duration::zero());
  EXPECT_EQ(r.endpoint, "ws://one") << "a restart, not a failed attempt";
  b.advance(milliseconds(0));
  EXPECT_EQ(b.pending_endpoint(), "ws://one");
}

TEST(SessionReconnect, reconnect_before_connect_while_disconnecting_or_closed_is_invalid_state) {
  scripted_broker b(test_options());
  EXPECT_TRUE(is_error(b.reconnect(), errc::invalid_state));
  EXPECT_EQ(b.state(), session_state::idle);
  b.connect_ok();
  b.report_requested_close = false;
  ASSERT_TRUE(ok(b.disconnect()));
  b.take_packets();
  EXPECT_TRUE(is_error(b.reconnect(), errc::invalid_state));
  EXPECT_EQ(b.state(), session_state::disconnecting);
  b.drop({});
  b.next_event<disconnected_event>();
  EXPECT_TRUE(is_error(b.reconnect(), errc::invalid_state));
  EXPECT_EQ(b.state(), session_state::closed);
  b.no_more_events();
}

TEST(SessionReconnect, reconnect_makes_one_attempt_even_with_reconnecting_off) {
  session_options o = test_options();
  o.reconnect = false;
  scripted_broker b(o);
  b.connect_ok();
  ASSERT_TRUE(ok(b.reconnect()));
  b.take_packets();
  b.expect_close();
  EXPECT_TRUE(b.next_event<disconnected_event>().will_reconnect);
  b.next_event<reconnecting_event>();
  b.connect_ok();
  // A loss after that ends the session, as reconnect = false says.
  b.drop();
  disconnected_event d = b.next_event<disconnected_event>();
  EXPECT_FALSE(d.will_reconnect);
  EXPECT_EQ(b.state(), session_state::closed);
}

}  // namespace
}  // namespace mqttws::test
