#include "mqttws/backoff.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

namespace mqttws {
namespace {

// Clamping happens once, in the constructor, so next() never meets a value that could make
// the arithmetic produce NaN or a negative delay. `!(x >= y)` also catches NaN.
backoff_options clamped(backoff_options o) {
  if (o.initial_delay < duration::zero()) o.initial_delay = duration::zero();
  if (o.max_delay < o.initial_delay) o.max_delay = o.initial_delay;
  if (!(o.multiplier >= 1.0)) o.multiplier = 1.0;
  if (!(o.jitter >= 0.0)) o.jitter = 0.0;
  if (o.jitter > 1.0) o.jitter = 1.0;
  return o;
}

// multiplier^n by squaring: O(log n) multiplications however large n is (a loop of n
// multiplications would take ages for a multiplier like 1.0000001 that never reaches the
// cap), and no std::pow, whose last bit differs between libms (glibc vs Emscripten's musl):
// IEEE multiplication is correctly rounded everywhere, so the result is the same on every
// platform. Stops as soon as initial * factor reaches `cap`: the remaining factors are all
// >= 1, so the delay is capped whatever they are. Overflow to +inf is harmless for the same
// reason (and initial > 0 here, so no 0 * inf = NaN).
bool reaches_cap(double initial, double multiplier, std::uint32_t n, double cap, double& delay) {
  double factor = 1.0;
  double base = multiplier;
  while (n != 0) {
    if (n & 1u) {
      factor *= base;
      if (initial * factor >= cap) return true;
    }
    n >>= 1;
    if (n != 0) base *= base;
  }
  delay = initial * factor;
  return delay >= cap;
}

}  // namespace

backoff::backoff(const backoff_options& o)
    : o_(clamped(o)), state_(o.seed.value_or(default_backoff_seed)) {}

duration backoff::next() {
  const std::int64_t initial_ms = o_.initial_delay.count();
  const std::int64_t max_ms = o_.max_delay.count();

  // The un-jittered delay in whole milliseconds. Computed in double (the multiplier is a
  // double), but the cap is applied in integers so max_delay is returned exactly even when it
  // is too large for a double to hold every millisecond.
  std::int64_t d = 0;
  if (initial_ms > 0) {
    double raw = 0.0;
    if (reaches_cap(static_cast<double>(initial_ms), o_.multiplier, attempt_,
                    static_cast<double>(max_ms), raw)) {
      d = max_ms;
    } else {
      d = static_cast<std::int64_t>(std::floor(raw));  // raw < max_ms: fits
    }
  }

  // Always draw, even when the draw is not needed (jitter 0, delay 0): the random sequence
  // then depends only on the seed and the number of next() calls, never on the options.
  const double u = uniform();
  // d - floor(u * jitter * d) lies in [d * (1 - jitter), d] since 0 <= u < 1. Subtracting
  // from d (rather than adding to the lower bound) keeps jitter 0 exact: the delay is d.
  const double cut = std::floor(u * o_.jitter * static_cast<double>(d));
  const std::int64_t delay = d - static_cast<std::int64_t>(cut);

  // Saturate rather than wrap: attempt 2^32 must not start over at the initial delay.
  if (attempt_ != std::numeric_limits<std::uint32_t>::max()) ++attempt_;
  return duration(delay);
}

double backoff::uniform() {
  // splitmix64 (Steele, Lea, Flood 2014; Vigna's reference constants): full period 2^64, any
  // seed (0 included) is fine, and it is plain 64-bit integer arithmetic, identical on every
  // platform, unlike <random>'s distributions.
  state_ += 0x9E3779B97F4A7C15ull;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  // The top 53 bits, scaled by 2^-53: every value is an exact double in [0, 1).
  return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
}

}  // namespace mqttws
