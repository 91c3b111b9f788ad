// Session: MQTT 5 topic aliases. Inbound: the broker sets and uses aliases up to our Topic
// Alias Maximum, the session resolves them (message_event topics are always full names) and
// treats misuse as a protocol error. Outbound: automatic aliases up to the broker's maximum,
// least recently used replaced first, never carried over to another connection.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "session_harness.hpp"

namespace mqttws::test {
namespace {

session_options with_our_alias_maximum(std::uint16_t n) {
  session_options o = test_options();
  o.connect_properties.topic_alias_maximum = n;
  return o;
}

// A QoS 0 PUBLISH from the broker with `topic` (may be empty) and `alias`.
void send_aliased(scripted_broker& b, std::string_view topic, std::uint16_t alias,
                  std::string_view payload = "x") {
  publish p;
  p.topic = topic;
  p.payload = payload;
  p.props.topic_alias = alias;
  b.send(p);
}

properties broker_alias_maximum(std::uint16_t n) {
  properties p;
  p.topic_alias_maximum = n;
  return p;
}

// ---- inbound ------------------------------------------------------------------------------

TEST(SessionTopicAlias, inbound_alias_with_topic_sets_the_mapping_and_alias_alone_resolves) {
  scripted_broker b(with_our_alias_maximum(5));
  EXPECT_EQ(b.connect_ok().connect->props.topic_alias_maximum,
            std::optional<std::uint16_t>(5));
  const operation_id sub = expect_id(b.subscribe("home/#"));
  b.suback(b.expect<subscribe>()->packet_id, {reason_code::granted_qos_0});
  b.next_event<operation_event>();

  send_aliased(b, "home/kitchen/temp", 3, "21");
  message_event first = b.next_event<message_event>();
  EXPECT_EQ(first.message.view().topic, "home/kitchen/temp");
  EXPECT_EQ(first.message.view().payload, "21");
  EXPECT_EQ(first.subscriptions, std::vector<operation_id>{sub});

  send_aliased(b, "", 3, "22");
  message_event second = b.next_event<message_event>();
  EXPECT_EQ(second.message.view().topic, "home/kitchen/temp");  // resolved
  EXPECT_EQ(second.message.view().payload, "22");
  EXPECT_EQ(second.subscriptions, std::vector<operation_id>{sub});  // routed by the full name
  b.no_more_packets();
  b.no_more_events();
}

TEST(SessionTopicAlias, inbound_aliased_message_is_encoded_again_with_its_topic_and_no_alias) {
  scripted_broker b(with_our_alias_maximum(5));
  b.connect_ok();
  send_aliased(b, "a/b", 3, "1");
  send_aliased(b, "", 3, "2");
  // What the user gets is a PUBLISH that means the same off this connection: "a/b", no
  // Topic Alias property (Property Length 0).
  EXPECT_EQ(to_hex(b.next_event<message_event>().message.bytes()), "3007" "0003612f62" "00" "31");
  EXPECT_EQ(to_hex(b.next_event<message_event>().message.bytes()), "3007" "0003612f62" "00" "32");
  b.no_more_events();
}

TEST(SessionTopicAlias, inbound_alias_can_be_remapped_to_another_topic) {
  scripted_broker b(with_our_alias_maximum(5));
  b.connect_ok();
  send_aliased(b, "a/1", 1);
  send_aliased(b, "a/2", 1);  // the same alias now means a/2 (3.3.2.3.4)
  send_aliased(b, "", 1);
  std::vector<message_event> got = b.take_events<message_event>();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].message.view().topic, "a/1");
  EXPECT_EQ(got[1].message.view().topic, "a/2");
  EXPECT_EQ(got[2].message.view().topic, "a/2");
}

TEST(SessionTopicAlias, inbound_aliases_are_independent_and_use_the_whole_range) {
  scripted_broker b(with_our_alias_maximum(2));
  b.connect_ok();
  send_aliased(b, "x", 1);
  send_aliased(b, "y", 2);
  send_aliased(b, "", 2);
  send_aliased(b, "", 1);
  std::vector<message_event> got = b.take_events<message_event>();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[2].message.view().topic, "y");
  EXPECT_EQ(got[3].message.view().topic, "x");
  EXPECT_EQ(b.state(), session_state::connected);
}

// The broker broke the alias rules: DISCONNECT with `code`, close, errc::topic_alias_invalid
// (0, too big or unknown: error.hpp), and no message.
void expect_topic_alias_invalid(scripted_broker& b, reason_code code) {
  sent<disconnect> d = b.expect<disconnect>();
  EXPECT_EQ(d->code, code);
  b.no_more_packets();
  b.expect_close();
  disconnected_event e = b.next_event<disconnected_event>();
  EXPECT_TRUE(is_error(e.ec, errc::topic_alias_invalid));
  EXPECT_TRUE(b.take_events<message_event>().empty());
}

TEST(SessionTopicAlias, inbound_unknown_alias_is_a_protocol_error) {
  // MQTT 5 3.3.4: an alias without a mapping and an empty Topic Name is a Protocol Error,
  // answered with DISCONNECT 0x82 (0x94 is for an alias of 0 or above the maximum).
  scripted_broker b(with_our_alias_maximum(5));
  b.connect_ok();
  b.clear_actions();
  send_aliased(b, "", 2);
  expect_topic_alias_invalid(b, reason_code::protocol_error);
}

TEST(SessionTopicAlias, inbound_alias_above_our_topic_alias_maximum_is_topic_alias_invalid) {
  // 3.3.2.3.4: the broker must not send an alias greater than our Topic Alias Maximum.
  scripted_broker b(with_our_alias_maximum(5));
  b.connect_ok();
  b.clear_actions();
  send_aliased(b, "a/b", 6);
  expect_topic_alias_invalid(b, reason_code::topic_alias_invalid);
}

TEST(SessionTopicAlias, inbound_alias_when_we_allow_none_is_topic_alias_invalid) {
  // No Topic Alias Maximum in CONNECT means 0: the broker must not use aliases (3.1.2.11.5).
  scripted_broker b(test_options());
  b.connect_ok();
  b.clear_actions();
  send_aliased(b, "a/b", 1);
  expect_topic_alias_invalid(b, reason_code::topic_alias_invalid);
}

TEST(SessionTopicAlias, inbound_alias_mappings_do_not_survive_a_reconnection) {
  // 3.3.2.3.4: mappings belong to one Network Connection.
  session_options o = with_our_alias_maximum(5);
  o.connect_properties.session_expiry_interval = 3600;
  scripted_broker b(o);
  b.connect_ok();
  send_aliased(b, "a/b", 1);
  b.next_event<message_event>();
  b.lose_connection();
  b.connect_ok(true);
  b.clear_actions();
  send_aliased(b, "", 1);  // unknown on this connection
  expect_topic_alias_invalid(b, reason_code::protocol_error);
}

// ---- outbound ------------------------------------------------------------------------------

// Publishes QoS 0 to `topic` and returns what went on the wire.
sent<publish> publish_to(scripted_broker& b, std::string_view topic) {
  expect_id(b.publish(topic, "x"));
  return b.expect<publish>();
}

TEST(SessionTopicAlias, outbound_first_use_sends_topic_and_alias_later_uses_only_the_alias) {
  scripted_broker b(test_options());
  b.connect_ok(false, broker_alias_maximum(2));

  sent<publish> first = publish_to(b, "sensors/temp");
  EXPECT_EQ(first->topic, "sensors/temp");
  ASSERT_TRUE(first->props.topic_alias.has_value());
  const std::uint16_t alias = *first->props.topic_alias;
  EXPECT_GE(alias, 1);
  EXPECT_LE(alias, 2);  // at most the broker's Topic Alias Maximum (3.3.2.3.4)

  for (int i = 0; i < 3; ++i) {
    sent<publish> again = publish_to(b, "sensors/temp");
    EXPECT_EQ(again->topic, "");
    EXPECT_EQ(again->props.topic_alias, std::optional<std::uint16_t>(alias));
  }
  b.no_more_packets();
}

TEST(SessionTopicAlias, outbound_aliases_stay_within_the_brokers_maximum_and_replace_the_least_recently_used) {
  scripted_broker b(test_options());
  b.connect_ok(false, broker_alias_maximum(2));

  sent<publish> t1 = publish_to(b, "t/1");
  sent<publish> t2 = publish_to(b, "t/2");
  ASSERT_TRUE(t1->props.topic_alias && t2->props.topic_alias);
  const std::uint16_t a1 = *t1->props.topic_alias;
  const std::uint16_t a2 = *t2->props.topic_alias;
  EXPECT_NE(a1, a2);
  EXPECT_EQ(t2->topic, "t/2");

  sent<publish> t1_again = publish_to(b, "t/1");  // t/1 used most recently; t/2 is LRU
  EXPECT_EQ(t1_again->topic, "");
  EXPECT_EQ(t1_again->props.topic_alias, std::optional<std::uint16_t>(a1));

  sent<publish> t3 = publish_to(b, "t/3");  // full: replaces t/2's alias
  EXPECT_EQ(t3->topic, "t/3");
  EXPECT_EQ(t3->props.topic_alias, std::optional<std::uint16_t>(a2));

  sent<publish> t1_still = publish_to(b, "t/1");  // untouched by the replacement
  EXPECT_EQ(t1_still->topic, "");
  EXPECT_EQ(t1_still->props.topic_alias, std::optional<std::uint16_t>(a1));

  sent<publish> t2_back = publish_to(b, "t/2");  // LRU now t/3: t/2 takes a2 back
  EXPECT_EQ(t2_back->topic, "t/2");
  EXPECT_EQ(t2_back->props.topic_alias, std::optional<std::uint16_t>(a2));

  sent<publish> t3_again = publish_to(b, "t/3");  // lost its alias: full topic again
  EXPECT_EQ(t3_again->topic, "t/3");
  EXPECT_EQ(t3_again->props.topic_alias, std::optional<std::uint16_t>(a1));  // LRU was t/1
  b.no_more_packets();
}

TEST(SessionTopicAlias, outbound_retransmission_after_reconnect_carries_the_full_topic_and_no_alias) {
  scripted_broker b(persistent_test_options());
  b.connect_ok(false, broker_alias_maximum(2));
  expect_id(b.publish("t/1", "a", qos::at_least_once));
  expect_id(b.publish("t/1", "b", qos::at_least_once));
  sent<publish> first = b.expect<publish>();
  sent<publish> second = b.expect<publish>();
  EXPECT_EQ(first->topic, "t/1");
  EXPECT_EQ(second->topic, "");  // alias only
  ASSERT_TRUE(second->props.topic_alias.has_value());

  b.lose_connection();
  b.connect_ok(true, broker_alias_maximum(2));
  // The new connection knows no alias: a resent PUBLISH names its topic in full.
  for (const sent<publish>& r : {b.expect<publish>(), b.expect<publish>()}) {
    EXPECT_TRUE(r->dup);
    EXPECT_EQ(r->topic, "t/1");
    EXPECT_FALSE(r->props.topic_alias.has_value());
  }
  b.no_more_packets();

  // New messages start a fresh mapping on this connection: topic and alias again.
  sent<publish> fresh = publish_to(b, "t/1");
  EXPECT_EQ(fresh->topic, "t/1");
  EXPECT_TRUE(fresh->props.topic_alias.has_value());
}

TEST(SessionTopicAlias, outbound_mapping_is_forgotten_when_the_connection_is_lost) {
  scripted_broker b(test_options());
  b.connect_ok(false, broker_alias_maximum(4));
  publish_to(b, "t/1");
  EXPECT_EQ(publish_to(b, "t/1")->topic, "");
  b.clear_events();  // the QoS 0 completions
  b.lose_connection();
  b.connect_ok(false, broker_alias_maximum(4));
  b.clear_packets();
  sent<publish> p = publish_to(b, "t/1");
  EXPECT_EQ(p->topic, "t/1");  // aliases do not outlive the connection (3.3.2.3.4)
}

TEST(SessionTopicAlias, auto_topic_alias_false_never_sends_an_alias) {
  session_options o = test_options();
  o.auto_topic_alias = false;
  scripted_broker b(o);
  b.connect_ok(false, broker_alias_maximum(10));
  for (int i = 0; i < 3; ++i) {
    sent<publish> p = publish_to(b, "t/1");
    EXPECT_EQ(p->topic, "t/1");
    EXPECT_FALSE(p->props.topic_alias.has_value());
  }
}

TEST(SessionTopicAlias, broker_without_topic_alias_maximum_never_gets_an_alias) {
  scripted_broker b(test_options());
  b.connect_ok();  // no Topic Alias Maximum in CONNACK: 0, no aliases (3.2.2.3.8)
  for (int i = 0; i < 3; ++i) {
    sent<publish> p = publish_to(b, "t/1");
    EXPECT_EQ(p->topic, "t/1");
    EXPECT_FALSE(p->props.topic_alias.has_value());
  }
}

TEST(SessionTopicAlias, v311_never_sends_an_alias) {
  scripted_broker b(test_options(protocol_version::v311));
  b.connect_ok();
  for (int i = 0; i < 2; ++i) {
    sent<publish> p = publish_to(b, "t/1");
    EXPECT_EQ(p->topic, "t/1");
    EXPECT_TRUE(p->props.empty());
  }
}

}  // namespace
}  // namespace mqttws::test
