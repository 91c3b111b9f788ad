#include "room_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace mqttws::demo {

namespace {

// Within this distance of the target the thermostat rests (a real one has a hysteresis too,
// so it does not flip between heating and cooling on sensor noise).
constexpr double idle_band = 0.2;

double uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

nlohmann::json parse_object(std::string_view payload) {
  nlohmann::json j = nlohmann::json::parse(payload.begin(), payload.end(), nullptr,
                                           /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json();
}

}  // namespace

const char* to_string(thermostat_mode m) {
  switch (m) {
    case thermostat_mode::heating: return "heating";
    case thermostat_mode::cooling: return "cooling";
    case thermostat_mode::idle: break;
  }
  return "idle";
}

std::string one_decimal(double v) {
  double r = std::round(v * 10.0) / 10.0;
  if (r == 0.0) r = 0.0;  // no "-0.0"
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", r);
  return buf;
}

room_model::room_model(std::string name, std::mt19937_64& rng) : name_(std::move(name)) {
  const bool garage = name_ == "garage";
  const bool bathroom = name_ == "bathroom";
  target_ = garage ? 12.0 : bathroom ? 22.5 : 21.0;
  temperature_ = target_ + uniform(rng, -2.0, 2.0);
  humidity_ = bathroom ? uniform(rng, 55.0, 65.0) : uniform(rng, 38.0, 50.0);
  light_.on = uniform(rng, 0.0, 1.0) < 0.4;
  light_.brightness = static_cast<int>(uniform(rng, 5.0, 10.0)) * 10;
}

thermostat_mode room_model::mode() const {
  if (temperature_ < target_ - idle_band) return thermostat_mode::heating;
  if (temperature_ > target_ + idle_band) return thermostat_mode::cooling;
  return thermostat_mode::idle;
}

void room_model::tick(std::mt19937_64& rng) {
  const double pull = std::clamp((target_ - temperature_) * 0.2, -0.3, 0.3);
  temperature_ += pull + uniform(rng, -0.08, 0.08);
  humidity_ = std::clamp(humidity_ + uniform(rng, -0.6, 0.6), 30.0, 70.0);
}

command_result room_model::apply_light_command(std::string_view payload) {
  if (payload == "on" || payload == "off") {
    light_.on = payload == "on";
    return {true, {}};
  }
  if (payload == "toggle") {
    light_.on = !light_.on;
    return {true, {}};
  }
  const nlohmann::json j = parse_object(payload);
  if (j.is_null() || j.empty()) {
    return {false, "expected on, off, toggle, {\"brightness\":0..100} or {\"on\":true|false}"};
  }
  light_state next = light_;
  for (const auto& [key, value] : j.items()) {
    if (key == "on" && value.is_boolean()) {
      next.on = value.get<bool>();
    } else if (key == "brightness" && value.is_number_integer() && value.get<long long>() >= 0 &&
               value.get<long long>() <= 100) {
      next.brightness = static_cast<int>(value.get<long long>());
    } else {
      return {false, "bad field \"" + key + "\": on is a boolean, brightness an integer 0..100"};
    }
  }
  light_ = next;  // all fields valid: apply them together
  return {true, {}};
}

command_result room_model::apply_thermostat_command(std::string_view payload) {
  std::optional<double> value;
  const nlohmann::json j = nlohmann::json::parse(payload.begin(), payload.end(), nullptr, false);
  if (j.is_number()) {
    value = j.get<double>();
  } else if (j.is_object() && j.size() == 1 && j.contains("target") && j["target"].is_number()) {
    value = j["target"].get<double>();
  }
  if (!value || !std::isfinite(*value)) {
    return {false, "expected a temperature in degrees Celsius, e.g. 21.5, or {\"target\":21.5}"};
  }
  if (*value < min_target || *value > max_target) {
    return {false, "target " + one_decimal(*value) + " is outside 5..30 degrees Celsius"};
  }
  target_ = std::round(*value / target_step) * target_step;
  return {true, {}};
}

std::string room_model::temperature_payload() const { return one_decimal(temperature_); }
std::string room_model::humidity_payload() const { return one_decimal(humidity_); }

std::string room_model::light_payload() const {
  return nlohmann::ordered_json{{"on", light_.on}, {"brightness", light_.brightness}}.dump();
}

std::string room_model::thermostat_payload() const {
  return nlohmann::ordered_json{{"target", target_}}.dump();
}

std::string room_model::thermostat_report() const {
  nlohmann::ordered_json j;  // keys in the documented order
  j["room"] = name_;
  j["target"] = target_;
  j["current"] = std::round(temperature_ * 10.0) / 10.0;
  j["mode"] = to_string(mode());
  j["min"] = min_target;
  j["max"] = max_target;
  j["step"] = target_step;
  return j.dump();
}

}  // namespace mqttws::demo
