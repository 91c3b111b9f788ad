// mqttws demo — one room's devices on the network: a room_model behind its own mqttws::client.
//
// Each room has a connection of its own, so that each has its own MQTT 5 Will: when the
// process dies, the broker marks every room `offline`. Everything runs on the executor given
// to the constructor (single-threaded); no method may be called from another thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mqttws/client.hpp>

#include "room_model.hpp"

namespace mqttws::demo {

/// How every room of the house reaches the broker.
struct device_settings {
  std::string url;  ///< e.g. wss://127.0.0.1:9443/
  tls_options tls;  ///< ca_file: the demo's generated CA
  std::string username;
  std::string password;
  /// How long a device takes to carry out a command before it confirms it.
  std::chrono::milliseconds confirm_delay{300};
  bool verbose = false;  ///< Log every publish, not only commands and connection changes.
};

class room_device {
 public:
  /// Nothing happens until start(). `seed` makes the room's simulation reproducible.
  room_device(boost::asio::any_io_executor ex, const device_settings& settings,
              std::string room, std::uint64_t seed);

  /// Connects (and keeps reconnecting), subscribes to the room's commands, and starts the
  /// sensor and motion timers.
  void start();
  /// Stops the timers and disconnects with "Disconnect with Will Message" (0x04), so the
  /// broker publishes the room's `offline` status just as when the process dies. `done` is
  /// called on the executor once the connection is closed.
  void stop(std::function<void()> done);

 private:
  std::string topic(std::string_view leaf) const;
  client_options options() const;
  void publish(std::string_view leaf, std::string payload, qos q, bool retain);
  void publish_state();
  void on_message(const message& m);
  /// A command topic: how the model applies it and which retained state confirms it.
  struct command {
    const char* state;  ///< "light": confirmed on home/<room>/light
    command_result (room_model::*apply)(std::string_view);
    std::string (room_model::*state_payload)() const;
  };
  /// Applies `payload` after the confirm delay and publishes the new state (or logs why not).
  void carry_out(std::string_view payload, const command& c);
  void answer_thermostat_get(const message& m);
  void schedule_tick();
  void schedule_motion();
  void log(const std::string& line) const;

  const device_settings& settings_;
  std::string room_;
  std::mt19937_64 rng_;
  room_model model_;
  client client_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer motion_timer_;
  std::list<boost::asio::steady_timer> pending_;  ///< Commands being carried out.
  bool connected_ = false;
  bool stopping_ = false;
};

}  // namespace mqttws::demo
