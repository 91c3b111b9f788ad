// mqttws — time as the session sees it.
//
// The session never reads a clock: every input carries `now`, a time_point of this clock.
// Drivers make it from a monotonic source (std::chrono::steady_clock natively,
// emscripten_get_now() in the browser); tests make it from a virtual clock, so an hour of
// keepalive runs in a millisecond. Only differences between time points matter.
#pragma once

#include <chrono>
#include <cstdint>

namespace mqttws {

struct session_clock {
  using rep = std::int64_t;
  using period = std::milli;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<session_clock>;
  static constexpr bool is_steady = true;
};

using duration = session_clock::duration;
using time_point = session_clock::time_point;

/// A time_point from milliseconds since an arbitrary origin.
constexpr time_point at_ms(std::int64_t ms) { return time_point(duration(ms)); }

}  // namespace mqttws
