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

// Every property in identifier order, the order in which they are written:
// S(name) for a single-valued property held in `properties::name`, L(id, member) for one of
// the two list properties. All code that walks properties expands this one list.
#define MQTTWS_PROPERTY_LIST(S, L)                                                  \
  S(payload_format_indicator) S(message_expiry_interval) S(content_type)            \
  S(response_topic) S(correlation_data) L(subscription_identifier, subscription_identifiers) \
  S(session_expiry_interval) S(assigned_client_identifier) S(server_keep_alive)     \
  S(authentication_method) S(authentication_data) S(request_problem_information)    \
  S(will_delay_interval) S(request_response_information) S(response_information)    \
  S(server_reference) S(reason_string) S(receive_maximum) S(topic_alias_maximum)    \
  S(topic_alias) S(maximum_qos) S(retain_available) L(user_property, user_properties) \
  S(maximum_packet_size) S(wildcard_subscription_available)                        \
  S(subscription_identifier_available) S(shared_subscription_available)

/// Calls f(field) with the member of `p` that holds `id`, for every id except the two list
/// properties (user_property, subscription_identifier). Returns false for those and for
/// unknown ids. `P` is `properties` or `const properties`.
template <class P, class F>
bool visit_field(P& p, property_id id, F&& f) {
#define MQTTWS_SINGLE_CASE(name) \
  case property_id::name:        \
    f(p.name);                   \
    return true;
#define MQTTWS_LIST_CASE(id, member) \
  case property_id::id:              \
    return false;
  switch (id) { MQTTWS_PROPERTY_LIST(MQTTWS_SINGLE_CASE, MQTTWS_LIST_CASE) }
#undef MQTTWS_SINGLE_CASE
#undef MQTTWS_LIST_CASE
  return false;
}

/// Calls f(id, value) for every single-valued property of `p` that is set, in id order, and
/// f_list(id) for the two list properties when they are non-empty. Expands to straight-line
/// tests (one per property), which matters: this runs several times per encoded packet.
template <class F, class G>
void for_each_set(const properties& p, F&& f, G&& f_list) {
#define MQTTWS_SINGLE_SET(name) \
  if (p.name) f(property_id::name, *p.name);
#define MQTTWS_LIST_SET(id, member) \
  if (!p.member.empty()) f_list(property_id::id);
  MQTTWS_PROPERTY_LIST(MQTTWS_SINGLE_SET, MQTTWS_LIST_SET)
#undef MQTTWS_SINGLE_SET
#undef MQTTWS_LIST_SET
}

/// Integer value of a single-valued field (bool, qos or an integer), for checks and writing.
template <class T>
constexpr std::uint32_t as_integer(const T& v) {
  return static_cast<std::uint32_t>(v);
}

}  // namespace mqttws::detail
