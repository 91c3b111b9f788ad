// Subscriptions through a real broker: wildcards, shared subscriptions, retained messages,
// per-subscription handlers, unsubscribe.
#include "client_test_util.hpp"

#include <algorithm>
#include <map>

namespace mqttws::test {
namespace {

class client_subscribe : public broker_suite {};

TEST_F(client_subscribe, WildcardsRouteToTheirOwnHandlers) {
  const std::string root = unique_id("home");
  client c(io.get_executor(), options_for(broker(), listener::ws));
  connect_ok(io, c);
  std::vector<std::string> plus, hash, all;
  c.on_message([&](const message& m) { all.emplace_back(m.view().topic); });
  ASSERT_FALSE(subscribe(io, c, root + "/+/temperature", qos::at_least_once,
                         [&](const message& m) { plus.emplace_back(m.view().topic); })
                   .ec);
  ASSERT_FALSE(subscribe(io, c, root + "/#", qos::at_least_once,
                         [&](const message& m) { hash.emplace_back(m.view().topic); })
                   .ec);
  for (const char* t : {"/kitchen/temperature", "/kitchen/light", "/hall/temperature",
                        "/hall/light/set"}) {
    ASSERT_FALSE(publish(io, c, root + t, "1", qos::at_least_once).ec);
  }
  ASSERT_TRUE(run_until(io, [&] { return hash.size() == 4 && plus.size() == 2; }));
  run_for(io, 100ms);
  EXPECT_EQ(plus, (std::vector<std::string>{root + "/kitchen/temperature",
                                            root + "/hall/temperature"}));
  EXPECT_EQ(hash.size(), 4u);
  // mosquitto sends one copy per matching subscription (each with our Subscription
  // Identifier, so each copy reaches its own handler only); on_message sees every copy.
  EXPECT_EQ(all.size(), 6u);
  disconnect(io, c);
}

TEST_F(client_subscribe, SharedSubscriptionSplitsMessagesBetweenMembers) {
  const std::string topic = unique_id("jobs");
  client a(io.get_executor(), options_for(broker(), listener::mqtt));
  client b(io.get_executor(), options_for(broker(), listener::ws));
  client pub(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, a);
  connect_ok(io, b);
  connect_ok(io, pub);
  int got_a = 0, got_b = 0;
  std::vector<std::string> payloads;
  auto sa = subscribe(io, a, "$share/workers/" + topic, qos::at_least_once,
                      [&](const message& m) {
                        ++got_a;
                        payloads.emplace_back(m.view().payload);
                      });
  auto sb = subscribe(io, b, "$share/workers/" + topic, qos::at_least_once,
                      [&](const message& m) {
                        ++got_b;
                        payloads.emplace_back(m.view().payload);
                      });
  ASSERT_FALSE(sa.ec);
  ASSERT_FALSE(sb.ec);
  EXPECT_EQ(sa.value.codes, std::vector<reason_code>{reason_code::granted_qos_1});
  constexpr int n = 40;
  int done = 0;
  for (int i = 0; i < n; ++i) {
    pub.async_publish(topic, std::to_string(i), qos::at_least_once, false,
                      [&](std::error_code, publish_result) { ++done; });
  }
  ASSERT_TRUE(run_until(io, [&] { return done == n && got_a + got_b == n; }));
  run_for(io, 100ms);
  EXPECT_EQ(got_a + got_b, n);  // each message to exactly one member
  EXPECT_GT(got_a, 0);
  EXPECT_GT(got_b, 0);
  std::sort(payloads.begin(), payloads.end());
  EXPECT_EQ(std::unique(payloads.begin(), payloads.end()), payloads.end());
  disconnect(io, a);
  disconnect(io, b);
  disconnect(io, pub);
}

TEST_F(client_subscribe, RetainedMessageIsDeliveredOnSubscribeWithRetainFlag) {
  const std::string topic = unique_id("state/light");
  client pub(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, pub);
  ASSERT_FALSE(publish(io, pub, topic, "on", qos::at_least_once, true).ec);

  client sub(io.get_executor(), options_for(broker(), listener::wss));
  connect_ok(io, sub);
  std::vector<std::pair<std::string, bool>> got;
  ASSERT_FALSE(subscribe(io, sub, topic, qos::at_least_once, [&](const message& m) {
                 got.emplace_back(std::string(m.view().payload), m.view().retain);
               }).ec);
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 1; }));
  EXPECT_EQ(got[0], std::make_pair(std::string("on"), true));

  // A live publish is not flagged retained for an existing subscription...
  ASSERT_FALSE(publish(io, pub, topic, "off", qos::at_least_once, true).ec);
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 2; }));
  EXPECT_EQ(got[1], std::make_pair(std::string("off"), false));
  // ...and an empty retained payload clears it.
  ASSERT_FALSE(publish(io, pub, topic, "", qos::at_least_once, true).ec);
  client late(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, late);
  int late_got = 0;
  ASSERT_FALSE(subscribe(io, late, topic, qos::at_least_once,
                         [&](const message&) { ++late_got; }).ec);
  run_for(io, 200ms);
  EXPECT_EQ(late_got, 0);
  disconnect(io, late);
  disconnect(io, sub);
  disconnect(io, pub);
}

TEST_F(client_subscribe, UnsubscribeStopsDeliveryAndTheHandler) {
  const std::string topic = unique_id("unsub");
  client c(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, c);
  int handler = 0, global = 0;
  c.on_message([&](const message&) { ++global; });
  ASSERT_FALSE(subscribe(io, c, topic, qos::at_least_once, [&](const message&) { ++handler; }).ec);
  ASSERT_FALSE(publish(io, c, topic, "1", qos::at_least_once).ec);
  ASSERT_TRUE(run_until(io, [&] { return handler == 1; }));

  outcome<unsubscribe_result> u;
  c.async_unsubscribe(topic, u.handler());
  ASSERT_TRUE(run_until(io, [&] { return u.done; }));
  ASSERT_FALSE(u.ec);
  EXPECT_EQ(u.value.codes, std::vector<reason_code>{reason_code::success});
  ASSERT_FALSE(publish(io, c, topic, "2", qos::at_least_once).ec);
  run_for(io, 200ms);
  EXPECT_EQ(handler, 1);
  EXPECT_EQ(global, 1);

  outcome<unsubscribe_result> again;
  c.async_unsubscribe(topic, again.handler());
  ASSERT_TRUE(run_until(io, [&] { return again.done; }));
  EXPECT_EQ(again.value.codes, std::vector<reason_code>{reason_code::no_subscription_existed});
  disconnect(io, c);
}

TEST_F(client_subscribe, AHandlerIsDestroyedWhenTheSessionEndsItsSubscription) {
  // The client keeps a handler only while the session routes to its subscription: the
  // UNSUBACK of a later unsubscribe ends it (not the unsubscribe call), and so does the end.
  const std::string topic = unique_id("lifetime");
  client c(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, c);
  auto unsubscribed_token = std::make_shared<int>(0);
  auto closed_token = std::make_shared<int>(0);
  const std::weak_ptr<int> unsubscribed_alive = unsubscribed_token, closed_alive = closed_token;
  ASSERT_FALSE(subscribe(io, c, topic + "/a", qos::at_least_once,
                         [t = std::move(unsubscribed_token)](const message&) {}).ec);
  ASSERT_FALSE(subscribe(io, c, topic + "/b", qos::at_least_once,
                         [t = std::move(closed_token)](const message&) {}).ec);
  outcome<unsubscribe_result> u;
  c.async_unsubscribe(topic + "/a", u.handler());
  EXPECT_FALSE(unsubscribed_alive.expired());  // until the UNSUBACK
  ASSERT_TRUE(run_until(io, [&] { return u.done; }));
  EXPECT_TRUE(unsubscribed_alive.expired());
  EXPECT_FALSE(closed_alive.expired());
  disconnect(io, c);
  EXPECT_TRUE(closed_alive.expired());
}

TEST_F(client_subscribe, InvalidFilterFailsAtOnce) {
  client c(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, c);
  outcome<subscribe_result> s = subscribe(io, c, "a/#/b", qos::at_most_once);
  EXPECT_EQ(s.ec, errc::invalid_topic_filter);
  disconnect(io, c);
}

TEST_F(client_subscribe, SeveralFiltersInOneSubscribe) {
  const std::string root = unique_id("multi");
  client c(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, c);
  const std::string f1 = root + "/a", f2 = root + "/b";
  const subscription subs[] = {{f1, {qos::at_most_once}}, {f2, {qos::exactly_once}}};
  int got = 0;
  outcome<subscribe_result> s;
  c.async_subscribe(subscription_list(subs), [&](const message&) { ++got; }, s.handler());
  ASSERT_TRUE(run_until(io, [&] { return s.done; }));
  ASSERT_FALSE(s.ec);
  EXPECT_EQ(s.value.codes,
            (std::vector<reason_code>{reason_code::granted_qos_0, reason_code::granted_qos_2}));
  ASSERT_FALSE(publish(io, c, f1, "x", qos::at_least_once).ec);
  ASSERT_FALSE(publish(io, c, f2, "y", qos::at_least_once).ec);
  ASSERT_TRUE(run_until(io, [&] { return got == 2; }));
  disconnect(io, c);
}

}  // namespace
}  // namespace mqttws::test
