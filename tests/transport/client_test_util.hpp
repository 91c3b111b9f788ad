// Helpers for the client tests: a broker per test, options for a listener, and bounded waits
// that run the io_context until a condition holds.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "mosquitto_fixture.hpp"
#include "mosquitto_suite.hpp"
#include "mqttws/client.hpp"
#include "mqttws/error.hpp"
#include "mqttws/transport_error.hpp"

namespace mqttws::test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

/// Every wait in these tests is bounded by this (generous: the machine is shared).
inline constexpr std::chrono::milliseconds wait_limit{20000};

/// Runs `io` until `done()` holds or `limit` passes; true if it holds.
template <class Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit = wait_limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(10ms);
  }
  return true;
}

/// Runs `io` for `d` (to let things that must NOT happen have their chance).
inline void run_for(asio::io_context& io, std::chrono::milliseconds d) {
  const auto deadline = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(5ms);
  }
}

inline std::string unique_id(const std::string& prefix) {
  static std::atomic<int> n{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

/// Options for `l` of `broker` as user/password, verifying TLS with the test CA.
inline client_options options_for(const mosquitto_fixture& broker, listener l,
                                  const std::string& user = mosquitto_fixture::user,
                                  const std::string& password = mosquitto_fixture::password) {
  client_options o;
  o.endpoints = {broker.url(l)};
  o.tls.ca_file = broker.ca_file();
  if (l == listener::mqtts_mutual) {
    o.tls.cert_file = broker.client_cert();
    o.tls.key_file = broker.client_key();
  }
  o.username = user;
  o.password = password;
  o.client_id = unique_id("mqttws-test");
  o.connect_timeout = 10s;
  o.backoff.initial_delay = 100ms;
  o.backoff.max_delay = 1s;
  return o;
}

/// The outcome of an operation, filled in by its completion handler.
template <class Result>
struct outcome {
  bool done = false;
  std::error_code ec;
  Result value{};
  auto handler() {
    return [this](std::error_code e, Result r) {
      done = true;
      ec = e;
      value = std::move(r);
    };
  }
};

/// async_connect and wait; the outcome.
inline outcome<connect_result> connect(asio::io_context& io, client& c) {
  outcome<connect_result> o;
  c.async_connect(o.handler());
  EXPECT_TRUE(run_until(io, [&] { return o.done; })) << "connect did not complete";
  return o;
}

/// Connects and expects success.
inline void connect_ok(asio::io_context& io, client& c) {
  outcome<connect_result> o = connect(io, c);
  ASSERT_FALSE(o.ec) << describe(o.ec, o.value.reason, o.value.reason_string);
}

inline outcome<subscribe_result> subscribe(asio::io_context& io, client& c,
                                           const std::string& filter, qos q,
                                           message_handler h = {}) {
  outcome<subscribe_result> o;
  c.async_subscribe(filter, q, std::move(h), o.handler());
  EXPECT_TRUE(run_until(io, [&] { return o.done; })) << "subscribe did not complete";
  return o;
}

inline outcome<publish_result> publish(asio::io_context& io, client& c, const std::string& topic,
                                       const std::string& payload, qos q, bool retain = false) {
  outcome<publish_result> o;
  c.async_publish(topic, payload, q, retain, o.handler());
  EXPECT_TRUE(run_until(io, [&] { return o.done; })) << "publish did not complete";
  return o;
}

inline void disconnect(asio::io_context& io, client& c) {
  bool done = false;
  std::error_code ec;
  c.async_disconnect([&](std::error_code e) {
    done = true;
    ec = e;
  });
  EXPECT_TRUE(run_until(io, [&] { return done; })) << "disconnect did not complete";
  EXPECT_FALSE(ec) << ec.message();
}

/// A started broker shared by the tests of one suite, and an io_context per test.
class broker_suite : public mosquitto_suite {
 protected:
  asio::io_context io;
};

}  // namespace mqttws::test
