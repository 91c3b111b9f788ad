// Internal: which field of session_config (or will_options) is which MQTT 5 property — the one
// list that set_connect_properties()/set_will_properties() (properties into the config) and
// connect_view (the config into a CONNECT) both walk, so the mapping is written once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "mqttws/session_config.hpp"

namespace mqttws::detail {

/// Calls f(config field, properties field) for each CONNECT property a session_config names
/// (User Property aside: its two forms differ in ownership, not only in type).
template <class Config, class Props, class F>
void for_each_connect_property(Config& c, Props& p, F&& f) {
  f(c.session_expiry_interval, p.session_expiry_interval);
  f(c.receive_maximum, p.receive_maximum);
  f(c.maximum_packet_size, p.maximum_packet_size);
  f(c.topic_alias_maximum, p.topic_alias_maximum);
  f(c.request_response_information, p.request_response_information);
  f(c.request_problem_information, p.request_problem_information);
  f(c.authentication_method, p.authentication_method);
  f(c.authentication_data, p.authentication_data);
}

/// The same for the will's properties.
template <class Will, class Props, class F>
void for_each_will_property(Will& w, Props& p, F&& f) {
  f(w.delay_interval, p.will_delay_interval);
  f(w.message_expiry_interval, p.message_expiry_interval);
  f(w.payload_format_indicator, p.payload_format_indicator);
  f(w.content_type, p.content_type);
  f(w.response_topic, p.response_topic);
  f(w.correlation_data, p.correlation_data);
}

/// A property's value as the config keeps it: strings owned, numbers as they are.
template <class T>
std::optional<T> owned_value(const std::optional<T>& v) {
  return v;
}
inline std::optional<std::string> owned_value(const std::optional<std::string_view>& v) {
  if (!v) return std::nullopt;
  return std::string(*v);
}

/// A config field's value as a packet carries it: a view of the config's strings.
template <class T>
std::optional<T> viewed_value(const std::optional<T>& v) {
  return v;
}
inline std::optional<std::string_view> viewed_value(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  return std::string_view(*v);
}

}  // namespace mqttws::detail
