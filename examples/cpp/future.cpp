// asio::use_future: the io_context runs on a thread of its own; main() starts operations and
// waits for their results with future.get(), which throws boost::system::system_error on an
// error. (The client is not thread-safe: each call is posted to the client's executor.)
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>
#include <future>
#include <iostream>
#include <mqttws/client.hpp>
#include <thread>

#include "example_broker.hpp"

namespace asio = boost::asio;

// Runs `start` on the client's executor and returns its future.
template <class Start>
auto on_executor(asio::io_context& io, Start start) {
  std::promise<decltype(start())> p;
  auto f = p.get_future();
  asio::post(io, [&p, &start] { p.set_value(start()); });
  return f.get();  // the operation's own future
}

int main() {
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });

  mqttws::client_options options = example::broker_from_env();
  options.client_id = "example-future";
  mqttws::client c(io.get_executor(), options);
  std::promise<std::string> received;
  int status = 0;
  try {
    on_executor(io, [&] { return c.async_connect(asio::use_future); }).get();
    std::cout << "connected\n";
    on_executor(io, [&] {
      return c.async_subscribe(
          "examples/future/#", mqttws::qos::exactly_once,
          [&](const mqttws::message& m) { received.set_value(std::string(m.view().payload)); },
          asio::use_future);
    }).get();
    mqttws::publish_result p = on_executor(io, [&] {
      return c.async_publish("examples/future/reading", "21.5", mqttws::qos::exactly_once,
                             false, asio::use_future);
    }).get();  // QoS 2: after PUBCOMP
    std::cout << "published (reason 0x" << std::hex << int(p.code) << std::dec << ")\n";
    std::cout << "received " << received.get_future().get() << "\n";
    on_executor(io, [&] { return c.async_disconnect(asio::use_future); }).get();
    std::cout << "disconnected\n";
  } catch (const boost::system::system_error& e) {
    std::cerr << "failed: " << e.code().message() << "\n";
    on_executor(io, [&] { return c.async_disconnect(asio::use_future); }).wait();
    status = 1;
  }
  work.reset();
  runner.join();
  return status;
}
