// Internal: how many QoS 1/2 PUBLISHes the session may have unacknowledged on the current
// connection — the broker's Receive Maximum, reached by an acknowledgement-clocked window that
// every connection starts small (session_options::initial_send_window).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace mqttws {

class send_window {
 public:
  /// `initial` 0: no pacing, the whole Receive Maximum at once.
  explicit send_window(std::uint16_t initial) : initial_(initial) {}

  /// A connection was accepted with this Receive Maximum: start again from `initial`.
  void start(std::uint16_t broker_receive_maximum) {
    receive_maximum_ = broker_receive_maximum;
    window_ = initial_ == 0 ? broker_receive_maximum : std::min(initial_, broker_receive_maximum);
  }
  /// An acknowledgement (PUBACK, PUBREC, PUBCOMP) came back: one more may go.
  void acknowledged() {
    if (window_ < receive_maximum_) ++window_;
  }
  /// Unacknowledged QoS 1/2 PUBLISHes allowed now.
  std::size_t limit() const { return window_; }

 private:
  std::uint16_t initial_;
  std::uint16_t receive_maximum_ = 65535;
  std::uint16_t window_ = 65535;
};

}  // namespace mqttws
