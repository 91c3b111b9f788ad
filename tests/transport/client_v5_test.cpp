// MQTT 5 through a real broker: message properties round trip, topic aliases, request /
// response, and the will message.
#include "client_test_util.hpp"

#include <optional>

namespace mqttws::test {
namespace {

class client_v5 : public broker_suite {};

TEST_F(client_v5, MessagePropertiesRoundTrip) {
  const std::string topic = unique_id("props");
  client c(io.get_executor(), options_for(broker(), listener::wss));
  connect_ok(io, c);
  std::optional<message> got;
  ASSERT_FALSE(subscribe(io, c, topic, qos::exactly_once, [&](const message& m) { got = m; }).ec);

  const user_property ups[] = {{"unit", "celsius"}, {"unit", "kelvin"}, {"room", "kitchen"}};
  mqttws::publish p;
  p.topic = topic;
  p.payload = "{\"t\":21}";
  p.qos = qos::exactly_once;
  p.props.user_properties = ups;
  p.props.content_type = "application/json";
  p.props.response_topic = "reply/here";
  p.props.correlation_data = std::string_view("\x01\x00\x02", 3);
  p.props.message_expiry_interval = 3600;
  p.props.payload_format_indicator = 1;
  outcome<publish_result> r;
  c.async_publish(p, r.handler());
  ASSERT_TRUE(run_until(io, [&] { return r.done && got.has_value(); }));
  ASSERT_FALSE(r.ec);

  const properties& q = got->view().props;
  std::vector<std::pair<std::string, std::string>> got_ups;
  for (const user_property& u : q.user_properties) got_ups.emplace_back(u.name, u.value);
  EXPECT_EQ(got_ups, (std::vector<std::pair<std::string, std::string>>{
                         {"unit", "celsius"}, {"unit", "kelvin"}, {"room", "kitchen"}}));
  EXPECT_EQ(q.content_type, std::optional<std::string_view>("application/json"));
  EXPECT_EQ(q.response_topic, std::optional<std::string_view>("reply/here"));
  EXPECT_EQ(q.correlation_data, std::optional<std::string_view>(std::string_view("\x01\x00\x02", 3)));
  EXPECT_EQ(q.payload_format_indicator, std::optional<std::uint8_t>(1));
  ASSERT_TRUE(q.message_expiry_interval.has_value());
  EXPECT_LE(*q.message_expiry_interval, 3600u);  // the broker forwards the time left
  EXPECT_GE(*q.message_expiry_interval, 3590u);
  EXPECT_EQ(got->view().payload, "{\"t\":21}");
  disconnect(io, c);
}

TEST_F(client_v5, ExpiredMessageIsNotDeliveredToALateSubscriber) {
  const std::string topic = unique_id("expiry");
  client c(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, c);
  mqttws::publish p;
  p.topic = topic;
  p.payload = "short-lived";
  p.qos = qos::at_least_once;
  p.retain = true;
  p.props.message_expiry_interval = 1;
  outcome<publish_result> r;
  c.async_publish(p, r.handler());
  ASSERT_TRUE(run_until(io, [&] { return r.done; }));
  run_for(io, 2100ms);
  int got = 0;
  ASSERT_FALSE(subscribe(io, c, topic, qos::at_least_once, [&](const message&) { ++got; }).ec);
  run_for(io, 200ms);
  EXPECT_EQ(got, 0);
  disconnect(io, c);
}

TEST_F(client_v5, OutboundTopicAliasesReachTheBrokerIntact) {
  // mosquitto grants Topic Alias Maximum 10: the session replaces repeated topics by aliases,
  // and the subscriber (without aliases of its own) must still see the full topic names.
  const std::string root = unique_id("alias");
  client pub(io.get_executor(), options_for(broker(), listener::ws));
  std::uint16_t alias_max = 0;
  pub.on_connected([&](const connected_event& e) { alias_max = e.topic_alias_maximum; });
  connect_ok(io, pub);
  EXPECT_GT(alias_max, 0);
  client sub(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, sub);
  std::vector<std::string> topics;
  ASSERT_FALSE(subscribe(io, sub, root + "/#", qos::at_least_once, [&](const message& m) {
                 topics.emplace_back(m.view().topic);
               }).ec);
  constexpr int n = 30;
  int done = 0;
  for (int i = 0; i < n; ++i) {
    pub.async_publish(root + "/sensor/" + std::to_string(i % 3), "v", qos::at_least_once, false,
                      [&](std::error_code ec, publish_result) {
                        EXPECT_FALSE(ec);
                        ++done;
                      });
  }
  ASSERT_TRUE(run_until(io, [&] { return done == n && topics.size() == std::size_t{n}; }));
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(topics[static_cast<std::size_t>(i)], root + "/sensor/" + std::to_string(i % 3));
  }
  // The same messages without aliases take more bytes: the aliases were really used.
  client_options no_alias = options_for(broker(), listener::ws);
  no_alias.auto_topic_alias = false;
  client plain(io.get_executor(), no_alias);
  connect_ok(io, plain);
  const std::uint64_t before = plain.stats().session.bytes_sent;
  const std::uint64_t aliased_before = pub.stats().session.bytes_sent;
  done = 0;
  for (int i = 0; i < n; ++i) {
    const std::string t = root + "/sensor/" + std::to_string(i % 3);
    plain.async_publish(t, "v", qos::at_least_once, false,
                        [&](std::error_code, publish_result) { ++done; });
    pub.async_publish(t, "v", qos::at_least_once, false,
                      [&](std::error_code, publish_result) { ++done; });
  }
  ASSERT_TRUE(run_until(io, [&] { return done == 2 * n && topics.size() == std::size_t{3 * n}; }));
  const std::uint64_t plain_bytes = plain.stats().session.bytes_sent - before;
  const std::uint64_t aliased_bytes = pub.stats().session.bytes_sent - aliased_before;
  // Aliased: the topic (root + "/sensor/k") is replaced by a 3-byte alias property after
  // the first use of each topic (already used above), so every message is shorter.
  EXPECT_EQ(plain_bytes - aliased_bytes, std::uint64_t{n} * (root.size() + 9 - 3));
  disconnect(io, plain);
  disconnect(io, pub);
  disconnect(io, sub);
}

TEST_F(client_v5, InboundTopicAliasesFromTheBrokerAreResolved) {
  // We accept aliases (topic_alias_maximum); whether mosquitto uses them or not, every
  // message must carry its full topic name.
  const std::string topic = unique_id("inbound-alias/t");
  client_options o = options_for(broker(), listener::mqtt);
  o.topic_alias_maximum = 5;
  client c(io.get_executor(), o);
  connect_ok(io, c);
  std::vector<std::string> topics;
  ASSERT_FALSE(subscribe(io, c, topic, qos::at_most_once, [&](const message& m) {
                 topics.emplace_back(m.view().topic);
               }).ec);
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(publish(io, c, topic, "x", qos::at_least_once).ec);
  ASSERT_TRUE(run_until(io, [&] { return topics.size() == 5; }));
  for (const std::string& t : topics) EXPECT_EQ(t, topic);
  disconnect(io, c);
}

TEST_F(client_v5, RequestGetsTheCorrelatedResponse) {
  const std::string service = unique_id("svc/echo");
  client server(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, server);
  ASSERT_FALSE(subscribe(io, server, service, qos::at_least_once, [&](const message& m) {
                 const std::string body = "re:" + std::string(m.view().payload);
                 mqttws::publish reply;
                 reply.topic = *m.view().props.response_topic;
                 reply.payload = body;
                 reply.qos = qos::at_least_once;
                 reply.props.correlation_data = m.view().props.correlation_data;
                 // The views point into `m`, valid during this call: initiated at once.
                 server.async_publish(reply, [](std::error_code, publish_result) {});
               }).ec);

  client requester(io.get_executor(), options_for(broker(), listener::ws));
  connect_ok(io, requester);
  mqttws::publish q;
  q.topic = service;
  q.payload = "ping";
  q.qos = qos::at_least_once;
  outcome<message> r;
  requester.async_request(q, 5s, r.handler());
  ASSERT_TRUE(run_until(io, [&] { return r.done; }));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.value.view().payload, "re:ping");
  disconnect(io, requester);
  disconnect(io, server);
}

TEST_F(client_v5, WillIsPublishedWhenTheConnectionEndsWithoutDisconnect) {
  const std::string topic = unique_id("status");
  client watcher(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, watcher);
  std::vector<std::pair<std::string, std::string>> got;
  ASSERT_FALSE(subscribe(io, watcher, topic, qos::at_least_once, [&](const message& m) {
                 std::string ct(m.view().props.content_type.value_or(""));
                 got.emplace_back(std::string(m.view().payload), ct);
               }).ec);

  client_options o = options_for(broker(), listener::ws);
  o.will = will_options{};
  o.will->topic = topic;
  o.will->payload = "offline";
  o.will->qos = qos::at_least_once;
  o.will->content_type = "text/plain";
  {
    client device(io.get_executor(), o);
    connect_ok(io, device);
    run_for(io, 50ms);
  }  // destroyed: the connection drops without DISCONNECT
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 1; }));
  EXPECT_EQ(got[0], std::make_pair(std::string("offline"), std::string("text/plain")));

  // An orderly disconnect does not publish the will.
  client device(io.get_executor(), o);
  connect_ok(io, device);
  disconnect(io, device);
  run_for(io, 300ms);
  EXPECT_EQ(got.size(), 1u);
  disconnect(io, watcher);
}

TEST_F(client_v5, WillOnV311) {
  const std::string topic = unique_id("status311");
  client watcher(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, watcher);
  int got = 0;
  ASSERT_FALSE(subscribe(io, watcher, topic, qos::at_least_once, [&](const message& m) {
                 EXPECT_EQ(m.view().payload, "gone");
                 ++got;
               }).ec);
  client_options o = options_for(broker(), listener::mqtt);
  o.version = protocol_version::v311;
  o.will.emplace();
  o.will->topic = topic;
  o.will->payload = "gone";
  o.will->qos = qos::at_least_once;
  {
    client device(io.get_executor(), o);
    connect_ok(io, device);
  }
  ASSERT_TRUE(run_until(io, [&] { return got == 1; }));
  disconnect(io, watcher);
}

}  // namespace
}  // namespace mqttws::test
