// The client connects over every transport, reports refusals with the broker's reason, and
// rejects bad options before touching the network.
#include "client_test_util.hpp"

#include "mqttws/error.hpp"

namespace mqttws::test {
namespace {

class client_connect : public broker_suite {};

class client_connect_over : public client_connect,
                            public ::testing::WithParamInterface<listener> {};

TEST_P(client_connect_over, ConnectsPublishesAndDisconnects) {
  client c(io.get_executor(), options_for(broker(), GetParam()));
  outcome<connect_result> o = connect(io, c);
  ASSERT_FALSE(o.ec) << describe(o.ec, o.value.reason, o.value.reason_string);
  EXPECT_FALSE(o.value.connected.session_present);
  EXPECT_EQ(c.state(), session_state::connected);

  std::vector<std::string> got;
  ASSERT_FALSE(subscribe(io, c, "t/" + std::string(to_string(GetParam())), qos::at_least_once,
                         [&](const message& m) { got.emplace_back(m.view().payload); })
                   .ec);
  outcome<publish_result> p =
      publish(io, c, "t/" + std::string(to_string(GetParam())), "hello", qos::at_least_once);
  ASSERT_FALSE(p.ec) << p.ec.message();
  EXPECT_EQ(p.value.code, reason_code::success);
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 1; }));
  EXPECT_EQ(got[0], "hello");

  disconnect(io, c);
  EXPECT_EQ(c.state(), session_state::closed);
  EXPECT_EQ(c.stats().session.connections, 1u);
}

INSTANTIATE_TEST_SUITE_P(all, client_connect_over,
                         ::testing::Values(listener::mqtt, listener::mqtts, listener::ws,
                                           listener::wss, listener::mqtts_mutual),
                         [](const auto& param_info) { return std::string(to_string(param_info.param)); });

TEST_F(client_connect, BadPasswordIsRefusedNotAuthorizedOnV5) {
  client c(io.get_executor(), options_for(broker(), listener::ws, "user", "wrong"));
  int disconnects = 0;
  c.on_disconnected([&](const disconnected_event& e) {
    ++disconnects;
    EXPECT_FALSE(e.will_reconnect);
  });
  outcome<connect_result> o = connect(io, c);
  EXPECT_EQ(o.ec, errc::connection_refused);
  ASSERT_TRUE(o.value.reason.has_value());
  EXPECT_EQ(*o.value.reason, reason_code::not_authorized);
  EXPECT_EQ(describe(o.ec, o.value.reason), "connection refused: Not authorized (0x87)");
  EXPECT_EQ(disconnects, 1);
  EXPECT_EQ(c.state(), session_state::closed);  // a refusal reconnecting cannot fix
}

TEST_F(client_connect, BadPasswordIsRefusedWithReturnCode5OnV311) {
  client_options o = options_for(broker(), listener::mqtt, "user", "wrong");
  o.version = protocol_version::v311;
  client c(io.get_executor(), o);
  outcome<connect_result> r = connect(io, c);
  EXPECT_EQ(r.ec, errc::connection_refused);
  ASSERT_TRUE(r.value.reason.has_value());
  // 3.1.1 return code 5 "not authorized" maps onto the MQTT 5 code.
  EXPECT_EQ(*r.value.reason, reason_code::not_authorized);
}

TEST_F(client_connect, NoBrokerOnThePortFailsAfterTheOnlyEndpoint) {
  client_options o = options_for(broker(), listener::mqtt);
  o.endpoints = {"mqtt://127.0.0.1:" + std::to_string(free_loopback_port())};
  o.reconnect = false;
  client c(io.get_executor(), o);
  outcome<connect_result> r = connect(io, c);
  EXPECT_EQ(r.ec, std::errc::connection_refused) << r.ec.message();
  EXPECT_FALSE(r.value.reason.has_value());
  EXPECT_EQ(c.state(), session_state::closed);
}

TEST_F(client_connect, KeepsReconnectingInTheBackgroundAfterReportingTheFirstRound) {
  client_options o = options_for(broker(), listener::mqtt);
  o.endpoints = {"mqtt://127.0.0.1:" + std::to_string(free_loopback_port())};
  client c(io.get_executor(), o);
  int reconnecting = 0;
  c.on_reconnecting([&](const reconnecting_event&) { ++reconnecting; });
  outcome<connect_result> r = connect(io, c);
  EXPECT_TRUE(r.ec);
  ASSERT_TRUE(run_until(io, [&] { return reconnecting >= 2; }));
  EXPECT_EQ(c.state() == session_state::closed, false);
  disconnect(io, c);
  EXPECT_EQ(c.state(), session_state::closed);
}

TEST_F(client_connect, BadUrlIsReportedByValidateAndConnect) {
  client_options o = options_for(broker(), listener::mqtt);
  o.endpoints = {"http://127.0.0.1:1883"};
  EXPECT_EQ(client::validate(o), transport_errc::url_unknown_scheme);
  client c(io.get_executor(), o);
  outcome<connect_result> r = connect(io, c);
  EXPECT_EQ(r.ec, transport_errc::url_unknown_scheme);
  EXPECT_EQ(c.stats().transports_opened, 0u);
}

TEST_F(client_connect, InvalidOptionsAreReportedByValidateAndConnect) {
  client_options o = options_for(broker(), listener::mqtt);
  o.endpoints.clear();
  EXPECT_EQ(client::validate(o), errc::invalid_options);
  o = options_for(broker(), listener::mqtt);
  o.version = protocol_version::v311;
  o.session_expiry_interval = 10;
  EXPECT_EQ(client::validate(o), errc::properties_require_v5);
  client c(io.get_executor(), o);
  EXPECT_EQ(connect(io, c).ec, errc::properties_require_v5);
}

TEST_F(client_connect, SecondConnectWhileConnectingIsInvalidState) {
  client c(io.get_executor(), options_for(broker(), listener::mqtt));
  outcome<connect_result> first, second;
  c.async_connect(first.handler());
  c.async_connect(second.handler());
  ASSERT_TRUE(run_until(io, [&] { return first.done && second.done; }));
  EXPECT_FALSE(first.ec);
  EXPECT_EQ(second.ec, errc::invalid_state);
}

TEST_F(client_connect, ConnectsAgainAfterDisconnect) {
  client c(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, c);
  disconnect(io, c);
  connect_ok(io, c);
  EXPECT_EQ(c.state(), session_state::connected);
  disconnect(io, c);
}

TEST_F(client_connect, DisconnectWhileConnectingEndsTheConnectWithSessionClosed) {
  client c(io.get_executor(), options_for(broker(), listener::wss));
  int disconnects = 0;
  c.on_disconnected([&](const disconnected_event& e) {
    ++disconnects;
    EXPECT_FALSE(e.ec);
  });
  outcome<connect_result> r;
  c.async_connect(r.handler());
  disconnect(io, c);
  ASSERT_TRUE(run_until(io, [&] { return r.done; }));
  EXPECT_EQ(r.ec, errc::session_closed);
  EXPECT_EQ(disconnects, 1);
  EXPECT_EQ(c.state(), session_state::closed);
  run_for(io, 100ms);
  EXPECT_EQ(disconnects, 1);
}

TEST_F(client_connect, NothingIsLeftPendingOnTheExecutorOnceDisconnected) {
  // The README's example returns from io.run() when it has disconnected: no timer of the
  // client's (connect timeout, keepalive) may outlive the session.
  client c(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, c);
  disconnect(io, c);
  io.restart();
  io.run_for(std::chrono::seconds(5));  // well below the 30 s connect timeout
  EXPECT_TRUE(io.stopped()) << "work still pending on the executor after disconnect";
}

TEST_F(client_connect, DisconnectWhenClosedCompletesAtOnce) {
  client c(io.get_executor(), options_for(broker(), listener::mqtt));
  disconnect(io, c);
  disconnect(io, c);
}

TEST_F(client_connect, DestroyingTheClientAbortsPendingOperations) {
  std::optional<client> c;
  c.emplace(io.get_executor(), options_for(broker(), listener::ws));
  outcome<connect_result> r;
  outcome<publish_result> p;
  c->async_connect(r.handler());
  c->async_publish("t/destroy", "x", qos::at_least_once, false, p.handler());
  c.reset();  // before anything completed
  ASSERT_TRUE(run_until(io, [&] { return r.done && p.done; }));
  EXPECT_EQ(r.ec, std::errc::operation_canceled);
  EXPECT_EQ(p.ec, std::errc::operation_canceled);
  run_for(io, 100ms);  // the transport's own handlers run to their end harmlessly
}

TEST_F(client_connect, HandlersNeverRunInsideTheInitiatingCall) {
  client c(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, c);
  bool inside = true, called = false;
  c.async_publish("t/inline", "x", qos::at_most_once, false,
                  [&](std::error_code, publish_result) { called = true; EXPECT_FALSE(inside); });
  inside = false;
  ASSERT_TRUE(run_until(io, [&] { return called; }));
  disconnect(io, c);
}

}  // namespace
}  // namespace mqttws::test
