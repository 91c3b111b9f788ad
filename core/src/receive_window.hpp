// Internal: the Receive Maximum the next CONNECT asks the broker for (MQTT 5).
//
// A broker resuming a session sends everything it has in flight at once (mosquitto: 20
// messages). Over a link that dies every few hundred bytes that burst alone spends the
// connection: no acknowledgement gets back, and the next connection brings the same burst —
// a livelock MQTT.js shows too. So after an established connection that failed within
// `short_lived` while the broker was sending QoS 1/2 messages, the next CONNECT asks for half
// of what arrived on it; each connection that lasts doubles it back, up to the configured
// Receive Maximum. It is advice to the broker: the session still accepts up to the configured
// value (a broker resending what it had in flight is no violation).
#pragma once

#include <algorithm>
#include <cstdint>

#include "mqttws/session_clock.hpp"

namespace mqttws {

class receive_window {
 public:
  static constexpr duration short_lived = std::chrono::seconds(10);

  /// `configured`: connect_properties.receive_maximum (65535 when absent).
  receive_window(std::uint16_t configured, bool adaptive)
      : configured_(configured), value_(configured), adaptive_(adaptive) {}

  /// What the next CONNECT asks for.
  std::uint16_t advertised() const { return value_; }
  /// True when that is less than configured (the CONNECT must say so).
  bool reduced() const { return value_ < configured_; }

  void connected(time_point now) {
    since_ = now;
    received_ = 0;
  }
  /// A QoS 1/2 PUBLISH arrived (a first delivery or a resend).
  void received() { ++received_; }
  /// The established connection failed (not an orderly end).
  void lost(time_point now) {
    if (!adaptive_) return;
    if (now - since_ >= short_lived) {
      value_ = static_cast<std::uint16_t>(std::min<std::uint32_t>(configured_, 2u * value_));
    } else if (received_ > 0) {
      const std::uint32_t arrived = std::min<std::uint32_t>(value_, received_);
      value_ = static_cast<std::uint16_t>(std::max<std::uint32_t>(1, arrived / 2));
    }
  }

 private:
  std::uint16_t configured_;
  std::uint16_t value_;
  bool adaptive_;
  time_point since_{};
  std::uint32_t received_ = 0;
};

}  // namespace mqttws
