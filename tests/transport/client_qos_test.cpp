// QoS 0, 1 and 2 in both directions through the broker, with exact counts and order.
#include "client_test_util.hpp"

namespace mqttws::test {
namespace {

class client_qos : public broker_suite, public ::testing::WithParamInterface<qos> {};

TEST_P(client_qos, EveryMessageArrivesOnceInOrder) {
  const qos q = GetParam();
  const std::string topic = unique_id("qos/t");
  client sub(io.get_executor(), options_for(broker(), listener::ws));
  client pub(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, sub);
  connect_ok(io, pub);

  std::vector<std::string> got;
  std::vector<qos> got_qos;
  auto s = subscribe(io, sub, topic, q, [&](const message& m) {
    got.emplace_back(m.view().payload);
    got_qos.push_back(m.view().qos);
  });
  ASSERT_FALSE(s.ec);
  ASSERT_EQ(s.value.codes.size(), 1u);
  EXPECT_EQ(static_cast<int>(s.value.codes[0]), static_cast<int>(q));  // granted QoS

  constexpr int n = 200;
  int completed = 0, failed = 0;
  for (int i = 0; i < n; ++i) {
    pub.async_publish(topic, std::to_string(i), q, false,
                      [&](std::error_code ec, publish_result r) {
                        ++completed;
                        if (ec || !is_success(r.code)) ++failed;
                      });
  }
  ASSERT_TRUE(run_until(io, [&] { return completed == n && got.size() >= std::size_t{n}; }))
      << completed << " completed, " << got.size() << " received";
  run_for(io, 200ms);  // no duplicates arrive late
  EXPECT_EQ(failed, 0);
  ASSERT_EQ(got.size(), std::size_t{n});
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(got[static_cast<std::size_t>(i)], std::to_string(i));
    EXPECT_EQ(got_qos[static_cast<std::size_t>(i)], q);
  }
  EXPECT_EQ(pub.stats().session.messages_sent, std::uint64_t{n});
  EXPECT_EQ(sub.stats().session.messages_received, std::uint64_t{n});
  EXPECT_EQ(pub.stats().session.inflight_outgoing, 0u);
  EXPECT_EQ(sub.stats().session.inflight_incoming, 0u);
  disconnect(io, pub);
  disconnect(io, sub);
}

TEST_P(client_qos, SubscriptionQosCapsDelivery) {
  // Published at QoS 2, subscribed at GetParam(): delivered at the lower of the two.
  const std::string topic = unique_id("qos/cap");
  client c(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, c);
  std::vector<qos> got;
  ASSERT_FALSE(subscribe(io, c, topic, GetParam(), [&](const message& m) {
                 got.push_back(m.view().qos);
               }).ec);
  EXPECT_FALSE(publish(io, c, topic, "x", qos::exactly_once).ec);
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 1; }));
  EXPECT_EQ(got[0], GetParam());
  disconnect(io, c);
}

INSTANTIATE_TEST_SUITE_P(all, client_qos,
                         ::testing::Values(qos::at_most_once, qos::at_least_once,
                                           qos::exactly_once),
                         [](const auto& param_info) {
                           return "qos" + std::to_string(static_cast<int>(param_info.param));
                         });

TEST(client_qos_puback, Qos1WithoutSubscribersIsSuccessNoMatchingSubscribers) {
  mosquitto_fixture broker;
  broker.start();
  asio::io_context io;
  client c(io.get_executor(), options_for(broker, listener::mqtt));
  connect_ok(io, c);
  outcome<publish_result> p = publish(io, c, unique_id("nobody/listens"), "x", qos::at_least_once);
  EXPECT_FALSE(p.ec);
  EXPECT_EQ(p.value.code, reason_code::no_matching_subscribers);
  disconnect(io, c);
}

}  // namespace
}  // namespace mqttws::test
