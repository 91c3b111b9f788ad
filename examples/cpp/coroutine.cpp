// C++20 coroutines: the same round trip written straight down with co_await
// (asio::use_awaitable). Errors arrive as boost::system::system_error exceptions.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <iostream>
#include <mqttws/client.hpp>
#include <optional>

#include "example_broker.hpp"

namespace asio = boost::asio;

asio::awaitable<void> round_trip(mqttws::client& c) {
  std::optional<std::string> got;
  co_await c.async_connect(asio::use_awaitable);
  std::cout << "connected\n";
  co_await c.async_subscribe("examples/coroutine/#", mqttws::qos::at_least_once,
                             [&](const mqttws::message& m) { got = m.view().payload; },
                             asio::use_awaitable);
  co_await c.async_publish("examples/coroutine/status", "online", mqttws::qos::at_least_once,
                           false, asio::use_awaitable);
  std::cout << "published\n";
  asio::steady_timer tick(co_await asio::this_coro::executor);
  for (int i = 0; !got && i < 500; ++i) {  // wait up to 5 s for our own message
    tick.expires_after(std::chrono::milliseconds(10));
    co_await tick.async_wait(asio::use_awaitable);
  }
  std::cout << "received " << got.value_or("nothing") << "\n";
  co_await c.async_disconnect(asio::use_awaitable);
  std::cout << "disconnected\n";
}

int main() {
  asio::io_context io;
  mqttws::client_options options = example::broker_from_env();
  options.client_id = "example-coroutine";
  mqttws::client c(io.get_executor(), options);
  int status = 1;
  asio::co_spawn(io, round_trip(c), [&](std::exception_ptr e) {
    if (!e) return void(status = 0);
    try {
      std::rethrow_exception(e);
    } catch (const boost::system::system_error& err) {
      std::cerr << "failed: " << err.code().message() << "\n";
      c.async_disconnect([](mqttws::error_code) {});
    }
  });
  io.run();
  return status;
}
