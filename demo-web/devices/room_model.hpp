// mqttws demo — one simulated room: its sensors, its light and its thermostat.
//
// Pure state and rules, no I/O and no clock: room_device feeds it commands and ticks and
// publishes what it returns, and tests/demo checks it on its own. Randomness comes from the
// generator passed in, so a seed gives the same house every run.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace mqttws::demo {

/// What the thermostat is doing about the gap between the room and its target.
enum class thermostat_mode { idle, heating, cooling };
const char* to_string(thermostat_mode m);

struct light_state {
  bool on = false;
  int brightness = 80;  ///< 0..100; kept while the light is off.
  bool operator==(const light_state& o) const { return on == o.on && brightness == o.brightness; }
};

/// The outcome of a command: the new state, or why the payload was refused.
struct command_result {
  bool ok = false;
  std::string error;  ///< Set when !ok: what was wrong with the payload.
};

class room_model {
 public:
  static constexpr double min_target = 5.0;
  static constexpr double max_target = 30.0;
  static constexpr double target_step = 0.5;

  /// A room with plausible starting values for its name (a garage is colder), varied by `rng`.
  room_model(std::string name, std::mt19937_64& rng);

  const std::string& name() const { return name_; }
  double temperature() const { return temperature_; }  ///< °C
  double humidity() const { return humidity_; }        ///< %
  double target() const { return target_; }            ///< °C
  const light_state& light() const { return light_; }
  thermostat_mode mode() const;

  /// One step of the simulation: the temperature moves toward the target (by at most
  /// 0.3 °C, plus a little noise) and the humidity wanders within 30..70 %.
  void tick(std::mt19937_64& rng);

  /// `home/<room>/light/set`: "on", "off", "toggle", {"brightness":N} (0..100, an integer),
  /// {"on":bool}, or both fields in one object. Anything else is refused and changes nothing.
  command_result apply_light_command(std::string_view payload);
  /// `home/<room>/thermostat/set`: a number, or {"target":N}; 5..30 °C, rounded to 0.5.
  command_result apply_thermostat_command(std::string_view payload);

  // The payloads the device publishes (see demo-web/README.md).
  std::string temperature_payload() const;  ///< "21.4"
  std::string humidity_payload() const;     ///< "46.2"
  std::string light_payload() const;        ///< {"on":true,"brightness":80}
  std::string thermostat_payload() const;   ///< {"target":21.5}
  /// The answer to `home/<room>/thermostat/get`.
  std::string thermostat_report() const;

 private:
  std::string name_;
  double temperature_;
  double humidity_;
  double target_;
  light_state light_;
};

/// One decimal, "%.1f" without a locale: 21.45 -> "21.5", -0.04 -> "0.0".
std::string one_decimal(double v);

}  // namespace mqttws::demo
