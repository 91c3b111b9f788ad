#include "reconnect_policy.hpp"

namespace mqttws {

const std::string& reconnect_policy::begin_attempt() {
  if (!redirect_.empty()) {
    current_ = std::move(redirect_);
    redirect_.clear();
  } else {
    current_ = endpoints_[index_ % endpoints_.size()];
  }
  due_.reset();
  return current_;
}

void reconnect_policy::connected() {
  attempts_ = 0;
  failures_in_round_ = 0;
  delays_.reset();
}

void reconnect_policy::retry_now(time_point now) {
  delays_.reset();
  due_ = now;
}

void reconnect_policy::retry_at_once() {
  delays_.reset();
  at_once_ = true;
}

duration reconnect_policy::schedule(time_point now, bool after_established) {
  duration delay{0};
  if (at_once_) {
    // reconnect(): the same endpoint, now.
    at_once_ = false;
    failures_in_round_ = 0;
  } else if (!redirect_.empty()) {
    // A redirect is followed at once.
  } else if (after_established) {
    // The endpoint worked: try it again after the first backoff delay.
    failures_in_round_ = 0;
    delay = delays_.next();
  } else {
    // A failed attempt moves to the next endpoint; only a whole failed round waits.
    index_ = (index_ + 1) % endpoints_.size();
    if (++failures_in_round_ >= endpoints_.size()) {
      failures_in_round_ = 0;
      delay = delays_.next();
    }
  }
  attempts_++;
  due_ = now + delay;
  return delay;
}

const std::string& reconnect_policy::upcoming_endpoint() const {
  return !redirect_.empty() ? redirect_ : endpoints_[index_ % endpoints_.size()];
}

}  // namespace mqttws
