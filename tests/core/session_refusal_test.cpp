// Refused commands change nothing: every check that can refuse a command runs before the
// session changes any state. Each test refuses a command, shows that nothing was sent, queued,
// reported or counted, and then that the next accepted command gets the operation id, packet
// identifier (and for requests the number) it would have got had the refused one never been
// made.
#include <gtest/gtest.h>

#include <string>
#include <system_error>

#include "session_harness.hpp"

namespace mqttws::test {
namespace {

using namespace std::chrono;

// ---- what must stay the same --------------------------------------------------------------

::testing::AssertionResult same_stats(const session_stats& was, const session_stats& is) {
  ::testing::AssertionResult r = ::testing::AssertionSuccess();
  bool same = true;
  const auto field = [&](const char* name, auto a, auto b) {
    if (a == b) return;
    if (same) r = ::testing::AssertionFailure();
    same = false;
    r << name << " was " << a << ", is " << b << "; ";
  };
  field("state", to_string(was.state), to_string(is.state));
  field("inflight_outgoing", was.inflight_outgoing, is.inflight_outgoing);
  field("inflight_incoming", was.inflight_incoming, is.inflight_incoming);
  field("queued", was.queued, is.queued);
  field("queued_bytes", was.queued_bytes, is.queued_bytes);
  field("reconnect_attempts", was.reconnect_attempts, is.reconnect_attempts);
  field("connections", was.connections, is.connections);
  field("packets_sent", was.packets_sent, is.packets_sent);
  field("bytes_sent", was.bytes_sent, is.bytes_sent);
  field("messages_sent", was.messages_sent, is.messages_sent);
  return r;
}

/// After a refused command: nothing sent, reported or asked of the transport, and the same
/// counters and deadline as `was` (taken just before it).
void expect_unchanged(scripted_broker& b, const session_stats& was,
                      std::optional<time_point> deadline, here loc = {}) {
  EXPECT_TRUE(same_stats(was, b.stats())) << "at " << loc.file << ":" << loc.line;
  EXPECT_EQ(b.session().next_timeout(), deadline) << "at " << loc.file << ":" << loc.line;
  EXPECT_TRUE(b.actions().empty()) << "at " << loc.file << ":" << loc.line;
  b.no_more_packets(loc);
  b.no_more_events(loc);
}

/// A QoS 1 publish, sent and acknowledged: the operation id and packet identifier the next
/// ones follow.
struct ids {
  operation_id op = 0;
  std::uint16_t packet_id = 0;
};

ids acknowledged_publish(scripted_broker& b, here loc = {}) {
  ids out;
  out.op = expect_id(b.publish("ids/probe", "x", qos::at_least_once), loc);
  sent<publish> p = b.expect<publish>(loc);
  if (!p) return out;
  out.packet_id = p->packet_id;
  b.puback(p->packet_id, reason_code::success, loc);
  b.next_event<operation_event>(loc);
  return out;
}

/// The next publish gets the ids right after `last`: nothing in between took one.
void expect_next_ids(scripted_broker& b, const ids& last, here loc = {}) {
  const ids next = acknowledged_publish(b, loc);
  EXPECT_EQ(next.op, last.op + 1) << "at " << loc.file << ":" << loc.line;
  EXPECT_EQ(next.packet_id, last.packet_id + 1) << "at " << loc.file << ":" << loc.line;
}

/// A request accepted now, its SUBSCRIBE (when `subscribes`) answered: its Response Topic.
std::string accepted_request(scripted_broker& b, bool subscribes, here loc = {}) {
  publish q;
  q.topic = "svc/probe";
  expect_id(b.request(q, seconds(30)), loc);
  if (subscribes) {
    sent<subscribe> s = b.expect<subscribe>(loc);
    if (s) b.suback(s->packet_id, {reason_code::granted_qos_1}, loc);
  }
  sent<publish> p = b.expect<publish>(loc);
  return p && p->props.response_topic ? std::string(*p->props.response_topic) : std::string();
}

/// A store whose save() fails while `failing` is set (a full disk); otherwise memory.
class failing_store final : public session_store {
 public:
  bool failing = false;
  std::error_code save(const stored_publish& m) override {
    return failing ? std::make_error_code(std::errc::no_space_on_device) : data_.save(m);
  }
  std::error_code remove(std::uint64_t sequence) override { return data_.remove(sequence); }
  std::error_code save_incoming(std::uint16_t id) override { return data_.save_incoming(id); }
  std::error_code remove_incoming(std::uint16_t id) override {
    return data_.remove_incoming(id);
  }
  std::error_code load(std::vector<stored_publish>& messages,
                       std::vector<std::uint16_t>& incoming) override {
    return data_.load(messages, incoming);
  }
  std::error_code clear() override { return data_.clear(); }
  std::size_t message_count() const { return data_.message_count(); }

 private:
  memory_store data_;
};

// ---- request() --------------------------------------------------------------------------------

TEST(SessionRefusal, request_refused_by_the_queue_subscribes_to_nothing) {
  // Offline, QoS 0 without queue_qos0_offline: enqueue() refuses the publish.
  session_options o = test_options();
  o.queue_qos0_offline = false;
  scripted_broker b(o);
  const session_stats was = b.stats();
  publish q;
  q.topic = "svc/offline";
  EXPECT_TRUE(fails_with(b.request(q, seconds(10)), errc::invalid_state));
  expect_unchanged(b, was, std::nullopt);

  // No SUBSCRIBE for the response filter went out with the connection, and the next request
  // subscribes (the filter was not recorded as subscribed) and gets number 1.
  b.connect_ok();
  b.no_more_packets();
  const std::string topic = accepted_request(b, /*subscribes=*/true);
  EXPECT_EQ(topic, "mqttws/response/test-client/1");
  b.no_more_packets();
}

TEST(SessionRefusal, request_refused_because_the_queue_is_full_subscribes_to_nothing) {
  session_options o = test_options();
  o.max_queued = 1;
  scripted_broker b(o);
  expect_id(b.publish("fills/the/queue", "x", qos::at_least_once));
  const session_stats was = b.stats();
  publish q;
  q.topic = "svc/full";
  q.qos = qos::at_least_once;
  EXPECT_TRUE(fails_with(b.request(q, seconds(10)), errc::queue_full));
  expect_unchanged(b, was, std::nullopt);

  b.connect_ok();
  sent<publish> queued = b.expect<publish>();  // only the message queued before
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->topic, "fills/the/queue");
  b.no_more_packets();
}

TEST(SessionRefusal, request_refused_by_the_store_sends_nothing) {
  failing_store store;
  scripted_broker b(test_options(), &store);
  b.connect_ok();
  const ids last = acknowledged_publish(b);
  const session_stats was = b.stats();
  const auto deadline = b.session().next_timeout();
  store.failing = true;
  publish q;
  q.topic = "svc/disk-full";
  q.qos = qos::at_least_once;
  const result<operation_id> r = b.request(q, seconds(10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), std::make_error_code(std::errc::no_space_on_device));
  expect_unchanged(b, was, deadline);  // no SUBSCRIBE, no request timer
  store.failing = false;
  expect_next_ids(b, last);
  EXPECT_EQ(accepted_request(b, /*subscribes=*/true), "mqttws/response/test-client/1");
}

TEST(SessionRefusal, request_refused_by_the_brokers_limits_takes_no_number) {
  scripted_broker b(test_options());
  properties limits;
  limits.maximum_qos = qos::at_most_once;
  b.connect_ok(false, limits);
  const session_stats was = b.stats();
  const auto deadline = b.session().next_timeout();
  publish q;
  q.topic = "svc/qos1";
  q.qos = qos::at_least_once;
  EXPECT_TRUE(fails_with(b.request(q, seconds(10)), errc::qos_not_supported));
  expect_unchanged(b, was, deadline);
  EXPECT_EQ(accepted_request(b, /*subscribes=*/true), "mqttws/response/test-client/1");
}

TEST(SessionRefusal, request_refused_for_ambiguous_correlation_data_takes_no_number) {
  scripted_broker b(test_options());
  b.connect_ok();
  publish q;
  q.topic = "svc/a";
  q.props.correlation_data = "same";
  expect_id(b.request(q, seconds(30)));  // number 1
  sent<subscribe> s = b.expect<subscribe>();
  ASSERT_TRUE(s);
  b.suback(s->packet_id, {reason_code::granted_qos_1});
  b.expect<publish>();
  const session_stats was = b.stats();
  const auto deadline = b.session().next_timeout();
  EXPECT_TRUE(fails_with(b.request(q, seconds(30)), errc::invalid_state));
  expect_unchanged(b, was, deadline);
  EXPECT_EQ(accepted_request(b, /*subscribes=*/false), "mqttws/response/test-client/2");
}

// ---- publish() ----------------------------------------------------------------------------------

TEST(SessionRefusal, publish_refused_by_the_store_takes_no_ids) {
  failing_store store;
  scripted_broker b(test_options(), &store);
  b.connect_ok();
  const ids last = acknowledged_publish(b);
  const session_stats was = b.stats();
  const auto deadline = b.session().next_timeout();
  store.failing = true;
  EXPECT_FALSE(b.publish("a/b", "x", qos::exactly_once));
  expect_unchanged(b, was, deadline);
  EXPECT_EQ(store.message_count(), 0u);
  store.failing = false;
  expect_next_ids(b, last);
}

TEST(SessionRefusal, publish_refused_because_the_queue_is_full_takes_no_ids) {
  session_options o = test_options();
  o.max_queued = 1;
  scripted_broker b(o);
  const operation_id first = expect_id(b.publish("queued", "x", qos::at_least_once));
  const session_stats was = b.stats();
  EXPECT_TRUE(fails_with(b.publish("refused", "x", qos::at_least_once), errc::queue_full));
  expect_unchanged(b, was, std::nullopt);
  b.connect_ok();
  sent<publish> p = b.expect<publish>();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->topic, "queued");
  b.puback(p->packet_id);
  EXPECT_EQ(b.next_event<operation_event>().id, first);
  expect_next_ids(b, ids{first, p->packet_id});
}

TEST(SessionRefusal, publish_refused_by_the_brokers_limits_or_the_codec_takes_no_ids) {
  scripted_broker b(test_options());
  properties limits;
  limits.retain_available = false;
  b.connect_ok(false, limits);
  const ids last = acknowledged_publish(b);
  const session_stats was = b.stats();
  const auto deadline = b.session().next_timeout();
  EXPECT_TRUE(fails_with(b.publish("a", "x", qos::at_least_once, /*retain=*/true),
                         errc::retain_not_supported));
  EXPECT_TRUE(fails_with(b.publish("a/+", "x", qos::at_least_once), errc::invalid_topic_name));
  expect_unchanged(b, was, deadline);
  expect_next_ids(b, last);
}

// ---- subscribe() and unsubscribe() ---------------------------------------------------------------

TEST(SessionRefusal, subscribe_refused_records_no_route_and_takes_no_ids) {
  scripted_broker b(test_options());
  b.connect_ok();
  const ids last = acknowledged_publish(b);
  const session_stats was = b.stats();
  const auto deadline = b.session().next_timeout();
  properties bad;
  bad.topic_alias = 1;  // a PUBLISH property: not allowed in SUBSCRIBE
  const std::vector<subscription> subs = {{"news/#", subscribe_options{qos::at_least_once}}};
  EXPECT_TRUE(fails_with(b.subscribe(subs, bad), errc::property_not_allowed));
  EXPECT_TRUE(fails_with(b.subscribe("news/#/x"), errc::invalid_topic_filter));
  expect_unchanged(b, was, deadline);

  // No route: a message on the refused filter is reported for no subscription.
  b.deliver("news/today", "hello");
  message_event m = b.next_event<message_event>();
  EXPECT_TRUE(m.subscriptions.empty());
  expect_next_ids(b, last);
  // Nor was the session's own Subscription Identifier used up: the next SUBSCRIBE has the
  // first one.
  expect_id(b.subscribe("news/#"));
  sent<subscribe> s = b.expect<subscribe>();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->packet_id, last.packet_id + 2);
  ASSERT_EQ(s->props.subscription_identifiers.size(), 1u);
  EXPECT_EQ(*s->props.subscription_identifiers.begin(), 1u);
}

TEST(SessionRefusal, unsubscribe_refused_takes_no_ids) {
  scripted_broker b(test_options());
  b.connect_ok();
  const ids last = acknowledged_publish(b);
  const session_stats was = b.stats();
  const auto deadline = b.session().next_timeout();
  properties bad;
  bad.topic_alias = 1;
  EXPECT_TRUE(fails_with(b.unsubscribe({"a/b"}, bad), errc::property_not_allowed));
  EXPECT_TRUE(fails_with(b.unsubscribe({"a/#/b"}), errc::invalid_topic_filter));
  expect_unchanged(b, was, deadline);
  expect_next_ids(b, last);
}

// ---- disconnect(), authenticate() and the rest --------------------------------------------------

TEST(SessionRefusal, disconnect_refused_leaves_the_session_and_its_operations) {
  scripted_broker b(test_options());  // no Session Expiry Interval in the CONNECT
  b.connect_ok();
  const operation_id pending = expect_id(b.publish("a", "x", qos::at_least_once));
  sent<publish> p = b.expect<publish>();
  ASSERT_TRUE(p);
  const session_stats was = b.stats();
  const auto deadline = b.session().next_timeout();
  properties revive;
  revive.session_expiry_interval = 60;
  EXPECT_TRUE(is_error(b.disconnect(reason_code::normal_disconnection, revive),
                       errc::invalid_property_value));
  properties bad;
  bad.topic_alias = 1;
  EXPECT_TRUE(is_error(b.disconnect(reason_code::normal_disconnection, bad),
                       errc::property_not_allowed));
  expect_unchanged(b, was, deadline);
  // The publish is still pending, and completes as usual.
  b.puback(p->packet_id);
  EXPECT_EQ(b.next_event<operation_event>().id, pending);
  expect_next_ids(b, ids{pending, p->packet_id});
}

TEST(SessionRefusal, authenticate_refused_sends_nothing) {
  session_options o = test_options();
  o.connect_properties.authentication_method = "SCRAM-SHA-256";
  scripted_broker b(o);
  const session_stats idle = b.stats();
  EXPECT_TRUE(is_error(b.authenticate(reason_code::re_authenticate, {}), errc::invalid_state));
  expect_unchanged(b, idle, std::nullopt);
  b.connect_ok();
  const session_stats was = b.stats();
  const auto deadline = b.session().next_timeout();
  EXPECT_TRUE(is_error(b.authenticate(reason_code::success, {}), errc::invalid_reason_code));
  properties bad;
  bad.topic_alias = 1;
  EXPECT_TRUE(is_error(b.authenticate(reason_code::re_authenticate, bad),
                       errc::property_not_allowed));
  expect_unchanged(b, was, deadline);
}

TEST(SessionRefusal, set_credentials_refused_keeps_the_old_ones) {
  session_options o = test_options(protocol_version::v311);
  o.username = "old-user";
  o.password = "old-pass";
  scripted_broker b(o);
  EXPECT_TRUE(is_error(b.session().set_credentials(std::nullopt, std::string_view("new-pass")),
                       errc::invalid_options));
  const auto c = b.connect_ok();
  ASSERT_TRUE(c.connect);
  EXPECT_EQ(c.connect->username, std::optional<std::string_view>("old-user"));
  EXPECT_EQ(c.connect->password, std::optional<std::string_view>("old-pass"));
}

TEST(SessionRefusal, cancel_ping_and_reconnect_refused_change_nothing) {
  scripted_broker b(test_options());
  const session_stats idle = b.stats();
  EXPECT_TRUE(is_error(b.ping(), errc::invalid_state));
  EXPECT_TRUE(is_error(b.reconnect(), errc::invalid_state));
  EXPECT_TRUE(is_error(b.cancel(7), errc::invalid_state));
  expect_unchanged(b, idle, std::nullopt);
  b.connect_ok();
  const ids last = acknowledged_publish(b);
  const session_stats was = b.stats();
  const auto deadline = b.session().next_timeout();
  EXPECT_TRUE(is_error(b.cancel(last.op), errc::invalid_state));  // complete already
  EXPECT_TRUE(is_error(b.connect(), errc::invalid_state));        // started already
  expect_unchanged(b, was, deadline);
  expect_next_ids(b, last);
}

}  // namespace
}  // namespace mqttws::test
