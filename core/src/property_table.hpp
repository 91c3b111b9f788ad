// Internal: what the spec says about each property (section 2.2.2.2): its data type, where it
// may appear, and which member of `properties` holds it. Every property code path (validate,
// size, write, read, skip) goes through this one description.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

#include "mqttws/properties.hpp"

namespace mqttws::detail {

enum class property_type : std::uint8_t { none, byte, u16, u32, varint, utf8, binary, utf8_pair };

struct property_info {
  property_type type = property_type::none;
  std::uint16_t contexts = 0;  // bit n set: allowed in property_context n
  std::string_view name = "Unknown property";
};

/// Description of `id`; type is none for identifiers the spec does not define.
const property_info& info(std::uint32_t id) noexcept;

/// Calls f(field) with the member of `p` that holds `id`, for every id except the two list
/// properties (user_property, subscription_identifier). Returns false for those and for
/// unknown ids. `P` is `properties` or `const properties`.
template <class P, class F>
bool visit_field(P& p, property_id id, F&& f) {
  using id_t = property_id;
  switch (id) {
    case id_t::payload_format_indicator: f(p.payload_format_indicator); return true;
    case id_t::message_expiry_interval: f(p.message_expiry_interval); return true;
    case id_t::content_type: f(p.content_type); return true;
    case id_t::response_topic: f(p.response_topic); return true;
    case id_t::correlation_data: f(p.correlation_data); return true;
    case id_t::session_expiry_interval: f(p.session_expiry_interval); return true;
    case id_t::assigned_client_identifier: f(p.assigned_client_identifier); return true;
    case id_t::server_keep_alive: f(p.server_keep_alive); return true;
    case id_t::authentication_method: f(p.authentication_method); return true;
    case id_t::authentication_data: f(p.authentication_data); return true;
    case id_t::request_problem_information: f(p.request_problem_information); return true;
    case id_t::will_delay_interval: f(p.will_delay_interval); return true;
    case id_t::request_response_information: f(p.request_response_information); return true;
    case id_t::response_information: f(p.response_information); return true;
    case id_t::server_reference: f(p.server_reference); return true;
    case id_t::reason_string: f(p.reason_string); return true;
    case id_t::receive_maximum: f(p.receive_maximum); return true;
    case id_t::topic_alias_maximum: f(p.topic_alias_maximum); return true;
    case id_t::topic_alias: f(p.topic_alias); return true;
    case id_t::maximum_qos: f(p.maximum_qos); return true;
    case id_t::retain_available: f(p.retain_available); return true;
    case id_t::maximum_packet_size: f(p.maximum_packet_size); return true;
    case id_t::wildcard_subscription_available: f(p.wildcard_subscription_available); return true;
    case id_t::subscription_identifier_available: f(p.subscription_identifier_available); return true;
    case id_t::shared_subscription_available: f(p.shared_subscription_available); return true;
    case id_t::subscription_identifier:
    case id_t::user_property:
      return false;
  }
  return false;
}

/// Every defined property identifier in increasing order: the order properties are written.
inline constexpr property_id all_property_ids[] = {
    property_id::payload_format_indicator, property_id::message_expiry_interval,
    property_id::content_type, property_id::response_topic, property_id::correlation_data,
    property_id::subscription_identifier, property_id::session_expiry_interval,
    property_id::assigned_client_identifier, property_id::server_keep_alive,
    property_id::authentication_method, property_id::authentication_data,
    property_id::request_problem_information, property_id::will_delay_interval,
    property_id::request_response_information, property_id::response_information,
    property_id::server_reference, property_id::reason_string, property_id::receive_maximum,
    property_id::topic_alias_maximum, property_id::topic_alias, property_id::maximum_qos,
    property_id::retain_available, property_id::user_property, property_id::maximum_packet_size,
    property_id::wildcard_subscription_available, property_id::subscription_identifier_available,
    property_id::shared_subscription_available,
};

/// Calls f(id, field) for every single-valued property of `p` that is set, in id order, and
/// f_list(id) for the two list properties when they are non-empty.
template <class F, class G>
void for_each_set(const properties& p, F&& f, G&& f_list) {
  for (property_id id : all_property_ids) {
    const bool single = visit_field(p, id, [&](const auto& field) {
      if (field) f(id, *field);
    });
    if (!single) {
      const bool non_empty = id == property_id::user_property
                                 ? !p.user_properties.empty()
                                 : !p.subscription_identifiers.empty();
      if (non_empty) f_list(id);
    }
  }
}

/// Integer value of a single-valued field (bool, qos or an integer), for checks and writing.
template <class T>
constexpr std::uint32_t as_integer(const T& v) {
  return static_cast<std::uint32_t>(v);
}

}  // namespace mqttws::detail
