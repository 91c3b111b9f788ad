// Session: subscriptions. SUBSCRIBE/UNSUBSCRIBE contents, SUBACK/UNSUBACK codes in the
// operation event, routing of incoming messages to the subscribe operations whose filters
// match, and subscribing while offline.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "session_harness.hpp"

namespace mqttws::test {
namespace {

constexpr protocol_version both_versions[] = {protocol_version::v311, protocol_version::v5};

// Subscribes to `filter` and completes it with SUBACK granted QoS 0; returns the operation.
operation_id subscribed(scripted_broker& b, std::string_view filter) {
  const operation_id id = expect_id(b.subscribe(filter));
  sent<subscribe> s = b.expect<subscribe>();
  b.suback(s->packet_id, {reason_code::granted_qos_0});
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  return id;
}

// The operations a message on `topic` is routed to, sorted.
std::vector<operation_id> routed(scripted_broker& b, std::string_view topic) {
  b.deliver(topic, "x");
  return sorted(b.next_event<message_event>().subscriptions);
}

// ---- SUBSCRIBE ------------------------------------------------------------------------------

TEST(SessionSubscribe, v5_subscribe_carries_filters_options_and_subscription_identifier) {
  scripted_broker b(test_options());
  b.connect_ok();
  const std::vector<subscription> subs = {
      {"home/+/temp", subscribe_options{qos::at_least_once, true, true,
                                        retain_handling::do_not_send}},
      {"alerts/#", subscribe_options{qos::exactly_once, false, false,
                                     retain_handling::send_if_new_subscription}},
      {"$share/dash/home/+/light", subscribe_options{qos::at_most_once}}};
  const std::vector<std::uint32_t> sub_ids = {42};
  const std::vector<user_property> ups = {{"app", "dashboard"}};
  properties props;
  props.subscription_identifiers = sub_ids;
  props.user_properties = ups;
  const operation_id id = expect_id(b.subscribe(subs, props));

  sent<subscribe> s = b.expect<subscribe>();
  ASSERT_TRUE(s);
  EXPECT_NE(s->packet_id, 0);
  EXPECT_EQ(items(s->subscriptions), subs);
  expect_same_properties(props, s->props);
  b.no_more_packets();
  b.no_more_events();  // not before SUBACK

  b.suback(s->packet_id, {reason_code::granted_qos_1, reason_code::granted_qos_2,
                          reason_code::granted_qos_0});
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_EQ(e.kind, operation_kind::subscribe);
  EXPECT_TRUE(ok(e.ec));
  EXPECT_EQ(e.codes, (std::vector<reason_code>{reason_code::granted_qos_1,
                                               reason_code::granted_qos_2,
                                               reason_code::granted_qos_0}));
  b.no_more_events();
}

TEST(SessionSubscribe, v311_subscribe_carries_filters_and_qos) {
  scripted_broker b(test_options(protocol_version::v311));
  b.connect_ok();
  const std::vector<subscription> subs = {{"a/b", subscribe_options{qos::at_least_once}},
                                          {"c/#", subscribe_options{qos::exactly_once}}};
  expect_id(b.subscribe(subs));
  sent<subscribe> s = b.expect<subscribe>();
  EXPECT_EQ(items(s->subscriptions), subs);
  EXPECT_TRUE(s->props.empty());
}

TEST(SessionSubscribe, suback_failure_codes_are_reported_per_filter_without_error) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(test_options(v));
    b.connect_ok();
    const std::vector<subscription> subs = {{"ok/#", subscribe_options{qos::exactly_once}},
                                            {"secret/#", subscribe_options{qos::at_least_once}}};
    const operation_id id = expect_id(b.subscribe(subs));
    sent<subscribe> s = b.expect<subscribe>();
    // 3.1.1 knows only 0x80 as failure; MQTT 5 says why.
    const reason_code refused = v == protocol_version::v5 ? reason_code::not_authorized
                                                          : reason_code::unspecified_error;
    b.suback(s->packet_id, {reason_code::granted_qos_1, refused});  // downgraded, refused

    operation_event e = b.next_event<operation_event>();
    EXPECT_EQ(e.id, id);
    EXPECT_EQ(e.kind, operation_kind::subscribe);
    EXPECT_TRUE(ok(e.ec)) << "a per-filter failure does not fail the operation";
    EXPECT_EQ(e.codes, (std::vector<reason_code>{reason_code::granted_qos_1, refused}));
    EXPECT_EQ(b.state(), session_state::connected);
  }
}

TEST(SessionSubscribe, v5_suback_reason_string_is_reported) {
  scripted_broker b(test_options());
  b.connect_ok();
  expect_id(b.subscribe("secret/#"));
  sent<subscribe> s = b.expect<subscribe>();
  const std::vector<reason_code> codes = {reason_code::not_authorized};
  suback ack;
  ack.packet_id = s->packet_id;
  ack.codes = codes;
  ack.props.reason_string = "ACL denies secret/#";
  b.send(ack);
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.reason_string, "ACL denies secret/#");
  EXPECT_EQ(e.codes, codes);
}

TEST(SessionSubscribe, invalid_filters_fail_at_once_and_send_nothing) {
  scripted_broker b(test_options());
  b.connect_ok();
  EXPECT_TRUE(fails_with(b.subscribe("a/#/b"), errc::invalid_topic_filter));
  EXPECT_TRUE(fails_with(b.subscribe("a+"), errc::invalid_topic_filter));
  EXPECT_TRUE(fails_with(b.subscribe("$share/g"), errc::invalid_topic_filter));
  EXPECT_TRUE(fails_with(b.subscribe(std::vector<subscription>{}), errc::empty_subscription_list));
  EXPECT_TRUE(fails_with(b.unsubscribe({}), errc::empty_subscription_list));
  EXPECT_TRUE(fails_with(b.unsubscribe({"a/#/b"}), errc::invalid_topic_filter));
  b.no_more_packets();
  b.no_more_events();
}

TEST(SessionSubscribe, subscribe_after_disconnect_is_invalid_state) {
  scripted_broker b(test_options());
  b.connect_ok();
  ASSERT_TRUE(ok(b.disconnect()));
  b.clear_packets();
  b.clear_events();
  EXPECT_TRUE(fails_with(b.subscribe("a"), errc::invalid_state));
  EXPECT_TRUE(fails_with(b.unsubscribe({"a"}), errc::invalid_state));
}

TEST(SessionSubscribe, subscribe_and_publish_in_flight_never_share_a_packet_id) {
  // Packet identifiers are one space for PUBLISH, SUBSCRIBE and UNSUBSCRIBE (2.2.1).
  scripted_broker b(test_options());
  b.connect_ok();
  expect_id(b.publish("t", "x", qos::at_least_once));
  expect_id(b.subscribe("a"));
  expect_id(b.unsubscribe({"b"}));
  const std::uint16_t p = b.expect<publish>()->packet_id;
  const std::uint16_t s = b.expect<subscribe>()->packet_id;
  const std::uint16_t u = b.expect<unsubscribe>()->packet_id;
  EXPECT_NE(p, s);
  EXPECT_NE(p, u);
  EXPECT_NE(s, u);
}

// ---- UNSUBSCRIBE ----------------------------------------------------------------------------

TEST(SessionSubscribe, v5_unsubscribe_completes_with_the_unsuback_codes) {
  scripted_broker b(test_options());
  b.connect_ok();
  subscribed(b, "a/+");
  const std::vector<user_property> ups = {{"why", "done"}};
  properties props;
  props.user_properties = ups;
  const operation_id id = expect_id(b.unsubscribe({"a/+", "never/subscribed"}, props));
  sent<unsubscribe> u = b.expect<unsubscribe>();
  ASSERT_TRUE(u);
  EXPECT_NE(u->packet_id, 0);
  EXPECT_EQ(items(u->filters), (std::vector<std::string_view>{"a/+", "never/subscribed"}));
  expect_same_properties(props, u->props);
  b.no_more_events();

  b.unsuback(u->packet_id, {reason_code::success, reason_code::no_subscription_existed});
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_EQ(e.kind, operation_kind::unsubscribe);
  EXPECT_TRUE(ok(e.ec));
  EXPECT_EQ(e.codes, (std::vector<reason_code>{reason_code::success,
                                               reason_code::no_subscription_existed}));
}

TEST(SessionSubscribe, v311_unsubscribe_completes_on_unsuback_with_one_success_per_filter) {
  // A 3.1.1 UNSUBACK carries no codes. The header promises "one per filter for subscribe and
  // unsubscribe": the session reports success for each (3.1.1 UNSUBACK means all removed).
  scripted_broker b(test_options(protocol_version::v311));
  b.connect_ok();
  const operation_id id = expect_id(b.unsubscribe({"a", "b"}));
  sent<unsubscribe> u = b.expect<unsubscribe>();
  EXPECT_EQ(items(u->filters), (std::vector<std::string_view>{"a", "b"}));
  b.unsuback(u->packet_id);
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_EQ(e.kind, operation_kind::unsubscribe);
  EXPECT_TRUE(ok(e.ec));
  EXPECT_EQ(e.codes, (std::vector<reason_code>{reason_code::success, reason_code::success}));
}

// ---- routing ----------------------------------------------------------------------------------

TEST(SessionSubscribe, message_event_lists_exactly_the_subscribe_operations_whose_filters_match) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id temps = subscribed(b, "home/+/temp");
  const operation_id home = subscribed(b, "home/#");
  const operation_id shared = subscribed(b, "$share/dash/home/kitchen/temp");
  const operation_id other = subscribed(b, "garden/#");
  const operation_id exact = subscribed(b, "home/kitchen/temp");
  (void)other;

  EXPECT_EQ(routed(b, "home/kitchen/temp"), sorted({temps, home, shared, exact}));
  EXPECT_EQ(routed(b, "home/hall/temp"), sorted({temps, home}));
  EXPECT_EQ(routed(b, "home"), std::vector<operation_id>{home});  // '#' includes the parent
  EXPECT_EQ(routed(b, "home/hall/temp/raw"), std::vector<operation_id>{home});
  EXPECT_EQ(routed(b, "office/temp"), std::vector<operation_id>{});
  b.no_more_events();
}

TEST(SessionSubscribe, one_subscribe_with_several_matching_filters_is_listed_once) {
  scripted_broker b(test_options());
  b.connect_ok();
  const std::vector<subscription> subs = {{"a/+", {}}, {"a/#", {}}, {"+/b", {}}};
  const operation_id id = expect_id(b.subscribe(subs));
  b.suback(b.expect<subscribe>()->packet_id, {reason_code::granted_qos_0,
                                              reason_code::granted_qos_0,
                                              reason_code::granted_qos_0});
  b.next_event<operation_event>();
  // The list names subscribe operations, so each at most once.
  EXPECT_EQ(routed(b, "a/b"), std::vector<operation_id>{id});
}

TEST(SessionSubscribe, two_subscribe_operations_with_the_same_filter_are_both_listed) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id first = subscribed(b, "a/#");
  const operation_id second = subscribed(b, "a/#");
  EXPECT_EQ(routed(b, "a/b"), sorted({first, second}));
}

// ---- Subscription Identifiers the session assigns (MQTT 5) ------------------------------------

std::vector<std::uint32_t> ids_of(const properties& p) {
  return {p.subscription_identifiers.begin(), p.subscription_identifiers.end()};
}

// A message from the broker carrying Subscription Identifiers `ids`.
message_event deliver_with_ids(scripted_broker& b, std::string_view topic,
                               std::vector<std::uint32_t> ids) {
  mqttws::publish p;
  p.topic = topic;
  p.payload = "x";
  p.props.subscription_identifiers = subscription_id_list(ids.data(), ids.size());
  b.send(p);
  return b.next_event<message_event>();
}

TEST(SessionSubscribe, v5_subscribe_gets_the_sessions_own_subscription_identifier_in_order) {
  scripted_broker b(test_options());
  b.connect_ok();
  expect_id(b.subscribe("a/#"));
  EXPECT_EQ(ids_of(b.expect<subscribe>()->props), std::vector<std::uint32_t>{1});
  expect_id(b.subscribe("b/#"));
  EXPECT_EQ(ids_of(b.expect<subscribe>()->props), std::vector<std::uint32_t>{2});
}

TEST(SessionSubscribe, a_copy_naming_a_subscription_identifier_is_reported_for_that_subscription) {
  // Overlapping subscriptions: a broker sends one copy per matching subscription, each with
  // that subscription's identifier; each copy must reach only its own subscription.
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id wide = subscribed(b, "home/#");         // identifier 1
  const operation_id narrow = subscribed(b, "home/+/temp");  // identifier 2
  const message_event first = deliver_with_ids(b, "home/hall/temp", {1});
  EXPECT_EQ(first.subscriptions, std::vector<operation_id>{wide});
  EXPECT_TRUE(ids_of(first.message.view().props).empty())
      << "the session's own identifiers are not reported: the user never asked for them";
  EXPECT_EQ(deliver_with_ids(b, "home/hall/temp", {2}).subscriptions,
            std::vector<operation_id>{narrow});
  // One copy for both (a broker may also do that), or no identifiers: topic matching.
  EXPECT_EQ(deliver_with_ids(b, "home/hall/temp", {1, 2}).subscriptions, sorted({wide, narrow}));
  EXPECT_EQ(routed(b, "home/hall/temp"), sorted({wide, narrow}));
  // An identifier this session does not know (another client's, a lost session's) is ignored.
  EXPECT_EQ(deliver_with_ids(b, "home/hall/temp", {99}).subscriptions, sorted({wide, narrow}));
}

TEST(SessionSubscribe, a_callers_subscription_identifier_is_kept_and_routes_too) {
  scripted_broker b(test_options());
  b.connect_ok();
  properties props;
  const std::uint32_t mine[] = {500};
  props.subscription_identifiers = subscription_id_list(mine);
  const subscription subs[] = {{"a/#", {}}};
  const operation_id id = expect_id(b.session().subscribe(subs, props, b.now()));
  b.pump();
  sent<subscribe> s = b.expect<subscribe>();
  EXPECT_EQ(ids_of(s->props), std::vector<std::uint32_t>{500});
  b.suback(s->packet_id, {reason_code::granted_qos_0});
  b.next_event<operation_event>();
  const operation_id other = subscribed(b, "a/b");
  const message_event theirs = deliver_with_ids(b, "a/b", {500, 1});
  EXPECT_EQ(theirs.subscriptions, sorted({id, other}));
  EXPECT_EQ(ids_of(theirs.message.view().props), std::vector<std::uint32_t>{500})
      << "the caller's identifier is reported, the session's own is not";
  EXPECT_EQ(deliver_with_ids(b, "a/b", {500}).subscriptions, std::vector<operation_id>{id});
  EXPECT_EQ(deliver_with_ids(b, "a/b", {1}).subscriptions, std::vector<operation_id>{other})
      << "the session's own numbering starts at 1 regardless";
}

TEST(SessionSubscribe, a_message_is_its_packet_as_received_less_the_sessions_own_identifiers) {
  scripted_broker b(test_options());
  b.connect_ok();
  subscribed(b, "a/#");  // identifier 1
  // QoS 1 id 9 to "a/b"; properties: User Property ("k", "v"), Subscription Identifier 500
  // (not ours), Subscription Identifier 1 (ours), Content Type "t"; payload "hi".
  b.send_bytes(hex("321a" "0003612f62" "0009"
                   "10" "260001" "6b" "0001" "76" "0b" "f403" "0b" "01" "030001" "74"
                   "6869"));
  const message_event m = b.next_event<message_event>();
  // Only "0b 01" is gone: Remaining Length 0x1a -> 0x18, Property Length 0x10 -> 0x0e, the
  // rest byte for byte in the broker's order.
  EXPECT_EQ(to_hex(m.message.bytes()), "3218" "0003612f62" "0009"
                                       "0e" "260001" "6b" "0001" "76" "0b" "f403" "030001" "74"
                                       "6869");
  EXPECT_EQ(ids_of(m.message.view().props), std::vector<std::uint32_t>{500});
  EXPECT_EQ(m.message.view().props.content_type, std::optional<std::string_view>("t"));
  EXPECT_EQ(m.message.view().payload, "hi");
}

TEST(SessionSubscribe, a_message_with_only_the_sessions_own_identifier_has_no_properties_left) {
  scripted_broker b(test_options());
  b.connect_ok();
  subscribed(b, "a/#");  // identifier 1
  b.send_bytes(hex("3009" "0003612f62" "02" "0b01" "78"));
  EXPECT_EQ(to_hex(b.next_event<message_event>().message.bytes()),
            "3007" "0003612f62" "00" "78");
}

TEST(SessionSubscribe, no_subscription_identifier_for_a_broker_without_them) {
  scripted_broker b(test_options());
  properties connack_props;
  connack_props.subscription_identifier_available = false;
  b.connect_ok(false, connack_props);
  const operation_id a = subscribed(b, "a/#");
  b.no_more_packets();
  // Nothing was sent with an identifier, so routing is by topic.
  EXPECT_EQ(routed(b, "a/b"), std::vector<operation_id>{a});
}

TEST(SessionSubscribe, an_identifier_assigned_offline_is_left_out_for_a_broker_without_them) {
  scripted_broker b(test_options());
  expect_id(b.subscribe("a/#"));  // before any CONNACK: the session assigns identifier 1
  properties connack_props;
  connack_props.subscription_identifier_available = false;
  b.connect_ok(false, connack_props);
  sent<subscribe> s = b.expect<subscribe>();
  EXPECT_TRUE(ids_of(s->props).empty()) << "0xA1 Subscription Identifiers not supported";
}

TEST(SessionSubscribe, no_subscription_identifiers_on_v311_or_when_turned_off) {
  {
    scripted_broker b(test_options(protocol_version::v311));
    b.connect_ok();
    expect_id(b.subscribe("a/#"));
    EXPECT_TRUE(b.expect<subscribe>()->props.empty());
  }
  session_options o = test_options();
  o.auto_subscription_identifiers = false;
  scripted_broker b(o);
  b.connect_ok();
  expect_id(b.subscribe("a/#"));
  EXPECT_TRUE(ids_of(b.expect<subscribe>()->props).empty());
}

TEST(SessionSubscribe, the_same_identifier_is_sent_again_when_resubscribing) {
  session_options o = test_options();
  scripted_broker b(o);
  b.connect_ok();
  subscribed(b, "a/#");
  b.lose_connection();
  b.connect_ok(false);  // the broker lost the session: resubscribe
  EXPECT_EQ(ids_of(b.expect<subscribe>()->props), std::vector<std::uint32_t>{1});
}

TEST(SessionSubscribe, wildcards_at_the_first_level_do_not_route_dollar_topics) {
  // 4.7.2: "#" and "+/..." do not match topics starting with '$'; "$SYS/#" does.
  scripted_broker b(test_options());
  b.connect_ok();
  subscribed(b, "#");
  subscribed(b, "+/uptime");
  const operation_id sys = subscribed(b, "$SYS/#");
  EXPECT_EQ(routed(b, "$SYS/uptime"), std::vector<operation_id>{sys});
}

TEST(SessionSubscribe, after_unsubscribe_the_filter_no_longer_routes) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id temps = subscribed(b, "home/+/temp");
  const operation_id home = subscribed(b, "home/#");
  ASSERT_EQ(routed(b, "home/hall/temp"), sorted({temps, home}));

  expect_id(b.unsubscribe({"home/#"}));
  b.unsuback(b.expect<unsubscribe>()->packet_id, {reason_code::success});
  b.next_event<operation_event>();
  EXPECT_EQ(routed(b, "home/hall/temp"), std::vector<operation_id>{temps});
  // A message still arriving for the removed filter is delivered, routed to nobody.
  EXPECT_EQ(routed(b, "home/door"), std::vector<operation_id>{});
}

TEST(SessionSubscribe, unsubscribing_a_shared_subscription_removes_its_route) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id shared = subscribed(b, "$share/g/jobs/+");
  ASSERT_EQ(routed(b, "jobs/1"), std::vector<operation_id>{shared});
  expect_id(b.unsubscribe({"$share/g/jobs/+"}));
  b.unsuback(b.expect<unsubscribe>()->packet_id, {reason_code::success});
  b.next_event<operation_event>();
  EXPECT_EQ(routed(b, "jobs/1"), std::vector<operation_id>{});
}

TEST(SessionSubscribe, routing_works_for_qos1_and_qos2_messages) {
  scripted_broker b(test_options());
  b.connect_ok();
  const operation_id id = subscribed(b, "q/+");
  b.deliver("q/1", "x", qos::at_least_once, 1);
  EXPECT_EQ(b.next_event<message_event>().subscriptions, std::vector<operation_id>{id});
  b.expect<puback>();
  b.deliver("q/2", "x", qos::exactly_once, 2);
  b.expect<pubrec>();
  b.pubrel(2);
  b.expect<pubcomp>();
  std::vector<message_event> m = b.take_events<message_event>();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].subscriptions, std::vector<operation_id>{id});
}

// ---- offline ------------------------------------------------------------------------------------

TEST(SessionSubscribe, subscribe_while_offline_is_sent_once_after_connack) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(test_options(v));
    ASSERT_TRUE(ok(b.connect()));
    const operation_id id = expect_id(b.subscribe("late/#", qos::at_least_once));
    b.open();
    b.expect<connect>();
    b.no_more_packets();  // "after the next CONNACK"
    b.connack();
    b.next_event<connected_event>();

    // Exactly one SUBSCRIBE: the pending command is not also sent as a resubscription.
    std::vector<sent<subscribe>> subs = b.take_all<subscribe>();
    ASSERT_EQ(subs.size(), 1u);
    EXPECT_EQ(items(subs[0]->subscriptions),
              (std::vector<subscription>{{"late/#", subscribe_options{qos::at_least_once}}}));
    b.no_more_packets();
    b.suback(subs[0]->packet_id, {reason_code::granted_qos_1});
    operation_event e = b.next_event<operation_event>();
    EXPECT_EQ(e.id, id);
    EXPECT_EQ(e.codes, std::vector<reason_code>{reason_code::granted_qos_1});
    EXPECT_EQ(routed(b, "late/x"), std::vector<operation_id>{id});
    b.no_more_events();
  }
}

TEST(SessionSubscribe, unsubscribe_while_offline_is_sent_after_connack) {
  scripted_broker b(test_options());
  ASSERT_TRUE(ok(b.connect()));
  const operation_id id = expect_id(b.unsubscribe({"old/#"}));
  b.no_more_packets();
  b.connect_ok();
  sent<unsubscribe> u = b.expect<unsubscribe>();
  EXPECT_EQ(items(u->filters), std::vector<std::string_view>{"old/#"});
  b.unsuback(u->packet_id, {reason_code::no_subscription_existed});
  EXPECT_EQ(b.next_event<operation_event>().id, id);
}

TEST(SessionSubscribe, unsubscribed_filters_are_not_resubscribed_when_the_session_is_lost) {
  scripted_broker b(persistent_test_options());
  b.connect_ok();
  const operation_id keep = subscribed(b, "keep/#");
  subscribed(b, "drop/#");
  expect_id(b.unsubscribe({"drop/#"}));
  b.unsuback(b.expect<unsubscribe>()->packet_id, {reason_code::success});
  b.next_event<operation_event>();

  b.lose_connection();
  b.connect_ok(false);
  const std::vector<sent<subscribe>> packets = b.take_all<subscribe>();  // `again` views them
  std::vector<subscription> again;
  for (const sent<subscribe>& s : packets) {
    for (const subscription& f : s->subscriptions) again.push_back(f);
  }
  EXPECT_EQ(again, (std::vector<subscription>{{"keep/#", subscribe_options{}}}));
  b.no_more_packets();
  // Routing carries on under the original operation.
  EXPECT_EQ(routed(b, "keep/1"), std::vector<operation_id>{keep});
}

// The filters the session sends again when a connection does not resume the session, in the
// order sent.
std::vector<std::string> resubscribed_filters(scripted_broker& b) {
  b.lose_connection();
  b.connect_ok(false);
  std::vector<std::string> out;
  for (const sent<subscribe>& s : b.take_all<subscribe>()) {
    for (const subscription& f : s->subscriptions) out.emplace_back(f.filter);
  }
  return out;
}

TEST(SessionSubscribe, unsubscribing_one_filter_of_a_subscribe_keeps_its_other_filters) {
  scripted_broker b(persistent_test_options());
  b.connect_ok();
  const std::vector<subscription> two = {{"a/#", {}}, {"b/#", {}}};
  const operation_id both = expect_id(b.subscribe(two));  // identifier 1
  b.suback(b.expect<subscribe>()->packet_id,
           {reason_code::granted_qos_0, reason_code::granted_qos_0});
  b.next_event<operation_event>();
  const operation_id later = subscribed(b, "c/#");  // identifier 2
  expect_id(b.unsubscribe({"a/#"}));
  b.unsuback(b.expect<unsubscribe>()->packet_id, {reason_code::success});
  b.next_event<operation_event>();

  EXPECT_TRUE(routed(b, "a/1").empty());
  EXPECT_EQ(routed(b, "b/1"), std::vector<operation_id>{both});
  // The operation still holds a filter: its identifier still names it.
  EXPECT_EQ(deliver_with_ids(b, "b/1", {1}).subscriptions, std::vector<operation_id>{both});
  // Resubscribed in the order granted, without the filter that is gone.
  EXPECT_EQ(resubscribed_filters(b), (std::vector<std::string>{"b/#", "c/#"}));
  EXPECT_EQ(routed(b, "c/1"), std::vector<operation_id>{later});
}

TEST(SessionSubscribe, unsubscribing_a_filter_held_by_two_subscribes_removes_it_from_both) {
  scripted_broker b(persistent_test_options());
  b.connect_ok();
  subscribed(b, "x/#");
  const std::vector<subscription> two = {{"x/#", {}}, {"y/#", {}}};
  const operation_id second = expect_id(b.subscribe(two));
  b.suback(b.expect<subscribe>()->packet_id,
           {reason_code::granted_qos_0, reason_code::granted_qos_0});
  b.next_event<operation_event>();
  expect_id(b.unsubscribe({"x/#"}));
  b.unsuback(b.expect<unsubscribe>()->packet_id, {reason_code::success});
  b.next_event<operation_event>();

  EXPECT_TRUE(routed(b, "x/1").empty());
  EXPECT_EQ(resubscribed_filters(b), std::vector<std::string>{"y/#"});
  EXPECT_EQ(routed(b, "y/1"), std::vector<operation_id>{second});
}

TEST(SessionSubscribe, a_filter_subscribed_again_after_unsubscribe_is_kept_once) {
  scripted_broker b(persistent_test_options());
  b.connect_ok();
  subscribed(b, "x/#");
  expect_id(b.unsubscribe({"x/#"}));
  b.unsuback(b.expect<unsubscribe>()->packet_id, {reason_code::success});
  b.next_event<operation_event>();
  const operation_id again = subscribed(b, "x/#");
  EXPECT_EQ(routed(b, "x/1"), std::vector<operation_id>{again});
  EXPECT_EQ(resubscribed_filters(b), std::vector<std::string>{"x/#"});
}

TEST(SessionSubscribe, a_subscribe_made_while_an_unsubscribe_is_on_its_way_survives_its_unsuback) {
  for (protocol_version v : {protocol_version::v311, protocol_version::v5}) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(persistent_test_options(v));
    b.connect_ok();
    subscribed(b, "x/#");
    expect_id(b.unsubscribe({"x/#"}));
    const sent<unsubscribe> u = b.expect<unsubscribe>();
    // Subscribed again before the UNSUBACK: the broker processes both in order, so the filter
    // ends up subscribed, and so must it here.
    const operation_id again = expect_id(b.subscribe("x/#"));
    const sent<subscribe> s = b.expect<subscribe>();
    if (v == protocol_version::v5) {
      b.unsuback(u->packet_id, {reason_code::success});
    } else {
      b.unsuback(u->packet_id, {});
    }
    b.next_event<operation_event>();
    b.suback(s->packet_id, {reason_code::granted_qos_0});
    EXPECT_EQ(b.next_event<operation_event>().id, again);
    EXPECT_EQ(routed(b, "x/1"), std::vector<operation_id>{again});
    EXPECT_EQ(resubscribed_filters(b), std::vector<std::string>{"x/#"});
  }
}

TEST(SessionSubscribe, thousands_of_subscriptions_unsubscribed_in_any_order_keep_the_rest_exact) {
  scripted_broker b(persistent_test_options());
  b.connect_ok();
  constexpr std::size_t count = 2'000;
  std::vector<std::string> filters;
  std::vector<operation_id> ops;
  for (std::size_t i = 0; i < count; ++i) {
    filters.push_back("site/" + std::to_string(i) + (i % 2 ? "/#" : "/+/temperature"));
    ops.push_back(subscribed(b, filters.back()));
  }
  // Every third filter, from the end backwards.
  for (std::size_t i = count; i-- > 0;) {
    if (i % 3 != 0) continue;
    expect_id(b.unsubscribe({filters[i]}));
    b.unsuback(b.expect<unsubscribe>()->packet_id, {reason_code::success});
    b.next_event<operation_event>();
  }
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string topic = "site/" + std::to_string(i) + "/hall/temperature";
    const std::uint32_t own_id = static_cast<std::uint32_t>(i + 1);
    const message_event m = deliver_with_ids(b, topic, {own_id});
    if (i % 3 == 0) {
      EXPECT_TRUE(m.subscriptions.empty()) << topic;
    } else {
      EXPECT_EQ(m.subscriptions, std::vector<operation_id>{ops[i]}) << topic;
      EXPECT_TRUE(ids_of(m.message.view().props).empty()) << topic;
      kept.push_back(filters[i]);
    }
  }
  EXPECT_EQ(resubscribed_filters(b), kept);
}

TEST(SessionSubscribe, subscribe_unanswered_when_the_connection_drops_is_sent_again) {
  // The SUBACK never came: the operation is still pending. The header is silent on this
  // case; a careful user expects the subscription to be made and the operation to complete
  // once, so the command goes out again on the next connection (SUBSCRIBE is idempotent).
  scripted_broker b(persistent_test_options());
  b.connect_ok();
  const operation_id id = expect_id(b.subscribe("x/#"));
  b.expect<subscribe>();
  b.lose_connection();
  b.connect_ok(true);
  std::vector<sent<subscribe>> subs = b.take_all<subscribe>();
  ASSERT_EQ(subs.size(), 1u);
  b.suback(subs[0]->packet_id, {reason_code::granted_qos_0});
  std::vector<operation_event> done = b.take_events<operation_event>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].id, id);
  b.no_more_packets();
}

}  // namespace
}  // namespace mqttws::test
