// Callbacks: connect, subscribe, publish a QoS 1 message to ourselves, print it, disconnect.
// Everything runs on one thread, inside io.run(); each step starts the next from its handler.
#include <boost/asio/io_context.hpp>
#include <iostream>
#include <mqttws/client.hpp>

#include "example_broker.hpp"

int main() {
  boost::asio::io_context io;
  mqttws::client_options options = example::broker_from_env();
  options.client_id = "example-callbacks";
  mqttws::client c(io.get_executor(), options);
  int status = 1;
  int pending = 2;  // our message back, and the PUBACK: disconnect when both are in
  auto step_done = [&] {
    if (--pending == 0) {
      c.async_disconnect([](mqttws::error_code) { std::cout << "disconnected\n"; });
    }
  };

  c.async_connect([&](mqttws::error_code ec, const mqttws::connect_result& r) {
    if (ec) {  // the client would keep retrying: stop it
      std::cerr << "connect: " << mqttws::describe(ec, r.reason, r.reason_string) << "\n";
      return c.async_disconnect([](mqttws::error_code) {});
    }
    std::cout << "connected\n";
    c.async_subscribe(
        "examples/callbacks/#", mqttws::qos::at_least_once,
        [&](const mqttws::message& m) {  // this subscription's messages
          std::cout << "received " << m.view().topic << ": " << m.view().payload << "\n";
          status = 0;
          step_done();
        },
        [&](mqttws::error_code sub_ec, const mqttws::subscribe_result&) {
          if (sub_ec) return void(std::cerr << "subscribe: " << sub_ec.message() << "\n");
          c.async_publish("examples/callbacks/greeting", "hello", mqttws::qos::at_least_once,
                          /*retain=*/false,
                          [&](mqttws::error_code pub_ec, const mqttws::publish_result& p) {
                            // QoS 1: completes on PUBACK, with the broker's reason code
                            std::cout << "published: "
                                      << (pub_ec ? pub_ec.message() : "acknowledged")
                                      << " (reason 0x" << std::hex << int(p.code) << std::dec
                                      << ")\n";
                            step_done();
                          });
        });
  });
  io.run();
  return status;
}
