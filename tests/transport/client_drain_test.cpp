// async_disconnect with a drain timeout, against mosquitto: the QoS 1 publishes in flight
// complete before the disconnect does; a hung broker makes them fail with session_closed at
// the timeout instead.
#include "client_test_util.hpp"

namespace mqttws::test {
namespace {

class client_drain : public broker_suite {};

TEST_F(client_drain, InFlightQos1PublishesCompleteBeforeTheDisconnect) {
  client c(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, c);
  const std::string topic = unique_id("drain/t");
  constexpr int n = 50;
  int succeeded = 0, failed = 0;
  bool disconnected = false;
  int succeeded_before_disconnect = -1;
  for (int i = 0; i < n; ++i) {
    c.async_publish(topic, std::to_string(i), qos::at_least_once, false,
                    [&](std::error_code ec, publish_result) { ++(ec ? failed : succeeded); });
  }
  ASSERT_GT(c.stats().session.inflight_outgoing + c.stats().session.queued, 0u);
  std::error_code disconnect_ec = make_error_code(errc::operation_failed);
  c.async_disconnect(10s, [&](std::error_code ec) {
    disconnect_ec = ec;
    succeeded_before_disconnect = succeeded;
    disconnected = true;
  });
  outcome<publish_result> late = publish(io, c, topic, "late", qos::at_least_once);
  EXPECT_EQ(late.ec, make_error_code(errc::invalid_state)) << "no new work during a drain";

  ASSERT_TRUE(run_until(io, [&] { return disconnected; })) << succeeded << " succeeded";
  EXPECT_FALSE(disconnect_ec) << disconnect_ec.message();
  EXPECT_EQ(succeeded_before_disconnect, n);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(c.state(), session_state::closed);
}

TEST(client_drain_hung_broker, PublishesFailWithSessionClosedAtTheTimeout) {
  mosquitto_fixture broker;
  broker.start();
  asio::io_context io;
  client_options o = options_for(broker, listener::mqtt);
  o.close_timeout = 200ms;  // the frozen broker never answers the close either
  client c(io.get_executor(), o);
  connect_ok(io, c);

  broker.pause();
  constexpr int n = 5;
  std::vector<std::error_code> results;
  for (int i = 0; i < n; ++i) {
    c.async_publish("drain/hung", std::to_string(i), qos::at_least_once, false,
                    [&](std::error_code ec, publish_result) { results.push_back(ec); });
  }
  bool disconnected = false;
  std::size_t results_before_disconnect = 0;
  const auto start = std::chrono::steady_clock::now();
  c.async_disconnect(300ms, [&](std::error_code) {
    results_before_disconnect = results.size();
    disconnected = true;
  });
  run_for(io, 150ms);
  EXPECT_TRUE(results.empty()) << "still draining before the timeout";

  ASSERT_TRUE(run_until(io, [&] { return disconnected; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  EXPECT_EQ(results_before_disconnect, std::size_t{n});
  ASSERT_EQ(results.size(), std::size_t{n});
  for (std::error_code ec : results) EXPECT_EQ(ec, make_error_code(errc::session_closed));
  broker.resume();
}

}  // namespace
}  // namespace mqttws::test
