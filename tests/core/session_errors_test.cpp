// Session: what the broker does wrong and what the user does at the wrong time. Malformed
// packets (DISCONNECT 0x81 on MQTT 5, the codec's precise error in the disconnected_event),
// unexpected packets (DISCONNECT 0x82, errc::protocol_violation), 3.1.1 never sending a reason
// code, inputs after the session ended, and commands in states where they make no sense.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "session_harness.hpp"

namespace mqttws::test {
namespace {

using std::chrono::seconds;

constexpr protocol_version both_versions[] = {protocol_version::v311, protocol_version::v5};

session_options error_options(protocol_version v) {
  session_options o = test_options(v);
  o.keep_alive = 0;
  o.backoff.initial_delay = seconds(1);
  return o;
}

/// After the broker broke the protocol: on MQTT 5 one DISCONNECT with `code` and nothing
/// else, on 3.1.1 nothing at all (its DISCONNECT has no reason code, and would tell the broker
/// to drop the will: 3.1.1 section 3.14.4); then a close, a disconnected_event with `ec` and no
/// broker reason, and the reconnection.
void expect_closed_for(scripted_broker& b, errc ec, reason_code code, here loc = {}) {
  if (b.version() == protocol_version::v5) {
    sent<disconnect> d = b.expect<disconnect>(loc);
    if (d && d->code != code) {
      MQTTWS_HARNESS_FAIL(loc) << "DISCONNECT with " << describe_code(d->code,
                                                                       packet_type::disconnect)
                               << ", want " << describe_code(code, packet_type::disconnect);
    }
  }
  b.no_more_packets(loc);
  b.expect_close(loc);
  if (b.transport_open()) MQTTWS_HARNESS_FAIL(loc) << "the transport is still open";
  disconnected_event e = b.next_event<disconnected_event>(loc);
  if (!is_error(e.ec, ec)) MQTTWS_HARNESS_FAIL(loc) << is_error(e.ec, ec).message();
  if (e.reason) {
    MQTTWS_HARNESS_FAIL(loc) << "the broker gave no reason code, the event says "
                             << describe_code(*e.reason, packet_type::disconnect);
  }
  if (!e.will_reconnect) MQTTWS_HARNESS_FAIL(loc) << "no reconnection after a broker error";
  b.next_event<reconnecting_event>(loc);
  b.no_more_events(loc);
  if (b.state() != session_state::waiting_to_reconnect) {
    MQTTWS_HARNESS_FAIL(loc) << "state " << to_string(b.state());
  }
}

// ---- malformed packets --------------------------------------------------------------------

struct malformed_input {
  const char* name;
  const char* bytes;  // hex, one packet
  errc error;
};

// Malformed for both versions (3.1.1 framing: no property blocks).
const malformed_input malformed_any[] = {
    {"remaining_length_of_five_bytes", "30 ff ff ff ff 01", errc::malformed_remaining_length},
    {"remaining_length_not_minimal", "d0 80 00", errc::malformed_remaining_length},
    {"reserved_packet_type_0", "00 00", errc::invalid_packet_type},
    {"pubrel_with_flags_0", "60 02 0001", errc::invalid_fixed_header_flags},
    {"pingresp_with_flags", "d4 00", errc::invalid_fixed_header_flags},
    {"publish_qos_3", "36 05 0001 61 0001", errc::invalid_qos},
    {"puback_packet_id_0", "40 02 0000", errc::packet_id_zero},
    {"string_length_past_end", "30 03 0005 61", errc::truncated_packet},
    {"pingresp_with_body", "d0 01 00", errc::trailing_bytes},
};

// Malformed only as MQTT 3.1.1 framing.
const malformed_input malformed_v311[] = {
    {"auth_on_v311", "f0 00", errc::invalid_packet_type},
    {"puback_with_reason_code", "40 03 0001 00", errc::trailing_bytes},
    {"utf8_surrogate_in_topic", "30 05 0003 eda080", errc::invalid_utf8},
    {"nul_in_topic", "30 04 0002 6100", errc::null_character},
    {"topic_with_wildcard", "30 05 0003 612f2b", errc::invalid_topic_name},
    {"suback_code_0x87", "90 03 0001 87", errc::invalid_reason_code},
};

// Malformed only as MQTT 5 framing.
const malformed_input malformed_v5[] = {
    {"utf8_surrogate_in_topic", "30 06 0003 eda080 00", errc::invalid_utf8},
    {"topic_with_wildcard", "30 06 0003 612f2b 00", errc::invalid_topic_name},
    {"empty_topic_without_alias", "30 03 0000 00", errc::invalid_topic_name},
    {"duplicate_property", "30 08 0001 61 04 0101 0101", errc::duplicate_property},
    {"property_not_allowed_in_publish", "30 09 0001 61 05 1100000000",
     errc::property_not_allowed},
    {"unknown_property", "40 06 0001 00 02 0400", errc::unknown_property},
    {"property_length_past_end", "40 04 0001 00 05", errc::truncated_packet},
    {"puback_reason_0x92", "40 03 0001 92", errc::invalid_reason_code},
    {"disconnect_reason_0x88", "e0 01 88", errc::invalid_reason_code},
    {"auth_reason_0x87", "f0 01 87", errc::invalid_reason_code},
    {"invalid_utf8_in_user_property", "30 0b 0001 61 07 26 0001 ff 0001 76", errc::invalid_utf8},
};

void check_malformed(protocol_version v, const malformed_input& m, chunking how) {
  SCOPED_TRACE(std::string(version_name(v)) + " " + m.name +
               (how == chunking::byte_by_byte ? " (byte by byte)" : ""));
  const std::vector<std::uint8_t> bytes = hex(m.bytes);
  // The table itself: the codec agrees this is the error.
  packet probe;
  ASSERT_TRUE(is_error(decode(view(bytes), v, probe), m.error)) << "test table entry";

  scripted_broker b(error_options(v));
  b.connect_ok();
  b.clear_actions();
  b.send_bytes(bytes, how);
  expect_closed_for(b, m.error, reason_code::malformed_packet);
}

TEST(SessionErrors, malformed_packet_closes_with_the_codecs_precise_error) {
  for (protocol_version v : both_versions) {
    for (const malformed_input& m : malformed_any) check_malformed(v, m, chunking::whole);
  }
  for (const malformed_input& m : malformed_v311) {
    check_malformed(protocol_version::v311, m, chunking::whole);
  }
  for (const malformed_input& m : malformed_v5) {
    check_malformed(protocol_version::v5, m, chunking::whole);
  }
}

TEST(SessionErrors, malformed_packet_fed_byte_by_byte_gives_the_same_error) {
  for (protocol_version v : both_versions) {
    for (const malformed_input& m : malformed_any) check_malformed(v, m, chunking::byte_by_byte);
  }
  for (const malformed_input& m : malformed_v5) {
    check_malformed(protocol_version::v5, m, chunking::byte_by_byte);
  }
}

TEST(SessionErrors, packets_before_a_malformed_one_count_and_bytes_after_it_do_not) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(error_options(v));
    b.connect_ok();
    b.clear_actions();
    std::vector<std::uint8_t> stream;
    publish good;
    good.topic = "ok/1";
    good.payload = "fine";
    good.qos = qos::at_least_once;
    good.packet_id = 9;
    ASSERT_TRUE(ok(encode(good, v, stream)));
    const std::vector<std::uint8_t> bad = hex("36 05 0001 61 0001");  // QoS 3
    stream.insert(stream.end(), bad.begin(), bad.end());
    good.topic = "ok/2";  // after the error: must not be delivered
    ASSERT_TRUE(ok(encode(good, v, stream)));
    b.send_bytes(stream);

    message_event m = b.next_event<message_event>();
    EXPECT_EQ(m.message.view().topic, "ok/1");
    EXPECT_EQ(b.expect<puback>()->packet_id, 9);  // answered before the error was found
    expect_closed_for(b, errc::invalid_qos, reason_code::malformed_packet);
  }
}

TEST(SessionErrors, malformed_connack_fails_the_attempt_with_the_codec_error) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(error_options(v));
    b.connect();
    b.open();
    b.expect<connect>();
    b.clear_actions();
    b.send_bytes(hex("20 02 02 00"));  // reserved CONNACK flag
    expect_closed_for(b, errc::invalid_connack_flags, reason_code::malformed_packet);
    EXPECT_EQ(b.stats().connections, 0u);
  }
}

TEST(SessionErrors, packet_above_our_maximum_packet_size_is_disconnect_0x95) {
  session_options o = error_options(protocol_version::v5);
  o.connect_properties.maximum_packet_size = 64;
  scripted_broker b(o);
  b.connect_ok();
  b.clear_actions();
  const std::string big(100, 'x');
  b.deliver("t", big);
  expect_closed_for(b, errc::packet_too_large, reason_code::packet_too_large);
}

// ---- unexpected packets -----------------------------------------------------------------------

template <class P>
void check_unexpected_when_connected(protocol_version v, const P& p, const char* what) {
  SCOPED_TRACE(std::string(version_name(v)) + ": " + what);
  scripted_broker b(error_options(v));
  b.connect_ok();
  b.clear_actions();
  b.send(p);
  expect_closed_for(b, errc::protocol_violation, reason_code::protocol_error);
}

TEST(SessionErrors, unexpected_packet_while_connected_is_a_protocol_violation) {
  for (protocol_version v : both_versions) {
    check_unexpected_when_connected(v, connack{}, "CONNACK while connected");
    check_unexpected_when_connected(v, pingreq{}, "PINGREQ from the broker");
    const subscription subs[] = {{"a", {}}};
    subscribe s;
    s.packet_id = 1;
    s.subscriptions = subscription_list(subs);
    check_unexpected_when_connected(v, s, "SUBSCRIBE from the broker");
    const std::string_view filters[] = {"a"};
    unsubscribe u;
    u.packet_id = 1;
    u.filters = topic_filter_list(filters);
    check_unexpected_when_connected(v, u, "UNSUBSCRIBE from the broker");
    connect c;
    c.version = v;
    c.client_id = "broker?";
    check_unexpected_when_connected(v, c, "CONNECT from the broker");
  }
  mqttws::auth a;
  a.code = reason_code::continue_authentication;
  a.props.authentication_method = "X";
  check_unexpected_when_connected(protocol_version::v5, a,
                                  "AUTH without enhanced authentication in use");
}

// ---- acknowledgements for identifiers in no exchange of ours ------------------------------
// A broker's stale state (after a resume) or a duplicate must not cost the connection: these
// are ignored, as mosquitto's client tests expect of a client; a PUBREC is answered with
// PUBREL so the broker can end its half (0x92 Packet Identifier not found on MQTT 5).

template <class P>
void check_ignored_when_connected(protocol_version v, const P& p, const char* what) {
  SCOPED_TRACE(std::string(version_name(v)) + ": " + what);
  scripted_broker b(error_options(v));
  b.connect_ok();
  b.clear_actions();
  b.clear_events();
  b.send(p);
  b.no_more_packets();
  b.no_more_events();
  EXPECT_TRUE(b.actions().empty()) << "the session acted on the transport";
  EXPECT_EQ(b.session().state(), session_state::connected);
}

TEST(SessionErrors, acknowledgements_for_unknown_ids_are_ignored_and_the_connection_stays) {
  for (protocol_version v : both_versions) {
    const std::vector<reason_code> one = {reason_code::granted_qos_0};
    suback sa;
    sa.packet_id = 77;
    sa.codes = reason_code_list(one);
    check_ignored_when_connected(v, sa, "SUBACK for an unknown id");
    unsuback ua;
    ua.packet_id = 78;
    if (v == protocol_version::v5) ua.codes = reason_code_list(one);
    check_ignored_when_connected(v, ua, "UNSUBACK for an unknown id");
    check_ignored_when_connected(v, puback{79, reason_code::success, {}}, "PUBACK for an unknown id");
    check_ignored_when_connected(v, pubcomp{80, reason_code::success, {}},
                                 "PUBCOMP for an unknown id");
  }
}

TEST(SessionErrors, pubrec_for_an_unknown_id_is_answered_with_pubrel_and_the_connection_stays) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(error_options(v));
    b.connect_ok();
    b.clear_actions();
    b.pubrec(81);
    sent<pubrel> r = b.expect<pubrel>();
    EXPECT_EQ(r->packet_id, 81);
    EXPECT_EQ(r->code, v == protocol_version::v5 ? reason_code::packet_identifier_not_found
                                                 : reason_code::success);
    b.no_more_packets();
    EXPECT_TRUE(b.actions().empty());
    EXPECT_EQ(b.session().state(), session_state::connected);
  }
}

TEST(SessionErrors, pubrec_for_a_qos1_message_is_answered_with_pubrel_and_the_puback_still_counts) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(error_options(v));
    b.connect_ok();
    const operation_id op = expect_id(b.publish("t", "x", qos::at_least_once));
    sent<publish> p = b.expect<publish>();
    b.pubrec(p->packet_id);
    EXPECT_EQ(b.expect<pubrel>()->packet_id, p->packet_id);
    b.no_more_events();  // not completed by it
    b.puback(p->packet_id);
    EXPECT_EQ(b.next_event<operation_event>().id, op);
    EXPECT_EQ(b.session().state(), session_state::connected);
  }
}

TEST(SessionErrors, suback_with_the_wrong_number_of_codes_is_a_protocol_violation) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(error_options(v));
    b.connect_ok();
    const std::vector<subscription> subs = {{"a", {}}, {"b", {}}};
    const operation_id id = expect_id(b.subscribe(subs));
    sent<subscribe> s = b.expect<subscribe>();
    b.clear_actions();
    b.suback(s->packet_id, {reason_code::granted_qos_0});  // one code for two filters
    if (v == protocol_version::v5) {
      sent<disconnect> d = b.expect<disconnect>();
      EXPECT_EQ(d->code, reason_code::protocol_error);
    }
    b.expect_close();
    disconnected_event e = b.next_event<disconnected_event>();
    EXPECT_TRUE(is_error(e.ec, errc::protocol_violation));
    // The subscription did not complete on the bad SUBACK.
    for (const operation_event& o : b.take_events<operation_event>()) {
      EXPECT_NE(o.id, id) << "completed by a SUBACK that does not match it";
    }
  }
}

TEST(SessionErrors, packets_other_than_connack_before_connack_are_a_protocol_violation) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    for (int which = 0; which < 3; ++which) {
      SCOPED_TRACE(which == 0 ? "PUBLISH" : which == 1 ? "PUBACK" : "PINGRESP");
      scripted_broker b(error_options(v));
      b.connect();
      b.open();
      b.expect<connect>();
      b.clear_actions();
      if (which == 0) b.deliver("early", "bird");
      if (which == 1) b.puback(1);
      if (which == 2) b.send(pingresp{});
      b.take_events<message_event>();  // checked below: there must be none
      expect_closed_for(b, errc::protocol_violation, reason_code::protocol_error);
      EXPECT_EQ(b.stats().connections, 0u);
    }
  }
}

TEST(SessionErrors, nothing_before_connack_is_delivered) {
  scripted_broker b(error_options(protocol_version::v5));
  b.connect();
  b.open();
  b.expect<connect>();
  b.deliver("early", "bird");
  EXPECT_TRUE(b.take_events<message_event>().empty()) << "a PUBLISH before CONNACK delivered";
}

TEST(SessionErrors, session_present_after_clean_start_is_a_protocol_violation) {
  // MQTT-3.2.2-4 (5.0) / 3.2.2-1 (3.1.1): a clean start never finds a session present; a
  // client without session state that gets Session Present 1 must close the connection.
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(error_options(v));
    b.connect();
    b.open();
    EXPECT_TRUE(b.expect<connect>()->clean_start);
    b.clear_actions();
    b.connack(true);
    expect_closed_for(b, errc::protocol_violation, reason_code::protocol_error);
    EXPECT_EQ(b.stats().connections, 0u);
  }
}

TEST(SessionErrors, auth_success_before_connack_is_a_protocol_violation) {
  // Enhanced authentication ends with CONNACK (4.12); AUTH Success is only the end of a
  // re-authentication, so during the handshake it is a Protocol Error.
  session_options o = error_options(protocol_version::v5);
  o.connect_properties.authentication_method = "M";
  scripted_broker b(o);
  b.connect();
  b.open();
  b.expect<connect>();
  b.clear_actions();
  mqttws::auth a;
  a.code = reason_code::success;
  a.props.authentication_method = "M";
  b.send(a);  // AUTH Success before CONNACK: the handshake ends with CONNACK, not AUTH 0x00
  expect_closed_for(b, errc::protocol_violation, reason_code::protocol_error);
}

// ---- 3.1.1 and reason codes ----------------------------------------------------------------------

TEST(SessionErrors, v311_disconnect_is_two_bytes_and_reason_codes_are_refused) {
  scripted_broker b(error_options(protocol_version::v311));
  b.connect_ok();
  EXPECT_TRUE(is_error(b.disconnect(reason_code::disconnect_with_will_message),
                       errc::properties_require_v5));
  properties p;
  p.reason_string = "bye";
  EXPECT_TRUE(is_error(b.disconnect(reason_code::normal_disconnection, p),
                       errc::properties_require_v5));
  b.no_more_packets();
  EXPECT_EQ(b.state(), session_state::connected) << "a refused disconnect() changes nothing";

  ASSERT_TRUE(ok(b.disconnect()));
  sent<disconnect> d = b.expect<disconnect>();
  EXPECT_EQ(to_hex(d.bytes()), "e000");
  b.no_more_packets();
}

// ---- inputs after the end ------------------------------------------------------------------------

TEST(SessionErrors, transport_inputs_after_closed_are_harmless) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(error_options(v));
    b.connect_ok();
    ASSERT_TRUE(ok(b.disconnect()));
    b.expect<disconnect>();
    b.clear_actions();
    b.clear_events();
    ASSERT_EQ(b.state(), session_state::closed);

    std::vector<std::uint8_t> bytes;
    ASSERT_TRUE(ok(encode(publish{"late", "msg", qos::at_least_once, false, false, 3, {}}, v,
                          bytes)));
    const std::vector<std::uint8_t> garbage = hex("36 05 0001 61 0001");
    mqttws::session& s = b.session();
    s.receive(bytes.data(), bytes.size(), b.now());
    s.receive(garbage.data(), garbage.size(), b.now());
    s.on_transport_open(b.now());
    s.on_transport_closed(std::make_error_code(std::errc::connection_reset), b.now());
    s.on_transport_closed({}, b.now());
    s.handle_timeout(b.now() + seconds(1000));
    b.pump();
    b.no_more_packets();
    b.no_more_events();
    EXPECT_TRUE(b.actions().empty());
    EXPECT_EQ(b.state(), session_state::closed);
  }
}

TEST(SessionErrors, stale_bytes_while_waiting_to_reconnect_are_ignored) {
  scripted_broker b(error_options(protocol_version::v5));
  b.connect_ok();
  b.lose_connection();
  ASSERT_EQ(b.state(), session_state::waiting_to_reconnect);
  std::vector<std::uint8_t> bytes;
  ASSERT_TRUE(ok(encode(publish{"stale", "x", qos::at_least_once, false, false, 4, {}},
                        protocol_version::v5, bytes)));
  b.session().receive(bytes.data(), bytes.size(), b.now());
  b.pump();
  b.no_more_packets();
  b.no_more_events();
  EXPECT_EQ(b.state(), session_state::waiting_to_reconnect);
  // The reconnection goes ahead as if nothing happened.
  b.connect_ok();
  b.no_more_events();
}

TEST(SessionErrors, inputs_before_connect_are_harmless) {
  scripted_broker b(error_options(protocol_version::v5));
  const std::vector<std::uint8_t> bytes = hex("d0 00");
  b.session().receive(bytes.data(), bytes.size(), b.now());
  b.session().on_transport_closed({}, b.now());
  b.session().handle_timeout(b.now());
  b.pump();
  b.no_more_events();
  EXPECT_TRUE(b.actions().empty());
  EXPECT_EQ(b.state(), session_state::idle);
  b.connect_ok();  // and the session still works
}

// ---- commands in the wrong state ---------------------------------------------------------------

TEST(SessionErrors, commands_after_disconnect_are_invalid_state) {
  scripted_broker b(error_options(protocol_version::v5));
  b.connect_ok();
  ASSERT_TRUE(ok(b.disconnect()));
  b.expect<disconnect>();
  b.clear_events();
  b.clear_actions();
  EXPECT_TRUE(fails_with(b.publish("a", "1"), errc::invalid_state));
  EXPECT_TRUE(fails_with(b.publish("a", "1", qos::exactly_once), errc::invalid_state));
  EXPECT_TRUE(fails_with(b.subscribe("a/#"), errc::invalid_state));
  EXPECT_TRUE(fails_with(b.unsubscribe({"a/#"}), errc::invalid_state));
  publish q;
  q.topic = "svc";
  EXPECT_TRUE(fails_with(b.request(q, seconds(1)), errc::invalid_state));
  EXPECT_TRUE(is_error(b.disconnect(), errc::invalid_state));
  EXPECT_TRUE(is_error(b.authenticate(reason_code::re_authenticate, {}), errc::invalid_state));
  EXPECT_TRUE(is_error(b.connect(), errc::invalid_state));
  b.no_more_packets();
  b.no_more_events();
  EXPECT_TRUE(b.actions().empty());
}

TEST(SessionErrors, commands_while_disconnecting_are_invalid_state) {
  scripted_broker b(error_options(protocol_version::v5));
  b.report_requested_close = false;  // the transport takes its time to close
  b.connect_ok();
  ASSERT_TRUE(ok(b.disconnect()));
  b.expect<disconnect>();
  b.expect_close();
  ASSERT_EQ(b.state(), session_state::disconnecting);
  EXPECT_TRUE(fails_with(b.publish("a", "1", qos::at_least_once), errc::invalid_state));
  EXPECT_TRUE(fails_with(b.subscribe("a"), errc::invalid_state));
  EXPECT_TRUE(is_error(b.disconnect(), errc::invalid_state));
  b.no_more_packets();
  b.drop(std::error_code());  // now the transport reports the close
  EXPECT_EQ(b.state(), session_state::closed);
  disconnected_event d = b.next_event<disconnected_event>();
  EXPECT_FALSE(d.will_reconnect);
  b.no_more_events();
}

TEST(SessionErrors, commands_after_a_loss_without_reconnect_are_invalid_state) {
  session_options o = error_options(protocol_version::v311);
  o.reconnect = false;
  scripted_broker b(o);
  b.connect_ok();
  b.drop();
  ASSERT_EQ(b.state(), session_state::closed);
  EXPECT_TRUE(fails_with(b.publish("a", "1", qos::at_least_once), errc::invalid_state));
  EXPECT_TRUE(fails_with(b.subscribe("a"), errc::invalid_state));
  EXPECT_TRUE(is_error(b.disconnect(), errc::invalid_state));
  b.no_more_packets();
}

TEST(SessionErrors, invalid_subscribe_and_unsubscribe_fail_at_once_and_send_nothing) {
  scripted_broker b(error_options(protocol_version::v5));
  b.connect_ok();
  EXPECT_TRUE(fails_with(b.subscribe("a/#/b"), errc::invalid_topic_filter));
  EXPECT_TRUE(fails_with(b.subscribe("a+"), errc::invalid_topic_filter));
  EXPECT_TRUE(fails_with(b.subscribe(std::vector<subscription>{}), errc::empty_subscription_list));
  EXPECT_TRUE(fails_with(b.unsubscribe({}), errc::empty_subscription_list));
  EXPECT_TRUE(fails_with(b.unsubscribe({"#/x"}), errc::invalid_topic_filter));
  properties bad;
  bad.topic_alias = 1;  // not a SUBSCRIBE property
  EXPECT_TRUE(fails_with(b.subscribe({{"ok", {}}}, bad), errc::property_not_allowed));
  b.no_more_packets();
  b.no_more_events();
  // The session is unharmed.
  const operation_id id = expect_id(b.subscribe("ok/#"));
  sent<subscribe> s = b.expect<subscribe>();
  b.suback(s->packet_id, {reason_code::granted_qos_0});
  EXPECT_EQ(b.next_event<operation_event>().id, id);
}

TEST(SessionErrors, v311_subscribe_with_properties_is_properties_require_v5) {
  scripted_broker b(error_options(protocol_version::v311));
  b.connect_ok();
  properties p;
  const user_property up[] = {{"a", "b"}};
  p.user_properties = user_property_list(up);
  EXPECT_TRUE(fails_with(b.subscribe({{"x", {}}}, p), errc::properties_require_v5));
  publish m;
  m.topic = "x";
  m.props.content_type = "text/plain";
  EXPECT_TRUE(fails_with(b.publish(m), errc::properties_require_v5));
  b.no_more_packets();
}

}  // namespace
}  // namespace mqttws::test
