// A broker that stops answering (SIGSTOP) or a link that stalls (fault_proxy): the keepalive
// detects the half-open connection, and an orderly close is bounded by close_timeout.
#include "client_test_util.hpp"

#include <signal.h>

#include <boost/asio/steady_timer.hpp>

#include "fault_proxy.hpp"

namespace mqttws::test {
namespace {

// Freezes the broker for the scope's duration.
class frozen {
 public:
  explicit frozen(mosquitto_fixture& b) : pid_(b.pid()) { ::kill(pid_, SIGSTOP); }
  ~frozen() { ::kill(pid_, SIGCONT); }
  frozen(const frozen&) = delete;
  frozen& operator=(const frozen&) = delete;

 private:
  pid_t pid_;
};

TEST(client_keepalive, SilentBrokerIsDetectedAndTheClientReconnects) {
  mosquitto_fixture broker;
  broker.start();
  asio::io_context io;
  client_options o = options_for(broker, listener::ws);
  o.keep_alive = 1;
  o.ping_timeout = 500ms;
  o.backoff.initial_delay = 50ms;
  client c(io.get_executor(), o);
  std::vector<disconnected_event> lost;
  int connected = 0;
  c.on_disconnected([&](const disconnected_event& e) { lost.push_back(e); });
  c.on_connected([&](const connected_event&) { ++connected; });
  connect_ok(io, c);
  {
    frozen f(broker);
    ASSERT_TRUE(run_until(io, [&] { return !lost.empty(); }));
    EXPECT_EQ(lost[0].ec, errc::keep_alive_timeout);
    EXPECT_TRUE(lost[0].will_reconnect);
  }
  ASSERT_TRUE(run_until(io, [&] { return connected == 2; }));
  // Alive again: PINGREQs are answered (one per idle second).
  EXPECT_TRUE(run_until(io, [&] { return c.stats().session.last_ping_rtt.has_value(); }));
  disconnect(io, c);
}

TEST(client_keepalive, DisconnectFromASilentBrokerCompletesAfterCloseTimeout) {
  mosquitto_fixture broker;
  broker.start();
  asio::io_context io;
  for (listener l : {listener::mqtt, listener::ws}) {
    client_options o = options_for(broker, l);
    o.close_timeout = 300ms;
    client c(io.get_executor(), o);
    connect_ok(io, c);
    frozen f(broker);
    const auto start = std::chrono::steady_clock::now();
    disconnect(io, c);  // the broker never answers the close
    EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms) << to_string(l);
    EXPECT_EQ(c.state(), session_state::closed);
  }
}

TEST(client_keepalive, RequestWithoutResponderTimesOut) {
  mosquitto_fixture broker;
  broker.start();
  asio::io_context io;
  client c(io.get_executor(), options_for(broker, listener::mqtt));
  connect_ok(io, c);
  mqttws::publish q;
  q.topic = "nobody/answers";
  q.payload = "?";
  outcome<message> r;
  c.async_request(q, 300ms, r.handler());
  ASSERT_TRUE(run_until(io, [&] { return r.done; }));
  EXPECT_EQ(r.ec, errc::request_timeout);
  disconnect(io, c);
}

TEST(client_keepalive, Qos2RoundTripOnV311) {
  mosquitto_fixture broker;
  broker.start();
  asio::io_context io;
  client_options o = options_for(broker, listener::wss);
  o.version = protocol_version::v311;
  client c(io.get_executor(), o);
  connect_ok(io, c);
  std::vector<std::string> got;
  auto s = subscribe(io, c, "v311/+", qos::exactly_once,
                     [&](const message& m) { got.emplace_back(m.view().payload); });
  ASSERT_FALSE(s.ec);
  EXPECT_EQ(s.value.codes, std::vector<reason_code>{reason_code::granted_qos_2});
  for (int i = 0; i < 20; ++i) {
    ASSERT_FALSE(publish(io, c, "v311/t", std::to_string(i), qos::exactly_once).ec);
  }
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 20; }));
  run_for(io, 100ms);
  EXPECT_EQ(got.size(), 20u);
  disconnect(io, c);
}

}  // namespace
}  // namespace mqttws::test

namespace mqttws::test {
namespace {

TEST(client_keepalive, AStalledLinkIsFoundWithinOneAndAHalfKeepAlivesAndRecovered) {
  // The link goes half-open (tests/support fault_proxy: both sockets stay, nothing moves)
  // while the client keeps publishing QoS 0: the default ping timeout (half the Keep Alive)
  // closes it 1.5 x Keep Alive after the last byte heard, and the client reconnects.
  mosquitto_fixture broker;
  broker.start();
  fault_proxy link(broker.port(listener::mqtt), {});
  asio::io_context io;
  client_options o = options_for(broker, listener::mqtt);
  o.endpoints = {"mqtt://127.0.0.1:" + std::to_string(link.port())};
  o.keep_alive = 2;
  o.backoff.initial_delay = 50ms;
  client c(io.get_executor(), o);
  std::vector<disconnected_event> lost;
  int connected = 0;
  c.on_disconnected([&](const disconnected_event& e) { lost.push_back(e); });
  c.on_connected([&](const connected_event&) { ++connected; });
  connect_ok(io, c);
  link.set_stalled(true);
  const auto stalled_at = std::chrono::steady_clock::now();
  asio::steady_timer tick(io);
  std::function<void()> publish_every_200ms = [&] {
    c.async_publish("keepalive/stall", "x", qos::at_most_once, false,
                    [](error_code, const publish_result&) {});
    tick.expires_after(200ms);
    tick.async_wait([&](error_code ec) {
      if (!ec && lost.empty()) publish_every_200ms();
    });
  };
  publish_every_200ms();
  ASSERT_TRUE(run_until(io, [&] { return !lost.empty(); }, 10s));
  const auto found = std::chrono::steady_clock::now() - stalled_at;
  EXPECT_EQ(lost[0].ec, errc::keep_alive_timeout);
  EXPECT_LE(found, 3s + 500ms) << "1.5 x Keep Alive (3 s), plus scheduling slack";
  std::printf("[ reliability ] native half-open link found after %lld ms (keepalive 2 s)\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(found).count()));
  link.set_stalled(false);
  ASSERT_TRUE(run_until(io, [&] { return connected == 2; }, 10s));
  disconnect(io, c);
}

}  // namespace
}  // namespace mqttws::test
