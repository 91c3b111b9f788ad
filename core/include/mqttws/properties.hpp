// mqttws — MQTT 5 properties.
//
// `properties` holds every property the spec defines, each as an optional (or a list for the
// two that may repeat). Strings and binary data are views: after decoding they point into the
// packet bytes, before encoding into the caller's storage.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "mqttws/protocol.hpp"
#include "mqttws/wire_list.hpp"

namespace mqttws {

/// Property identifiers (MQTT 5, section 2.2.2.2).
enum class property_id : std::uint8_t {
  payload_format_indicator = 0x01,
  message_expiry_interval = 0x02,
  content_type = 0x03,
  response_topic = 0x08,
  correlation_data = 0x09,
  subscription_identifier = 0x0B,
  session_expiry_interval = 0x11,
  assigned_client_identifier = 0x12,
  server_keep_alive = 0x13,
  authentication_method = 0x15,
  authentication_data = 0x16,
  request_problem_information = 0x17,
  will_delay_interval = 0x18,
  request_response_information = 0x19,
  response_information = 0x1A,
  server_reference = 0x1C,
  reason_string = 0x1F,
  receive_maximum = 0x21,
  topic_alias_maximum = 0x22,
  topic_alias = 0x23,
  maximum_qos = 0x24,
  retain_available = 0x25,
  user_property = 0x26,
  maximum_packet_size = 0x27,
  wildcard_subscription_available = 0x28,
  subscription_identifier_available = 0x29,
  shared_subscription_available = 0x2A,
};

/// Where a property may appear: a packet type, or the will properties inside CONNECT.
enum class property_context : std::uint8_t {
  will = 0,  // packet type 0 is reserved, so the will can take its place
  connect = 1, connack, publish, puback, pubrec, pubrel, pubcomp,
  subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth,
};

constexpr property_context context_of(packet_type t) noexcept {
  return static_cast<property_context>(static_cast<std::uint8_t>(t));
}

/// True when the spec defines `id` and allows it in `ctx`.
bool is_allowed(property_id id, property_context ctx) noexcept;

/// The spec's name of a property ("Receive Maximum"), or "Unknown property".
std::string_view to_string(property_id id) noexcept;

struct user_property {
  std::string_view name;
  std::string_view value;
};

namespace detail {
// Element readers for lists decoded from a property block (defined in properties.cpp).
struct user_property_traits {
  static void next(const char*& p, const char* end, user_property& out);
};
struct subscription_id_traits {
  static void next(const char*& p, const char* end, std::uint32_t& out);
};
}  // namespace detail

/// User properties in their order on the wire (order is significant, names may repeat).
using user_property_list = wire_list<user_property, detail::user_property_traits>;
/// Subscription identifiers (1..268435455). A PUBLISH may carry several; SUBSCRIBE one.
using subscription_id_list = wire_list<std::uint32_t, detail::subscription_id_traits>;

struct properties {
  std::optional<std::uint8_t> payload_format_indicator;   ///< 0: bytes, 1: UTF-8.
  std::optional<std::uint32_t> message_expiry_interval;   ///< Seconds.
  std::optional<std::string_view> content_type;
  std::optional<std::string_view> response_topic;
  std::optional<std::string_view> correlation_data;       ///< Binary.
  subscription_id_list subscription_identifiers;
  std::optional<std::uint32_t> session_expiry_interval;   ///< Seconds; 0xFFFFFFFF never expires.
  std::optional<std::string_view> assigned_client_identifier;
  std::optional<std::uint16_t> server_keep_alive;         ///< Seconds.
  std::optional<std::string_view> authentication_method;
  std::optional<std::string_view> authentication_data;    ///< Binary.
  std::optional<bool> request_problem_information;
  std::optional<std::uint32_t> will_delay_interval;       ///< Seconds.
  std::optional<bool> request_response_information;
  std::optional<std::string_view> response_information;
  std::optional<std::string_view> server_reference;
  std::optional<std::string_view> reason_string;
  std::optional<std::uint16_t> receive_maximum;           ///< 1..65535.
  std::optional<std::uint16_t> topic_alias_maximum;
  std::optional<std::uint16_t> topic_alias;               ///< 1..65535.
  std::optional<qos> maximum_qos;                         ///< QoS 0 or 1 (absent: 2).
  std::optional<bool> retain_available;
  user_property_list user_properties;
  std::optional<std::uint32_t> maximum_packet_size;       ///< 1..4294967295 bytes.
  std::optional<bool> wildcard_subscription_available;
  std::optional<bool> subscription_identifier_available;
  std::optional<bool> shared_subscription_available;

  /// True when no property is set.
  bool empty() const noexcept;
};

}  // namespace mqttws
