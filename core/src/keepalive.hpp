// Internal: the keep alive of one connection (MQTT-3.1.2-23/24) — when the next PINGREQ is
// due, how long one may go unanswered, and the round trip of the last one answered.
//
// It owns the traffic times it needs: the session tells it of every packet sent (sent()) and
// of every byte heard (heard()), and asks it what to do at a timer (due()).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

#include "mqttws/session_clock.hpp"

namespace mqttws {

class keepalive {
 public:
  /// `ping_timeout`: how long a PINGREQ may go unanswered; zero: half the Keep Alive.
  explicit keepalive(duration ping_timeout) : ping_timeout_(ping_timeout) {}

  /// A connection was accepted with this Keep Alive (seconds; 0: none). No PINGREQ is open.
  void start(std::uint16_t seconds) {
    seconds_ = seconds;
    ping_sent_at_.reset();
  }
  /// The connection is gone: an open PINGREQ is forgotten.
  void stop() { ping_sent_at_.reset(); }

  void sent(time_point now) { last_sent_ = now; }
  void heard(time_point now) { last_received_ = now; }

  /// The Keep Alive in force (seconds).
  std::uint16_t in_force() const { return seconds_; }

  enum class action : std::uint8_t { none, send_ping, timed_out };
  /// What a timer at `now` asks for: the open PINGREQ went unanswered too long (the connection
  /// is half-open), or a PINGREQ is due, or nothing.
  action due(time_point now) const {
    if (ping_sent_at_ && now >= *ping_sent_at_ + ping_wait()) return action::timed_out;
    if (seconds_ > 0 && now >= ping_due()) return action::send_ping;
    return action::none;
  }
  /// A PINGREQ went out. Only the first unanswered one times the round trip and the timeout.
  void ping_sent(time_point now) {
    if (!ping_sent_at_) ping_sent_at_ = now;
  }
  bool awaiting_pingresp() const { return ping_sent_at_.has_value(); }
  /// A PINGRESP came: the round trip of the open PINGREQ, if one was open.
  std::optional<duration> pingresp(time_point now) {
    std::optional<duration> rtt;
    if (ping_sent_at_) rtt = now - *ping_sent_at_;
    ping_sent_at_.reset();
    return rtt;
  }
  /// The next time due() may answer something other than none.
  std::optional<time_point> deadline() const {
    std::optional<time_point> t;
    if (ping_sent_at_) t = *ping_sent_at_ + ping_wait();
    if (seconds_ > 0 && (!t || ping_due() < *t)) t = ping_due();
    return t;
  }

 private:
  // How long a PINGREQ may go unanswered: the option, or half the Keep Alive in force.
  duration ping_wait() const {
    if (ping_timeout_ > duration::zero()) return ping_timeout_;
    return std::chrono::milliseconds(std::int64_t{seconds_} * 500);
  }
  // Keep Alive after the last packet sent (MQTT-3.1.2-23) — or after the last byte heard, so
  // a client that only sends (QoS 0 into a dead link, whose writes still succeed into the
  // socket buffer) notices the silence too. While a PINGREQ is unanswered only the first rule
  // applies: its timeout is already running.
  time_point ping_due() const {
    const time_point since = ping_sent_at_ ? last_sent_ : std::min(last_sent_, last_received_);
    return since + std::chrono::seconds(seconds_);
  }

  duration ping_timeout_;
  std::uint16_t seconds_ = 0;
  time_point last_sent_{};
  time_point last_received_{};
  std::optional<time_point> ping_sent_at_;
};

}  // namespace mqttws
