// mqttws — reconnect delays: exponential backoff with jitter, deterministic from a seed.
#pragma once

#include <cstdint>
#include <optional>

#include "mqttws/session_clock.hpp"

namespace mqttws {

struct backoff_options {
  duration initial_delay = std::chrono::seconds(1);
  duration max_delay = std::chrono::seconds(60);
  double multiplier = 2.0;  ///< >= 1.
  /// Fraction of each delay that is randomized, 0..1: a delay d becomes a uniform value in
  /// [d * (1 - jitter), d]. Spreads the reconnects of many clients after a broker restart.
  double jitter = 0.5;
  /// Same seed, same sequence of delays. Unset: the session itself uses one fixed seed (it
  /// has no source of randomness), but mqttws::client and the npm package draw a random one
  /// per client, so clients that lost a broker together do not come back in lockstep.
  std::optional<std::uint64_t> seed;
};

/// The seed an unseeded backoff uses.
inline constexpr std::uint64_t default_backoff_seed = 0x6d717474'7773ull;

/// Delay n (counting from 0) is min(max_delay, initial_delay * multiplier^n), jittered.
/// Exactly, in whole milliseconds: d = floor(min(max, initial * multiplier^n)), then
/// d - floor(u * jitter * d) with u uniform in [0, 1), the top 53 bits of the next splitmix64
/// output over 2^53. Only IEEE-754 double arithmetic and integer operations: every platform
/// (native, WebAssembly) gives the same delays for the same seed.
/// Out-of-range options are clamped: multiplier < 1 (or NaN) -> 1, jitter into [0, 1] (NaN -> 0),
/// negative delays -> 0, max_delay < initial_delay -> initial_delay.
/// Not thread-safe; pure computation, no clock.
class backoff {
 public:
  explicit backoff(const backoff_options& o = {});
  /// The delay before the next attempt; advances the attempt count.
  duration next();
  /// Back to the initial delay (after a successful connection). The random sequence goes on.
  void reset() { attempt_ = 0; }
  std::uint32_t attempts() const { return attempt_; }

 private:
  double uniform();  // [0, 1)
  backoff_options o_;
  std::uint32_t attempt_ = 0;
  std::uint64_t state_;
};

}  // namespace mqttws
