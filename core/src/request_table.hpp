// Internal: the MQTT 5 requests (session::request()) waiting for their response — by
// Correlation Data, with the Response Topic the reply must come on and a deadline — and the
// response filters the session subscribed to for them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mqttws/session_clock.hpp"
#include "mqttws/session_event.hpp"

namespace mqttws {

class request_table {
 public:
  /// A number for the next request ("1", "2", ...): names its default response topic and
  /// Correlation Data. Never repeats within a session.
  std::string next_number() {
    std::string n = peek_number();
    ++counter_;
    return n;
  }
  /// The number next_number() gives next, without taking it (for a request not yet accepted).
  std::string peek_number() const { return std::to_string(counter_ + 1); }

  /// A request is waiting with this Correlation Data (another would make replies ambiguous).
  bool waiting(const std::string& correlation) const { return by_correlation_.count(correlation) != 0; }

  void add(std::string correlation, operation_id op, std::string response_topic,
           time_point deadline) {
    by_correlation_.emplace(std::move(correlation), entry{op, std::move(response_topic), deadline});
  }

  /// A message on `topic` with `correlation`: the request it answers (removed), or 0.
  operation_id answer(std::string_view correlation, std::string_view topic) {
    if (by_correlation_.empty()) return 0;
    auto it = by_correlation_.find(std::string(correlation));
    if (it == by_correlation_.end() || it->second.response_topic != topic) return 0;
    const operation_id op = it->second.op;
    by_correlation_.erase(it);
    return op;
  }

  /// Forgets request `op`; false when it was not waiting.
  bool remove(operation_id op) {
    for (auto it = by_correlation_.begin(); it != by_correlation_.end(); ++it) {
      if (it->second.op != op) continue;
      by_correlation_.erase(it);
      return true;
    }
    return false;
  }

  /// Removes the requests whose deadline is at or before `now`, appending them to `expired`
  /// (by Correlation Data order).
  void expire(time_point now, std::vector<operation_id>& expired) {
    for (auto it = by_correlation_.begin(); it != by_correlation_.end();) {
      if (now >= it->second.deadline) {
        expired.push_back(it->second.op);
        it = by_correlation_.erase(it);
      } else {
        ++it;
      }
    }
  }

  /// Removes every request, appending them to `ops` (by Correlation Data order).
  void take_all(std::vector<operation_id>& ops) {
    for (const auto& r : by_correlation_) ops.push_back(r.second.op);
    by_correlation_.clear();
  }

  /// The earliest deadline.
  std::optional<time_point> deadline() const {
    std::optional<time_point> t;
    for (const auto& r : by_correlation_) {
      if (!t || r.second.deadline < *t) t = r.second.deadline;
    }
    return t;
  }

  // Response filters: subscribed once for every request that uses them; an UNSUBACK of the
  // filter ends that (the next request subscribes again). Few (one per prefix): a vector.
  bool subscribed(std::string_view filter) const {
    return std::find(filters_.begin(), filters_.end(), filter) != filters_.end();
  }
  void subscribing(std::string filter) { filters_.push_back(std::move(filter)); }
  void unsubscribed(std::string_view filter) {
    auto it = std::find(filters_.begin(), filters_.end(), filter);
    if (it != filters_.end()) filters_.erase(it);
  }

 private:
  struct entry {
    operation_id op;
    std::string response_topic;
    time_point deadline;
  };
  std::map<std::string, entry> by_correlation_;
  std::vector<std::string> filters_;
  std::uint64_t counter_ = 0;
};

}  // namespace mqttws
