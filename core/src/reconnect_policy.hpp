// Internal: where and when the session connects next — the endpoint list walked in rounds,
// a server's redirect (Server Reference) followed at once, the backoff between failed rounds,
// reconnect()'s "now, on the same endpoint", and the time the next attempt is due.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mqttws/backoff.hpp"
#include "mqttws/session_clock.hpp"

namespace mqttws {

class reconnect_policy {
 public:
  /// `enabled`: session_options::reconnect. `endpoints` is never empty (validated before).
  reconnect_policy(std::vector<std::string> endpoints, const backoff_options& backoff,
                   bool enabled)
      : endpoints_(std::move(endpoints)), delays_(backoff), enabled_(enabled) {}

  /// The endpoint of the attempt starting now: a pending redirect, else the current one of
  /// the list. No attempt is due any more.
  const std::string& begin_attempt();

  /// The server named another to use (CONNACK or DISCONNECT with a Server Reference).
  void redirect_to(std::string server_reference) { redirect_ = std::move(server_reference); }

  /// A connection was accepted: the count and the backoff start over.
  void connected();

  /// reconnect() while waiting: the attempt is due `now`, the backoff starts over.
  void retry_now(time_point now);
  /// reconnect() with a connection or an attempt under way: the next attempt comes at once,
  /// on the same endpoint, even when reconnecting is off.
  void retry_at_once();

  /// Whether a connection lost now is followed by another attempt (`may`: the loss allows it).
  bool will_retry(bool may) const { return (enabled_ || at_once_) && may; }

  /// Schedules the next attempt after a loss; `after_established`: the lost connection had
  /// been accepted. Returns the delay before it.
  duration schedule(time_point now, bool after_established);

  /// The endpoint the scheduled attempt will use (what a reconnecting_event names).
  const std::string& upcoming_endpoint() const;

  /// No attempt is due (the session ended).
  void cancel() { due_.reset(); }
  const std::optional<time_point>& due() const { return due_; }
  /// Attempts scheduled since the last accepted connection.
  std::uint32_t attempts() const { return attempts_; }

 private:
  std::vector<std::string> endpoints_;
  std::size_t index_ = 0;              // of the endpoint in endpoints_ tried next
  std::size_t failures_in_round_ = 0;  // failed attempts since the round started
  std::string redirect_;               // a Server Reference to try next
  std::string current_;                // the endpoint of the attempt under way
  backoff delays_;
  bool enabled_;
  bool at_once_ = false;
  std::uint32_t attempts_ = 0;
  std::optional<time_point> due_;
};

}  // namespace mqttws
