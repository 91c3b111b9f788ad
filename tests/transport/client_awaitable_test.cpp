// C++20 coroutines: the client's operations with asio::use_awaitable. (Compiled as C++20.)
#include "client_test_util.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace mqttws::test {
namespace {

class client_awaitable : public broker_suite {};

asio::awaitable<std::string> round_trip(client& c, std::string topic) {
  std::string got;
  connect_result r = co_await c.async_connect(asio::use_awaitable);
  EXPECT_FALSE(r.connected.session_present);
  subscribe_result s = co_await c.async_subscribe(
      topic, qos::at_least_once, [&](const message& m) { got = m.view().payload; },
      asio::use_awaitable);
  EXPECT_EQ(s.codes, std::vector<reason_code>{reason_code::granted_qos_1});
  publish_result p =
      co_await c.async_publish(topic, "from a coroutine", qos::exactly_once, false,
                               asio::use_awaitable);
  EXPECT_EQ(p.code, reason_code::success);
  while (got.empty()) {
    asio::steady_timer t(co_await asio::this_coro::executor, 10ms);
    co_await t.async_wait(asio::use_awaitable);
  }
  co_await c.async_disconnect(asio::use_awaitable);
  co_return got;
}

TEST_F(client_awaitable, ConnectSubscribePublishDisconnect) {
  client c(io.get_executor(), options_for(broker(), listener::wss));
  std::optional<std::string> result;
  std::exception_ptr error;
  asio::co_spawn(io, round_trip(c, unique_id("coro")),
                 [&](std::exception_ptr e, std::string r) {
                   error = e;
                   result = r;
                 });
  ASSERT_TRUE(run_until(io, [&] { return result.has_value(); }));
  EXPECT_FALSE(error);
  EXPECT_EQ(*result, "from a coroutine");
  EXPECT_EQ(c.state(), session_state::closed);
}

TEST_F(client_awaitable, ErrorsAreThrownAsSystemError) {
  client_options o = options_for(broker(), listener::mqtt, "user", "wrong");
  client c(io.get_executor(), o);
  std::optional<std::error_code> caught;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        try {
          co_await c.async_connect(asio::use_awaitable);
        } catch (const boost::system::system_error& e) {
          caught = e.code();
        }
      },
      asio::detached);
  ASSERT_TRUE(run_until(io, [&] { return caught.has_value(); }));
  EXPECT_EQ(*caught, errc::connection_refused);
}

}  // namespace
}  // namespace mqttws::test
