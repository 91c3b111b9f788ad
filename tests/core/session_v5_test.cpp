// Session: MQTT 5 features beyond the QoS flows. Reason strings and user properties reaching
// the events, request/response (Response Topic + Correlation Data), enhanced authentication
// (AUTH 0x18 during CONNECT, re-authentication with 0x19), DISCONNECT from the broker with a
// reason code, and the client's own DISCONNECT with a reason code and properties.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mqttws/topic.hpp"
#include "session_harness.hpp"

namespace mqttws::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

session_options v5_options() {
  session_options o = test_options();
  o.keep_alive = 0;  // keep PINGREQs out of the conversations
  return o;
}

std::vector<user_property> user_properties_of(const properties& p) {
  return {p.user_properties.begin(), p.user_properties.end()};
}

// ---- reason strings and user properties --------------------------------------------------

TEST(SessionV5, puback_reason_string_reaches_the_operation_event) {
  scripted_broker b(v5_options());
  b.connect_ok();
  const operation_id id = expect_id(b.publish("t", "x", qos::at_least_once));
  sent<publish> p = b.expect<publish>();
  puback ack;
  ack.packet_id = p->packet_id;
  ack.code = reason_code::quota_exceeded;
  ack.props.reason_string = "over quota";
  const user_property up[] = {{"k", "v"}};
  ack.props.user_properties = user_property_list(up);
  b.send(ack);
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_TRUE(is_error(e.ec, errc::operation_failed));
  EXPECT_EQ(e.codes, std::vector<reason_code>{reason_code::quota_exceeded});
  EXPECT_EQ(e.reason_string, "over quota");
  EXPECT_EQ(user_properties_of(e.properties.view()),
            (std::vector<user_property>{{"k", "v"}}));
}

TEST(SessionV5, suback_user_properties_reach_the_operation_event) {
  scripted_broker b(v5_options());
  b.connect_ok();
  const operation_id id = expect_id(b.subscribe("a/#", qos::at_least_once));
  sent<subscribe> s = b.expect<subscribe>();
  suback ack;
  ack.packet_id = s->packet_id;
  const reason_code codes[] = {reason_code::granted_qos_1};
  ack.codes = codes;
  const user_property up[] = {{"region", "eu"}, {"region", "us"}};
  ack.props.user_properties = user_property_list(up);
  b.send(ack);
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_TRUE(ok(e.ec));
  EXPECT_EQ(user_properties_of(e.properties.view()),
            (std::vector<user_property>{{"region", "eu"}, {"region", "us"}}));
}

TEST(SessionV5, pubrec_and_pubcomp_reason_strings_reach_the_operation_event) {
  scripted_broker b(v5_options());
  b.connect_ok();
  // PUBREC failure ends the flow with its reason string.
  const operation_id refused = expect_id(b.publish("t", "1", qos::exactly_once));
  sent<publish> p1 = b.expect<publish>();
  pubrec rec;
  rec.packet_id = p1->packet_id;
  rec.code = reason_code::not_authorized;
  rec.props.reason_string = "no";
  b.send(rec);
  operation_event e1 = b.next_event<operation_event>();
  EXPECT_EQ(e1.id, refused);
  EXPECT_TRUE(is_error(e1.ec, errc::operation_failed));
  EXPECT_EQ(e1.reason_string, "no");
  b.no_more_packets();  // no PUBREL after a failed PUBREC

  // PUBCOMP's reason string on success.
  const operation_id done = expect_id(b.publish("t", "2", qos::exactly_once));
  sent<publish> p2 = b.expect<publish>();
  b.pubrec(p2->packet_id);
  b.expect<pubrel>();
  pubcomp comp;
  comp.packet_id = p2->packet_id;
  comp.props.reason_string = "stored";
  b.send(comp);
  operation_event e2 = b.next_event<operation_event>();
  EXPECT_EQ(e2.id, done);
  EXPECT_TRUE(ok(e2.ec));
  EXPECT_EQ(e2.codes, std::vector<reason_code>{reason_code::success});
  EXPECT_EQ(e2.reason_string, "stored");
}

TEST(SessionV5, suback_and_unsuback_reason_strings_and_codes_reach_the_operation_event) {
  scripted_broker b(v5_options());
  b.connect_ok();
  const std::vector<subscription> subs = {{"a/#", subscribe_options{qos::at_least_once}},
                                          {"b/+", subscribe_options{qos::exactly_once}}};
  const operation_id sub = expect_id(b.subscribe(subs));
  sent<subscribe> s = b.expect<subscribe>();
  mqttws::suback sa;
  sa.packet_id = s->packet_id;
  const std::vector<reason_code> codes = {reason_code::granted_qos_1, reason_code::not_authorized};
  sa.codes = reason_code_list(codes);
  sa.props.reason_string = "b/+ is not yours";
  b.send(sa);
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, sub);
  EXPECT_EQ(e.kind, operation_kind::subscribe);
  EXPECT_TRUE(ok(e.ec)) << "a per-filter failure does not fail the operation";
  EXPECT_EQ(e.codes, codes);
  EXPECT_EQ(e.reason_string, "b/+ is not yours");

  const operation_id unsub = expect_id(b.unsubscribe({"a/#"}));
  sent<unsubscribe> u = b.expect<unsubscribe>();
  mqttws::unsuback ua;
  ua.packet_id = u->packet_id;
  const std::vector<reason_code> ucodes = {reason_code::no_subscription_existed};
  ua.codes = reason_code_list(ucodes);
  ua.props.reason_string = "was not there";
  b.send(ua);
  operation_event ue = b.next_event<operation_event>();
  EXPECT_EQ(ue.id, unsub);
  EXPECT_EQ(ue.kind, operation_kind::unsubscribe);
  EXPECT_TRUE(ok(ue.ec));
  EXPECT_EQ(ue.codes, ucodes);
  EXPECT_EQ(ue.reason_string, "was not there");
}

TEST(SessionV5, connack_user_properties_reach_the_connected_event_in_order) {
  scripted_broker b(v5_options());
  properties p;
  const user_property up[] = {{"region", "eu"}, {"tier", "gold"}, {"region", "us"}};
  p.user_properties = user_property_list(up);
  p.reason_string = "welcome";
  const auto c = b.connect_ok(false, p);
  const properties& got = c.connected.properties.view();
  EXPECT_EQ(user_properties_of(got),
            (std::vector<user_property>{{"region", "eu"}, {"tier", "gold"}, {"region", "us"}}));
  EXPECT_EQ(got.reason_string, std::optional<std::string_view>("welcome"));
}

TEST(SessionV5, message_user_properties_and_message_properties_reach_the_message_event) {
  scripted_broker b(v5_options());
  b.connect_ok();
  publish m;
  m.topic = "t";
  m.payload = "{}";
  const user_property up[] = {{"trace", "abc"}, {"trace", "def"}};
  m.props.user_properties = user_property_list(up);
  m.props.content_type = "application/json";
  m.props.payload_format_indicator = 1;
  b.send(m);
  message_event e = b.next_event<message_event>();
  const properties& got = e.message.view().props;
  EXPECT_EQ(user_properties_of(got),
            (std::vector<user_property>{{"trace", "abc"}, {"trace", "def"}}));
  EXPECT_EQ(got.content_type, std::optional<std::string_view>("application/json"));
  EXPECT_EQ(got.payload_format_indicator, std::optional<std::uint8_t>(1));
}

// ---- DISCONNECT from the broker ------------------------------------------------------------

TEST(SessionV5, broker_disconnect_reports_server_disconnected_with_reason_and_reason_string) {
  session_options o = v5_options();
  o.backoff.initial_delay = seconds(2);
  scripted_broker b(o);
  b.connect_ok();
  b.clear_actions();
  mqttws::disconnect d;
  d.code = reason_code::server_shutting_down;
  d.props.reason_string = "restarting";
  const user_property up[] = {{"eta", "30s"}};
  d.props.user_properties = user_property_list(up);
  b.send(d);

  b.expect_close();  // the client closes the network connection (MQTT-3.14.4-1 is the sender's)
  b.no_more_packets();  // and sends nothing back
  disconnected_event e = b.next_event<disconnected_event>();
  EXPECT_TRUE(is_error(e.ec, errc::server_disconnected));
  EXPECT_EQ(e.reason, std::optional<reason_code>(reason_code::server_shutting_down));
  EXPECT_EQ(e.reason_string, "restarting");
  EXPECT_TRUE(e.server_reference.empty());
  EXPECT_EQ(user_properties_of(e.properties.view()),
            (std::vector<user_property>{{"eta", "30s"}}))
      << "the DISCONNECT's properties outlive the decoder buffer they came in";
  EXPECT_TRUE(e.will_reconnect) << "a shutting-down broker comes back";
  reconnecting_event r = b.next_event<reconnecting_event>();
  EXPECT_EQ(r.delay, seconds(2));
  b.no_more_events();
  EXPECT_EQ(b.state(), session_state::waiting_to_reconnect);
}

TEST(SessionV5, broker_disconnect_byte_by_byte_is_the_same) {
  scripted_broker b(v5_options());
  b.connect_ok();
  mqttws::disconnect d;
  d.code = reason_code::administrative_action;
  d.props.reason_string = "kicked";
  b.send(d, chunking::byte_by_byte);
  disconnected_event e = b.next_event<disconnected_event>();
  EXPECT_TRUE(is_error(e.ec, errc::server_disconnected));
  EXPECT_EQ(e.reason, std::optional<reason_code>(reason_code::administrative_action));
  EXPECT_EQ(e.reason_string, "kicked");
}

// ---- the client's DISCONNECT ----------------------------------------------------------------

TEST(SessionV5, disconnect_with_reason_code_and_properties_puts_them_on_the_wire) {
  session_options o = v5_options();
  o.connect_properties.session_expiry_interval = 600;
  scripted_broker b(o);
  b.connect_ok();
  properties p;
  p.session_expiry_interval = 0;  // end the session on the broker now
  p.reason_string = "going away";
  const user_property up[] = {{"why", "update"}};
  p.user_properties = user_property_list(up);
  ASSERT_TRUE(ok(b.disconnect(reason_code::disconnect_with_will_message, p)));
  sent<disconnect> d = b.expect<disconnect>();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->code, reason_code::disconnect_with_will_message);
  EXPECT_EQ(d->props.session_expiry_interval, std::optional<std::uint32_t>(0));
  EXPECT_EQ(d->props.reason_string, std::optional<std::string_view>("going away"));
  EXPECT_EQ(user_properties_of(d->props), (std::vector<user_property>{{"why", "update"}}));
  b.no_more_packets();
  b.expect_close();
  EXPECT_EQ(b.state(), session_state::closed);
}

TEST(SessionV5, disconnect_default_is_normal_disconnection_with_no_properties) {
  scripted_broker b(v5_options());
  b.connect_ok();
  ASSERT_TRUE(ok(b.disconnect()));
  sent<disconnect> d = b.expect<disconnect>();
  EXPECT_EQ(d->code, reason_code::normal_disconnection);
  EXPECT_TRUE(d->props.empty());
  // Reason code 0x00 without properties: both may be left out (3.14.2.1), so at most the
  // reason code and an empty property length follow the fixed header.
  EXPECT_LE(d.bytes().size(), 4u);
}

TEST(SessionV5, disconnect_cannot_turn_a_zero_session_expiry_into_a_nonzero_one) {
  // MQTT 5 section 3.14.2.2.2: "If the Session Expiry Interval in the CONNECT packet was zero,
  // then it is a Protocol Error to set a non-zero Session Expiry Interval in the DISCONNECT
  // packet sent by the Client." The session must refuse the call or leave the property out;
  // it must not put the violation on the wire (the broker would answer with 0x82 and the
  // session would not even be kept).
  scripted_broker b(v5_options());  // no Session Expiry Interval: 0
  b.connect_ok();
  properties p;
  p.session_expiry_interval = 3600;
  const std::error_code ec = b.disconnect(reason_code::normal_disconnection, p);
  if (!ec) {
    sent<disconnect> d = b.expect<disconnect>();
    EXPECT_FALSE(d->props.session_expiry_interval.has_value() &&
                 *d->props.session_expiry_interval != 0)
        << "DISCONNECT carries Session Expiry Interval " << *d->props.session_expiry_interval
        << " after CONNECT had 0 (3.14.2.2.2)";
  } else {
    b.no_more_packets();
    EXPECT_EQ(b.state(), session_state::connected) << "a refused disconnect() changes nothing";
  }
}

TEST(SessionV5, disconnect_with_properties_not_allowed_in_disconnect_is_refused) {
  scripted_broker b(v5_options());
  b.connect_ok();
  properties p;
  p.topic_alias = 3;  // a PUBLISH property
  EXPECT_TRUE(is_error(b.disconnect(reason_code::normal_disconnection, p),
                       errc::property_not_allowed));
  b.no_more_packets();
  EXPECT_EQ(b.state(), session_state::connected);
  EXPECT_TRUE(ok(b.disconnect()));
}

// ---- request / response ----------------------------------------------------------------------

struct request_wire {
  sent<mqttws::subscribe> subscribe;
  sent<mqttws::publish> publish;
};

/// Sends a request and takes its SUBSCRIBE (if `expect_subscribe`) and PUBLISH, answering the
/// SUBACK.
request_wire take_request(scripted_broker& b, bool expect_subscribe = true, here loc = {}) {
  request_wire w;
  if (expect_subscribe) {
    w.subscribe = b.expect<subscribe>(loc);
    if (w.subscribe) {
      std::vector<reason_code> granted(w.subscribe->subscriptions.size(),
                                       reason_code::granted_qos_1);
      b.suback(w.subscribe->packet_id, granted, loc);
    }
  }
  w.publish = b.expect<publish>(loc);
  return w;
}

TEST(SessionV5, request_publishes_with_response_topic_and_correlation_data_after_subscribing) {
  scripted_broker b(v5_options());
  b.connect_ok();
  publish q;
  q.topic = "svc/time";
  q.payload = "what time is it";
  const operation_id id = expect_id(b.request(q, seconds(10)));

  // The subscription to the response topic goes out first, so the reply cannot be missed.
  sent<subscribe> s = b.expect<subscribe>();
  ASSERT_TRUE(s);
  ASSERT_EQ(s->subscriptions.size(), 1u);
  const std::string filter(s->subscriptions.begin()->filter);
  sent<publish> p = b.expect<publish>();
  ASSERT_TRUE(p);
  b.suback(s->packet_id, {reason_code::granted_qos_1});
  EXPECT_EQ(p->topic, "svc/time");
  EXPECT_EQ(p->payload, "what time is it");
  ASSERT_TRUE(p->props.response_topic.has_value());
  ASSERT_TRUE(p->props.correlation_data.has_value());
  EXPECT_FALSE(p->props.correlation_data->empty());
  const std::string response_topic(*p->props.response_topic);
  const std::string correlation(*p->props.correlation_data);
  // Default prefix (session_options::response_topic_prefix): "mqttws/response/{client id}".
  EXPECT_EQ(response_topic.rfind("mqttws/response/test-client/", 0), 0u) << response_topic;
  EXPECT_TRUE(topic_matches(filter, response_topic))
      << "subscribed to \"" << filter << "\", the response comes on \"" << response_topic << "\"";
  b.no_more_events();  // the SUBACK of the internal subscription reports nothing

  // The reply completes the request; it is not also a message_event.
  publish reply;
  reply.topic = response_topic;
  reply.payload = "noon";
  reply.props.correlation_data = correlation;
  b.send(reply);
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_EQ(e.kind, operation_kind::request);
  EXPECT_TRUE(ok(e.ec));
  EXPECT_EQ(e.response.view().payload, "noon");
  EXPECT_EQ(e.response.view().topic, response_topic);
  EXPECT_EQ(e.response.view().props.correlation_data,
            std::optional<std::string_view>(correlation));
  b.no_more_events();

  // A second reply with the same correlation data is just a message now.
  b.send(reply);
  for (const operation_event& x : b.take_events<operation_event>()) {
    ADD_FAILURE() << "the request completed again: operation " << x.id;
  }
}

TEST(SessionV5, request_ignores_a_reply_with_other_correlation_data) {
  scripted_broker b(v5_options());
  b.connect_ok();
  publish q;
  q.topic = "svc/echo";
  q.payload = "ping";
  const operation_id id = expect_id(b.request(q, seconds(10)));
  request_wire w = take_request(b);
  ASSERT_TRUE(w.publish);
  const std::string response_topic(*w.publish->props.response_topic);

  publish other;
  other.topic = response_topic;
  other.payload = "not for you";
  other.props.correlation_data = "someone-else";
  b.send(other);
  for (const operation_event& x : b.take_events<operation_event>()) {
    ADD_FAILURE() << "operation " << x.id << " completed by a reply with other correlation data";
  }
  b.clear_events();  // whether it is surfaced as a plain message is not specified
  publish none = other;
  none.props.correlation_data.reset();
  b.send(none);
  EXPECT_TRUE(b.take_events<operation_event>().empty());
  b.clear_events();

  publish mine = other;
  mine.payload = "pong";
  mine.props.correlation_data = *w.publish->props.correlation_data;
  b.send(mine);
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_EQ(e.response.view().payload, "pong");
}

TEST(SessionV5, request_times_out_with_request_timeout) {
  scripted_broker b(v5_options());
  b.connect_ok();
  publish q;
  q.topic = "svc/slow";
  q.qos = qos::at_least_once;
  const operation_id id = expect_id(b.request(q, seconds(5)));
  request_wire w = take_request(b);
  ASSERT_TRUE(w.publish);
  b.puback(w.publish->packet_id);
  b.no_more_events() ;  // the PUBACK does not complete a request

  b.advance(milliseconds(4999));
  b.no_more_events();
  b.advance(milliseconds(1));
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_EQ(e.kind, operation_kind::request);
  EXPECT_TRUE(is_error(e.ec, errc::request_timeout));
  b.no_more_events();

  // A late reply finds no request.
  publish late;
  late.topic = *w.publish->props.response_topic;
  late.props.correlation_data = *w.publish->props.correlation_data;
  b.send(late);
  EXPECT_TRUE(b.take_events<operation_event>().empty());
  EXPECT_EQ(b.state(), session_state::connected);
}

TEST(SessionV5, concurrent_requests_use_distinct_correlation_data_and_one_subscription) {
  scripted_broker b(v5_options());
  b.connect_ok();
  publish q;
  q.topic = "svc/add";
  q.payload = "1+1";
  const operation_id first = expect_id(b.request(q, seconds(30)));
  request_wire w1 = take_request(b);
  q.payload = "2+2";
  const operation_id second = expect_id(b.request(q, seconds(30)));
  request_wire w2 = take_request(b, /*expect_subscribe=*/false);  // already subscribed
  ASSERT_TRUE(w1.publish && w2.publish);
  EXPECT_NE(*w1.publish->props.correlation_data, *w2.publish->props.correlation_data);

  // Answered in reverse order: each reply completes its own request.
  auto answer = [&](const request_wire& w, std::string_view payload) {
    publish r;
    r.topic = *w.publish->props.response_topic;
    r.payload = payload;
    r.props.correlation_data = *w.publish->props.correlation_data;
    b.send(r);
  };
  answer(w2, "4");
  operation_event e2 = b.next_event<operation_event>();
  EXPECT_EQ(e2.id, second);
  EXPECT_EQ(e2.response.view().payload, "4");
  answer(w1, "2");
  operation_event e1 = b.next_event<operation_event>();
  EXPECT_EQ(e1.id, first);
  EXPECT_EQ(e1.response.view().payload, "2");
}

TEST(SessionV5, request_keeps_the_callers_response_topic_and_correlation_data) {
  scripted_broker b(v5_options());
  b.connect_ok();
  publish q;
  q.topic = "svc/x";
  q.props.response_topic = "replies/me";
  q.props.correlation_data = std::string_view("\x01\x02", 2);
  const operation_id id = expect_id(b.request(q, seconds(10)));
  request_wire w = take_request(b);
  ASSERT_TRUE(w.subscribe && w.publish);
  EXPECT_TRUE(topic_matches(w.subscribe->subscriptions.begin()->filter, "replies/me"));
  EXPECT_EQ(w.publish->props.response_topic, std::optional<std::string_view>("replies/me"));
  EXPECT_EQ(w.publish->props.correlation_data,
            std::optional<std::string_view>(std::string_view("\x01\x02", 2)));
  publish r;
  r.topic = "replies/me";
  r.payload = "ok";
  r.props.correlation_data = std::string_view("\x01\x02", 2);
  b.send(r);
  EXPECT_EQ(b.next_event<operation_event>().id, id);
}

TEST(SessionV5, request_uses_the_brokers_response_information) {
  session_options o = v5_options();
  o.connect_properties.request_response_information = true;
  scripted_broker b(o);
  properties p;
  p.response_information = "resp/client-42";
  const auto c = b.connect_ok(false, p);
  EXPECT_EQ(c.connect->props.request_response_information, std::optional<bool>(true));
  publish q;
  q.topic = "svc/y";
  expect_id(b.request(q, seconds(10)));
  request_wire w = take_request(b);
  ASSERT_TRUE(w.publish);
  const std::string rt(*w.publish->props.response_topic);
  EXPECT_EQ(rt.rfind("resp/client-42/", 0), 0u) << rt;
}

TEST(SessionV5, request_uses_the_configured_prefix) {
  session_options o = v5_options();
  o.response_topic_prefix = "my/replies";
  scripted_broker b(o);
  b.connect_ok();
  publish q;
  q.topic = "svc/z";
  expect_id(b.request(q, seconds(10)));
  request_wire w = take_request(b);
  ASSERT_TRUE(w.publish);
  const std::string rt(*w.publish->props.response_topic);
  EXPECT_EQ(rt.rfind("my/replies/", 0), 0u) << rt;
}

TEST(SessionV5, request_while_offline_is_sent_after_connack_subscription_first) {
  scripted_broker b(v5_options());
  publish q;
  q.topic = "svc/later";
  const operation_id id = expect_id(b.request(q, seconds(60)));
  b.connect_ok();
  request_wire w = take_request(b);
  ASSERT_TRUE(w.subscribe && w.publish);
  publish r;
  r.topic = *w.publish->props.response_topic;
  r.props.correlation_data = *w.publish->props.correlation_data;
  b.send(r);
  EXPECT_EQ(b.next_event<operation_event>().id, id);
}

TEST(SessionV5, request_on_v311_is_properties_require_v5) {
  scripted_broker b(test_options(protocol_version::v311));
  b.connect_ok();
  publish q;
  q.topic = "svc/t";
  EXPECT_TRUE(fails_with(b.request(q, seconds(1)), errc::properties_require_v5));
  b.no_more_packets();
}

// ---- enhanced authentication ------------------------------------------------------------------

session_options auth_options() {
  session_options o = v5_options();
  o.connect_properties.authentication_method = "SCRAM-SHA-256";
  o.connect_properties.authentication_data = "client-first";
  return o;
}

TEST(SessionV5, enhanced_authentication_exchanges_auth_before_connack) {
  scripted_broker b(auth_options());
  b.connect();
  b.open();
  sent<connect> c = b.expect<connect>();
  EXPECT_EQ(c->props.authentication_method, std::optional<std::string_view>("SCRAM-SHA-256"));
  EXPECT_EQ(c->props.authentication_data, std::optional<std::string_view>("client-first"));

  mqttws::auth challenge;
  challenge.code = reason_code::continue_authentication;
  challenge.props.authentication_method = "SCRAM-SHA-256";
  challenge.props.authentication_data = "server-first";
  b.send(challenge);
  auth_event a = b.next_event<auth_event>();
  EXPECT_EQ(a.code, reason_code::continue_authentication);
  EXPECT_EQ(a.properties.view().authentication_method,
            std::optional<std::string_view>("SCRAM-SHA-256"));
  EXPECT_EQ(a.properties.view().authentication_data,
            std::optional<std::string_view>("server-first"));
  EXPECT_EQ(b.state(), session_state::awaiting_connack);
  b.no_more_packets();

  properties answer;
  answer.authentication_data = "client-final";
  ASSERT_TRUE(ok(b.authenticate(reason_code::continue_authentication, answer)));
  sent<auth> reply = b.expect<auth>();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->code, reason_code::continue_authentication);
  // MQTT-4.12.0-5: the same Authentication Method in every AUTH of the exchange.
  EXPECT_EQ(reply->props.authentication_method,
            std::optional<std::string_view>("SCRAM-SHA-256"));
  EXPECT_EQ(reply->props.authentication_data, std::optional<std::string_view>("client-final"));

  properties final_props;
  final_props.authentication_method = "SCRAM-SHA-256";
  final_props.authentication_data = "server-final";
  b.connack(false, final_props);
  connected_event ce = b.next_event<connected_event>();
  EXPECT_EQ(ce.properties.view().authentication_data,
            std::optional<std::string_view>("server-final"));
  EXPECT_EQ(b.state(), session_state::connected);
  b.no_more_events();
  b.no_more_packets();
}

TEST(SessionV5, reauthentication_while_connected) {
  scripted_broker b(auth_options());
  b.connect_ok();
  properties start;
  start.authentication_data = "again-1";
  ASSERT_TRUE(ok(b.authenticate(reason_code::re_authenticate, start)));
  sent<auth> r = b.expect<auth>();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, reason_code::re_authenticate);
  EXPECT_EQ(r->props.authentication_method, std::optional<std::string_view>("SCRAM-SHA-256"));
  EXPECT_EQ(r->props.authentication_data, std::optional<std::string_view>("again-1"));

  mqttws::auth challenge;
  challenge.code = reason_code::continue_authentication;
  challenge.props.authentication_method = "SCRAM-SHA-256";
  challenge.props.authentication_data = "challenge";
  b.send(challenge);
  auth_event a = b.next_event<auth_event>();
  EXPECT_EQ(a.code, reason_code::continue_authentication);
  EXPECT_EQ(a.properties.view().authentication_data,
            std::optional<std::string_view>("challenge"));
  properties answer;
  answer.authentication_data = "again-2";
  ASSERT_TRUE(ok(b.authenticate(reason_code::continue_authentication, answer)));
  sent<auth> r2 = b.expect<auth>();
  EXPECT_EQ(r2->code, reason_code::continue_authentication);
  EXPECT_EQ(r2->props.authentication_data, std::optional<std::string_view>("again-2"));

  // The broker ends the re-authentication with AUTH Success; the connection carries on, and
  // messages keep flowing during and after it (4.12.1).
  mqttws::auth done;
  done.code = reason_code::success;
  done.props.authentication_method = "SCRAM-SHA-256";
  b.send(done);
  for (const session_event& ev : b.events()) {
    const auth_event* ae = std::get_if<auth_event>(&ev);
    EXPECT_TRUE(ae && ae->code == reason_code::success)
        << "only an auth_event(Success) may report the end, got " << describe(ev);
  }
  b.clear_events();
  EXPECT_EQ(b.state(), session_state::connected);
  EXPECT_EQ(b.closes_requested(), 0u);
  expect_id(b.publish("t", "x"));
  b.expect<publish>();
  b.no_more_packets();
}

TEST(SessionV5, authenticate_misuse_is_refused) {
  {
    // No enhanced authentication in use.
    scripted_broker b(v5_options());
    b.connect_ok();
    EXPECT_TRUE(is_error(b.authenticate(reason_code::re_authenticate, {}),
                         errc::invalid_state));
    b.no_more_packets();
  }
  {
    scripted_broker b(auth_options());
    b.connect_ok();
    EXPECT_TRUE(is_error(b.authenticate(reason_code::success, {}), errc::invalid_reason_code));
    EXPECT_TRUE(is_error(b.authenticate(reason_code::not_authorized, {}),
                         errc::invalid_reason_code));
    b.no_more_packets();
  }
  {
    // Before the transport is open there is nobody to answer.
    scripted_broker b(auth_options());
    EXPECT_TRUE(is_error(b.authenticate(reason_code::re_authenticate, {}), errc::invalid_state));
    b.connect();
    EXPECT_TRUE(is_error(b.authenticate(reason_code::continue_authentication, {}),
                         errc::invalid_state));
    b.no_more_packets();
  }
  {
    scripted_broker b(test_options(protocol_version::v311));
    b.connect_ok();
    EXPECT_TRUE(is_error(b.authenticate(reason_code::re_authenticate, {}),
                         errc::properties_require_v5));
    b.no_more_packets();
  }
}

TEST(SessionV5, authentication_refused_in_connack_is_reported) {
  session_options o = auth_options();
  scripted_broker b(o);
  b.connect();
  b.open();
  b.expect<connect>();
  b.clear_actions();
  properties p;
  p.reason_string = "bad proof";
  b.connack(false, p, reason_code::not_authorized);
  disconnected_event d = b.next_event<disconnected_event>();
  EXPECT_TRUE(is_error(d.ec, errc::connection_refused));
  EXPECT_EQ(d.reason, std::optional<reason_code>(reason_code::not_authorized));
  EXPECT_EQ(d.reason_string, "bad proof");
  b.expect_close();
}

}  // namespace
}  // namespace mqttws::test
