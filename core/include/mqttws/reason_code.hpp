// mqttws — MQTT reason codes.
//
// One vocabulary for both protocol versions: MQTT 5 reason codes as the spec names them.
// On a 3.1.1 connection the codec maps the CONNACK return codes 1..5 onto their MQTT 5
// equivalents (and back when encoding), and SUBACK failure 0x80 is already the same byte,
// so callers never need to know which version produced a code.
#pragma once

#include <cstdint>
#include <string_view>

#include "mqttws/protocol.hpp"

namespace mqttws {

enum class reason_code : std::uint8_t {
  success = 0x00,  // also: normal disconnection, granted QoS 0
  normal_disconnection = 0x00,
  granted_qos_0 = 0x00,
  granted_qos_1 = 0x01,
  granted_qos_2 = 0x02,
  disconnect_with_will_message = 0x04,
  no_matching_subscribers = 0x10,
  no_subscription_existed = 0x11,
  continue_authentication = 0x18,
  re_authenticate = 0x19,
  unspecified_error = 0x80,
  malformed_packet = 0x81,
  protocol_error = 0x82,
  implementation_specific_error = 0x83,
  unsupported_protocol_version = 0x84,
  client_identifier_not_valid = 0x85,
  bad_user_name_or_password = 0x86,
  not_authorized = 0x87,
  server_unavailable = 0x88,
  server_busy = 0x89,
  banned = 0x8A,
  server_shutting_down = 0x8B,
  bad_authentication_method = 0x8C,
  keep_alive_timeout = 0x8D,
  session_taken_over = 0x8E,
  topic_filter_invalid = 0x8F,
  topic_name_invalid = 0x90,
  packet_identifier_in_use = 0x91,
  packet_identifier_not_found = 0x92,
  receive_maximum_exceeded = 0x93,
  topic_alias_invalid = 0x94,
  packet_too_large = 0x95,
  message_rate_too_high = 0x96,
  quota_exceeded = 0x97,
  administrative_action = 0x98,
  payload_format_invalid = 0x99,
  retain_not_supported = 0x9A,
  qos_not_supported = 0x9B,
  use_another_server = 0x9C,
  server_moved = 0x9D,
  shared_subscriptions_not_supported = 0x9E,
  connection_rate_exceeded = 0x9F,
  maximum_connect_time = 0xA0,
  subscription_identifiers_not_supported = 0xA1,
  wildcard_subscriptions_not_supported = 0xA2,
};

/// True for codes below 0x80 (success of some kind), false for failures.
constexpr bool is_success(reason_code c) noexcept { return static_cast<std::uint8_t>(c) < 0x80; }

/// The spec's name of the code as it reads in packet `t` ("Not authorized", "Granted QoS 1",
/// "Normal disconnection"), or "Unknown reason code" for a byte the spec does not define.
std::string_view to_string(reason_code c, packet_type t = packet_type::connack) noexcept;

/// True when MQTT 5 allows code `c` in packet type `t` (CONNACK, PUBACK, PUBREC, PUBREL,
/// PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH); false for other types.
bool is_allowed(reason_code c, packet_type t) noexcept;

/// MQTT 3.1.1 CONNACK return code (0..5) to reason code; false if `rc` is not 0..5.
bool from_v311_connack(std::uint8_t rc, reason_code& out) noexcept;

/// Reason code to MQTT 3.1.1 CONNACK return code; false if 3.1.1 cannot express it.
bool to_v311_connack(reason_code c, std::uint8_t& out) noexcept;

}  // namespace mqttws
