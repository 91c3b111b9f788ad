// A persistent session over a file_store: QoS 1 messages accepted while the broker cannot be
// reached are kept in a file, and the next run of the program — even after a crash or a
// reboot — sends them.
//
//   persistent_session STORE_FILE [COUNT]
//
// Publishes COUNT (default 3) messages "reading N" to examples/persistent/readings, then
// waits up to MQTTWS_WAIT_MS (default 5000) ms for the broker to acknowledge everything the
// store holds (those of earlier runs too) and exits, reporting what is still stored. Run it
// once with the broker down and once with it up: the second run delivers the first run's
// messages.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <mqttws/client.hpp>
#include <mqttws/file_store.hpp>
#include <string>

#include "example_broker.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: persistent_session STORE_FILE [COUNT]\n";
    return 2;
  }
  const int count = argc > 2 ? std::atoi(argv[2]) : 3;
  const char* wait = std::getenv("MQTTWS_WAIT_MS");
  const auto deadline = std::chrono::milliseconds(wait ? std::atoi(wait) : 5000);

  mqttws::file_store store;
  if (std::error_code ec = store.open(argv[1])) {
    std::cerr << "store: " << ec.message() << "\n";
    return 1;
  }
  std::cout << "store holds " << store.message_count() << " messages\n";

  boost::asio::io_context io;
  mqttws::client_options options = example::broker_from_env();
  options.client_id = "example-persistent";  // the same id in every run: the same session
  options.clean_start = false;
  options.session_expiry_interval = 3600;    // the broker keeps the session for an hour
  options.store = &store;                    // outlives the client
  mqttws::client c(io.get_executor(), options);

  // Connecting and publishing are independent: publishes made before the connection is up
  // wait in the store and go out when it is.
  c.async_connect([](mqttws::error_code ec, const mqttws::connect_result&) {
    std::cout << (ec ? "broker unreachable: " + ec.message() : std::string("connected"))
              << "\n";
  });
  for (int i = 0; i < count; ++i) {
    c.async_publish("examples/persistent/readings", "reading " + std::to_string(i),
                    mqttws::qos::at_least_once, false,
                    [](mqttws::error_code, const mqttws::publish_result&) {});
  }

  // Done when nothing is left to send or acknowledge, or at the deadline.
  boost::asio::steady_timer tick(io);
  const auto until = std::chrono::steady_clock::now() + deadline;
  std::function<void()> check = [&] {
    const mqttws::session_stats s = c.stats().session;
    if ((s.inflight_outgoing == 0 && s.queued == 0) ||
        std::chrono::steady_clock::now() >= until) {
      return c.async_disconnect([](mqttws::error_code) {});
    }
    tick.expires_after(std::chrono::milliseconds(20));
    tick.async_wait([&](boost::system::error_code) { check(); });
  };
  check();
  io.run();
  std::cout << "store holds " << store.message_count() << " messages\n";
  return 0;
}
